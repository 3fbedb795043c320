"""Server update, metadata, tags, lock, reset-state and list queries over
real daemons, on PostgreSQL, MySQL and SQLite (regex filters and keyset
paging are SQL that differs between them)."""

import pytest

V = {'OpenStack-API-Version': 'compute 2.100'}


def _boot(dep, name, token='admin:admin', **extra):
    body = {'server': dict({'name': name, 'flavorRef': '1',
                            'imageRef': dep.image['id'],
                            'networks': 'none'}, **extra)}
    resp = dep.request('POST', '/v2.1/servers', token=token, json=body,
                       headers=dict(V))
    assert resp.status_code == 202, resp.text
    return resp.json()['server']['id']


@pytest.fixture(scope='module')
def fleet(deployment):
    """Five servers of project 'fleet', all ACTIVE."""
    token = 'alice:fleet'
    ids = [_boot(deployment, name, token=token, tags=['t-%s' % name[-1]])
           for name in ('web-1', 'web-2', 'db-1', 'db-2', 'cache-9')]
    for server_id in ids:
        assert deployment.wait_for_server(server_id)['status'] == 'ACTIVE'
    return ids


def _names(dep, query, token='alice:fleet'):
    resp = dep.request('GET', '/v2.1/servers?' + query, token=token,
                       headers=dict(V))
    assert resp.status_code == 200, resp.text
    return [s['name'] for s in resp.json()['servers']], resp.json()


def test_name_filter_is_a_regex_on_every_backend(deployment, fleet):
    names, _ = _names(deployment, 'name=^web-&sort_key=display_name'
                                  '&sort_dir=asc')
    assert names == ['web-1', 'web-2']
    names, _ = _names(deployment, 'name=-[12]$&sort_key=display_name'
                                  '&sort_dir=desc')
    assert names == ['web-2', 'web-1', 'db-2', 'db-1']


def test_sorted_pages_follow_next_links(deployment, fleet):
    seen = []
    query = 'sort_key=display_name&sort_dir=asc&limit=2'
    while True:
        names, body = _names(deployment, query)
        seen += names
        links = body.get('servers_links')
        if not links:
            break
        query = links[0]['href'].split('?', 1)[1]
    assert seen == ['cache-9', 'db-1', 'db-2', 'web-1', 'web-2']


def test_tag_filters(deployment, fleet):
    names, _ = _names(deployment, 'tags-any=t-1,t-9&sort_key=display_name'
                                  '&sort_dir=asc')
    assert names == ['cache-9', 'db-1', 'web-1']
    names, _ = _names(deployment, 'not-tags=t-1&sort_key=display_name'
                                  '&sort_dir=asc')
    assert names == ['cache-9', 'db-2', 'web-2']


def test_other_projects_see_nothing_and_admin_sees_all(deployment, fleet):
    assert _names(deployment, '', token='bob:other')[0] == []
    names, _ = _names(deployment, 'all_tenants=1&name=^cache',
                      token='admin:admin')
    assert names == ['cache-9']


def test_update_metadata_and_tags(deployment, fleet):
    dep, server_id = deployment, fleet[0]
    path = '/v2.1/servers/%s' % server_id
    resp = dep.request('PUT', path, token='alice:fleet', headers=dict(V),
                       json={'server': {'name': 'web-1', 'description':
                                        'front end'}})
    assert resp.status_code == 200, resp.text
    assert resp.json()['server']['description'] == 'front end'

    resp = dep.request('POST', path + '/metadata', token='alice:fleet',
                       json={'metadata': {'a': '1', 'b': '2'}})
    assert resp.json() == {'metadata': {'a': '1', 'b': '2'}}
    resp = dep.request('PUT', path + '/metadata/a', token='alice:fleet',
                       json={'meta': {'a': 'one'}})
    assert resp.json() == {'meta': {'a': 'one'}}
    resp = dep.request('DELETE', path + '/metadata/b', token='alice:fleet')
    assert resp.status_code == 204
    resp = dep.request('GET', path + '/metadata/b', token='alice:fleet')
    assert resp.status_code == 404
    assert resp.json()['itemNotFound']['message'] == \
        'Metadata item was not found'
    resp = dep.request('PUT', path + '/metadata', token='alice:fleet',
                       json={'metadata': {'only': 'this'}})
    assert resp.json() == {'metadata': {'only': 'this'}}

    resp = dep.request('PUT', path + '/tags/extra', token='alice:fleet',
                       headers=dict(V))
    assert resp.status_code == 201
    resp = dep.request('GET', path + '/tags', token='alice:fleet',
                       headers=dict(V))
    assert resp.json() == {'tags': ['t-1', 'extra']}
    resp = dep.request('DELETE', path + '/tags/nope', token='alice:fleet',
                       headers=dict(V))
    assert resp.status_code == 404
    show = dep.request('GET', path, token='alice:fleet',
                       headers=dict(V)).json()['server']
    assert show['metadata'] == {'only': 'this'}
    assert show['tags'] == ['t-1', 'extra']


def test_lock_blocks_the_owner_until_unlocked(deployment, fleet):
    dep, server_id = deployment, fleet[1]
    action = '/v2.1/servers/%s/action' % server_id
    resp = dep.request('POST', action, token='alice:fleet', headers=dict(V),
                       json={'lock': {'locked_reason': 'maintenance'}})
    assert resp.status_code == 202, resp.text
    show = dep.request('GET', '/v2.1/servers/%s' % server_id,
                       token='alice:fleet', headers=dict(V)).json()['server']
    assert show['locked'] is True and show['locked_reason'] == 'maintenance'
    resp = dep.request('POST', action, token='alice:fleet',
                       json={'os-stop': None})
    assert resp.status_code == 409
    assert 'is locked' in resp.json()['conflictingRequest']['message']
    resp = dep.request('DELETE', '/v2.1/servers/%s' % server_id,
                       token='alice:fleet')
    assert resp.status_code == 409
    names, _ = _names(dep, 'locked=true')
    assert names == ['web-2']
    resp = dep.request('POST', action, token='alice:fleet',
                       json={'unlock': None})
    assert resp.status_code == 202
    assert _names(dep, 'locked=true')[0] == []


def test_admin_lock_binds_the_owner(deployment, fleet):
    dep, server_id = deployment, fleet[2]
    action = '/v2.1/servers/%s/action' % server_id
    assert dep.request('POST', action, json={'lock': None}).status_code \
        == 202
    resp = dep.request('POST', action, token='alice:fleet',
                       json={'unlock': None})
    assert resp.status_code == 403
    assert dep.request('POST', action, json={'unlock': None}).status_code \
        == 202


def test_reset_state_frees_a_stuck_instance(deployment, fleet):
    dep, server_id = deployment, fleet[3]
    action = '/v2.1/servers/%s/action' % server_id
    resp = dep.request('POST', action, json={'os-resetState':
                                             {'state': 'error'}})
    assert resp.status_code == 202
    assert dep.wait_for_server(server_id, ('ERROR',))['status'] == 'ERROR'
    resp = dep.request('POST', action, token='alice:fleet',
                       json={'os-resetState': {'state': 'active'}})
    assert resp.status_code == 403
    dep.request('POST', action, json={'os-resetState': {'state': 'active'}})
    assert dep.wait_for_server(server_id, ('ACTIVE',))['status'] == 'ACTIVE'


def test_create_body_follows_the_microversion(deployment):
    dep = deployment
    body = {'server': {'name': 'x', 'flavorRef': '1',
                       'imageRef': dep.image['id']}}
    resp = dep.request('POST', '/v2.1/servers', json=body, headers=dict(V))
    assert resp.status_code == 400  # networks is required from 2.37
    assert 'networks' in resp.json()['badRequest']['message']
    body['server']['networks'] = 'none'
    body['server']['personality'] = [{'path': '/a', 'contents': 'eA=='}]
    resp = dep.request('POST', '/v2.1/servers', json=body, headers=dict(V))
    assert resp.status_code == 400  # personality is gone from 2.57
    assert 'personality' in resp.json()['badRequest']['message']
    body['server']['user_data'] = 'not base64!'
    del body['server']['personality']
    resp = dep.request('POST', '/v2.1/servers', json=body, headers=dict(V))
    assert resp.status_code == 400
    assert 'user_data' in resp.json()['badRequest']['message']


def test_limit_zero_lists_no_server(deployment, fleet):
    for path in ('/v2.1/servers', '/v2.1/servers/detail'):
        resp = deployment.request('GET', path + '?limit=0',
                                  token='alice:fleet', headers=dict(V))
        assert resp.status_code == 200, resp.text
        assert resp.json() == {'servers': []}
    names, _ = _names(deployment, 'limit=1')
    assert len(names) == 1


def _version(version):
    return {'OpenStack-API-Version': 'compute %s' % version}


def test_access_ips_read_back_in_canonical_form(deployment):
    dep = deployment
    server_id = _boot(dep, 'access-ips', token='alice:fleet',
                      accessIPv4='192.0.2.1',
                      accessIPv6='0000:0000:0000:0000:0000:babe:220.12.22.2')
    server = dep.request('GET', '/v2.1/servers/%s' % server_id,
                         token='alice:fleet').json()['server']
    assert (server['accessIPv4'], server['accessIPv6']) == (
        '192.0.2.1', '::babe:dc0c:1602')
    resp = dep.request('PUT', '/v2.1/servers/%s' % server_id,
                       token='alice:fleet', json={'server': {
                           'accessIPv6': '2001:DB8:0:0:0:0:0:1'}})
    assert resp.status_code == 200, resp.text
    assert resp.json()['server']['accessIPv6'] == '2001:db8::1'
    dep.request('DELETE', '/v2.1/servers/%s' % server_id)
    dep.wait_gone(server_id)


def test_update_and_rebuild_answer_the_whole_server_from_2_75(deployment):
    dep, token = deployment, 'alice:fleet'
    server_id = _boot(dep, 'rebuild-shape', token=token)
    dep.wait_for_server(server_id)
    path = '/v2.1/servers/%s' % server_id
    short = dep.request('PUT', path, token=token, headers=_version('2.74'),
                        json={'server': {'name': 'short'}}).json()['server']
    assert short['name'] == 'short'
    assert 'OS-EXT-STS:vm_state' not in short and 'key_name' not in short
    full = dep.request('PUT', path, token=token, headers=_version('2.75'),
                       json={'server': {'name': 'full'}}).json()['server']
    assert full['OS-EXT-STS:vm_state'] == 'active' and 'key_name' in full
    for version, whole in (('2.74', False), ('2.75', True)):
        resp = dep.request('POST', path + '/action', token=token,
                           headers=_version(version), json={'rebuild': {
                               'imageRef': dep.image['id']}})
        assert resp.status_code == 202, resp.text
        rebuilt = resp.json()['server']
        assert rebuilt['adminPass'] and 'user_data' in rebuilt
        assert 'key_name' in rebuilt
        assert ('OS-EXT-STS:task_state' in rebuilt) is whole, version
        assert 'OS-EXT-SRV-ATTR:user_data' not in rebuilt
        assert dep.wait_for_server(server_id)['status'] == 'ACTIVE'
    dep.request('DELETE', path)
    dep.wait_gone(server_id)


def test_disk_config_is_kept_through_update_and_rebuild(deployment):
    """What Tempest's ServerDiskConfigTestJSON does (its class is skipped
    here: it wants Neutron for a default network)."""
    dep, token = deployment, 'alice:fleet'
    server_id = _boot(dep, 'disk-config', token=token,
                      **{'OS-DCF:diskConfig': 'AUTO'})
    path = '/v2.1/servers/%s' % server_id

    def shown():
        return dep.request('GET', path, token=token).json()['server'][
            'OS-DCF:diskConfig']
    assert dep.wait_for_server(server_id)['status'] == 'ACTIVE'
    assert shown() == 'AUTO'
    resp = dep.request('PUT', path, token=token, json={'server': {
        'OS-DCF:diskConfig': 'MANUAL'}})
    assert resp.status_code == 200, resp.text
    assert resp.json()['server']['OS-DCF:diskConfig'] == 'MANUAL'
    assert shown() == 'MANUAL'
    for mode in ('AUTO', 'MANUAL'):
        resp = dep.request('POST', path + '/action', token=token,
                           json={'rebuild': {'imageRef': dep.image['id'],
                                             'OS-DCF:diskConfig': mode}})
        assert resp.status_code == 202, resp.text
        assert resp.json()['server']['OS-DCF:diskConfig'] == mode
        assert dep.wait_for_server(server_id)['status'] == 'ACTIVE'
        assert shown() == mode
    dep.request('DELETE', path)
    dep.wait_gone(server_id)


def test_actions_this_cloud_lacks_find_the_server_first(deployment):
    dep, token = deployment, 'alice:fleet'
    missing = '/v2.1/servers/6f4c3c2a-1b7e-4a8e-9a52-0c8d7e3f5a11/action'
    for body in ({'migrate': None}, {'shelve': None}, {'restore': None},
                 {'removeSecurityGroup': {'name': 'default'}},
                 {'forceDelete': None}):
        resp = dep.request('POST', missing, json=body)
        assert resp.status_code == 404, (body, resp.text)
        assert resp.json()['itemNotFound']['code'] == 404
    server_id = _boot(dep, 'no-password', token=token)
    dep.wait_for_server(server_id)
    action = '/v2.1/servers/%s/action' % server_id
    resp = dep.request('POST', action, token=token,
                       json={'changePassword': {'adminPass': 'x'}})
    assert resp.status_code == 501
    assert resp.json()['notImplemented']['message'] == \
        "This cloud does not implement the 'changePassword' action."
    resp = dep.request('POST', action, token=token, json={'restore': None})
    assert resp.status_code == 409
    assert 'vm_state active' in resp.json()['conflictingRequest']['message']
    resp = dep.request('POST', action, token=token,
                       json={'forceDelete': None})
    assert resp.status_code == 202, resp.text
    dep.wait_gone(server_id)
