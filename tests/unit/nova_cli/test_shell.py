"""Exit codes, error messages and name resolution, against a fake API."""

import json

from tests.unit.nova_cli import fake_api

SERVER = {'id': 'a0a0a0a0-0000-4000-8000-000000000001', 'name': 'web',
          'status': 'ACTIVE', 'OS-EXT-STS:task_state': None,
          'OS-EXT-STS:vm_state': 'active', 'OS-EXT-STS:power_state': 1,
          'flavor': {'id': '1', 'links': []}, 'image': '',
          'addresses': {}, 'metadata': {}}
NOT_FOUND = {'itemNotFound': {'code': 404,
                              'message': 'Instance web could not be found.'}}


def test_unknown_server_exits_1_with_a_message(novalite):
    with fake_api.FakeApi() as api:
        api.route('GET', '/v2.1/servers/detail', body={'servers': []})
        result = novalite('--os-endpoint', api.url, 'server', 'show', 'web')
    assert result.code == 1
    assert result.stdout == ''
    assert "No server with a name or ID of 'web' exists." in result.stderr


def test_server_found_by_name_after_the_id_lookup_fails(novalite):
    with fake_api.FakeApi() as api:
        api.route('GET', '/v2.1/servers/web', status=404, body=NOT_FOUND)
        api.route('GET', '/v2.1/servers/detail', body={'servers': [SERVER]})
        api.route('GET', '/v2.1/flavors', body={'flavors': [
            {'id': '1', 'name': 'm1.tiny'}]})
        api.route('GET', '/v2.1/images', body={'images': []})
        result = novalite('--os-endpoint', api.url, 'server', 'show', 'web',
                          '-f', 'json')
    assert result.code == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown['id'] == SERVER['id']
    assert shown['flavor'] == {'id': '1', 'name': 'm1.tiny'}
    assert shown['power_state'] == 1


def test_api_error_message_goes_to_stderr(novalite):
    conflict = {'conflictingRequest': {
        'code': 409, 'message': "Cannot 'stop' instance while it is in "
                                "vm_state stopped"}}
    with fake_api.FakeApi() as api:
        api.route('GET', '/v2.1/servers/%s' % SERVER['id'],
                  body={'server': SERVER})
        api.route('POST', '/v2.1/servers/%s/action' % SERVER['id'],
                  status=409, body=conflict)
        result = novalite('--os-endpoint', api.url, 'server', 'stop',
                          SERVER['id'])
    assert result.code == 1
    assert "Cannot 'stop' instance while it is in vm_state stopped" in \
        result.stderr
    assert json.loads(api.requests[-1]['body']) == {'os-stop': None}


def test_usage_errors_exit_2(novalite):
    assert novalite().code == 2
    assert novalite('server', 'create', 'x').code == 2
    unknown = novalite('server', 'lst')
    assert unknown.code == 2
    assert unknown.stdout == ''
    assert 'server list' in unknown.stderr


def test_unreachable_api_is_one_line(novalite):
    result = novalite('--os-endpoint', 'http://127.0.0.1:9', 'flavor',
                      'list')
    assert result.code == 1
    assert result.stderr.startswith('Unable to connect')
    assert 'Traceback' not in result.stderr


def test_debug_shows_the_requests(novalite):
    with fake_api.FakeApi() as api:
        api.route('GET', '/v2.1/limits', body={'limits': {'absolute': {
            'maxTotalInstances': 10}}})
        result = novalite('--debug', '--os-endpoint', api.url, 'limits',
                          'show')
    assert result.code == 0
    assert 'REQ: curl -g -i -X GET %s/v2.1/limits' % api.url in \
        result.stderr
    assert 'maxTotalInstances' in result.stdout
