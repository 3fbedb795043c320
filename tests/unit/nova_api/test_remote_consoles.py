"""Remote consoles through the API: the 2.6 route, the 2.1-2.5 actions,
the admin token look-up, their microversions and errors (a fake
conductor; nova_conductor/consoles.py has its own tests)."""

import falcon.testing
import pytest

from common import exception
from nova_api import app as api_app

UUID = '6f4c3c2a-1b7e-4a8e-9a52-0c8d7e3f5a11'
MISSING = '0b8f3a5e-7d5c-4d43-8f1e-8f0a3b2c1d00'
OWNER = {'X-Auth-Token': 'u1:p1'}
ADMIN = {'X-Auth-Token': 'admin:admin'}
URL = 'ws://proxy:6083/?token=abc'


class FakeConductor:

    def __init__(self):
        self.asked = []
        self.error = None

    def instance_get(self, ctxt, uuid, read_deleted=False):
        if uuid != UUID:
            raise exception.InstanceNotFound(instance_id=uuid)
        return {'uuid': UUID, 'project_id': 'p1', 'user_id': 'u1',
                'vm_state': 'active', 'task_state': None,
                'locked_by': None}

    def instance_get_console(self, ctxt, uuid, protocol, console_type):
        self.asked.append((uuid, protocol, console_type))
        if self.error:
            raise self.error
        return {'protocol': protocol, 'type': console_type, 'url': URL}

    def console_token_get(self, ctxt, token):
        if token != 'good':
            raise exception.InvalidToken()
        return {'instance_uuid': UUID, 'host': '10.0.0.5', 'port': 10001,
                'internal_access_path': None, 'console_type': 'serial',
                'access_url_base': 'ws://proxy:6083/', 'expires': 1}


@pytest.fixture
def client():
    conductor = FakeConductor()
    test_client = falcon.testing.TestClient(api_app.create_app(conductor))
    test_client.conductor = conductor
    return test_client


def _headers(version, headers):
    return dict(headers, **{'OpenStack-API-Version': 'compute ' + version})


def _create(client, body, version='2.6', headers=OWNER, server=UUID):
    return client.simulate_post(
        '/v2.1/servers/%s/remote-consoles' % server,
        json={'remote_console': body} if body is not None else {},
        headers=_headers(version, headers))


def _action(client, body, version='2.1', headers=OWNER):
    return client.simulate_post('/v2.1/servers/%s/action' % UUID, json=body,
                                headers=_headers(version, headers))


def test_remote_console_shape_at_2_6(client):
    resp = _create(client, {'protocol': 'serial', 'type': 'serial'})
    assert resp.status_code == 200, resp.text
    assert resp.json == {'remote_console': {
        'protocol': 'serial', 'type': 'serial', 'url': URL}}
    assert client.conductor.asked == [(UUID, 'serial', 'serial')]


def test_remote_consoles_is_404_before_2_6(client):
    resp = _create(client, {'protocol': 'vnc', 'type': 'novnc'}, '2.5')
    assert resp.status_code == 404
    assert client.conductor.asked == []


@pytest.mark.parametrize('body, version', [
    ({'protocol': 'telnet', 'type': 'serial'}, '2.6'),
    ({'protocol': 'vnc', 'type': 'vt100'}, '2.6'),
    ({'protocol': 'vnc'}, '2.6'),
    ({'protocol': 'vnc', 'type': 'novnc', 'extra': 1}, '2.6'),
    ({'protocol': 'mks', 'type': 'webmks'}, '2.7'),
    (None, '2.6'),
])
def test_bad_bodies_are_400_before_any_lookup(client, body, version):
    resp = _create(client, body, version)
    assert resp.status_code == 400, resp.text
    assert 'badRequest' in resp.json
    assert client.conductor.asked == []


@pytest.mark.parametrize('error, status, key, message', [
    (exception.ConsoleTypeInvalid(console_type='serial'), 400,
     'badRequest', 'Invalid console type serial'),
    (exception.ConsoleTypeUnavailable(console_type='serial'), 400,
     'badRequest', 'Unavailable console type serial.'),
    (exception.InstanceNotReady(instance_id=UUID), 409,
     'conflictingRequest', 'Instance %s is not ready' % UUID),
    (exception.ConsoleNotImplemented(console_type='spice'), 501,
     'notImplemented',
     'Unable to get spice console, functionality not implemented'),
])
def test_conductor_errors_map_to_novas_codes(client, error, status, key,
                                             message):
    client.conductor.error = error
    resp = _create(client, {'protocol': 'vnc', 'type': 'novnc'})
    assert resp.status_code == status, resp.text
    assert resp.json == {key: {'code': status, 'message': message}}


def test_mks_is_a_protocol_from_2_8(client):
    client.conductor.error = exception.ConsoleNotImplemented(
        console_type='mks')
    resp = _create(client, {'protocol': 'mks', 'type': 'webmks'}, '2.8')
    assert resp.status_code == 501


def test_another_projects_server_is_404(client):
    resp = _create(client, {'protocol': 'vnc', 'type': 'novnc'},
                   headers={'X-Auth-Token': 'u2:p2'})
    assert resp.status_code == 404
    resp = _create(client, {'protocol': 'vnc', 'type': 'novnc'},
                   server=MISSING)
    assert resp.status_code == 404
    assert client.conductor.asked == []


def test_a_reader_may_not_open_a_console(client):
    resp = _create(client, {'protocol': 'vnc', 'type': 'novnc'},
                   headers={'X-Auth-Token': 'reader:p1:reader'})
    assert resp.status_code == 403
    assert client.conductor.asked == []


@pytest.mark.parametrize('name, kind, protocol', [
    ('os-getVNCConsole', 'novnc', 'vnc'),
    ('os-getSerialConsole', 'serial', 'serial'),
])
def test_old_actions_until_2_5(client, name, kind, protocol):
    resp = _action(client, {name: {'type': kind}}, '2.5')
    assert resp.status_code == 200, resp.text
    assert resp.json == {'console': {'type': kind, 'url': URL}}
    assert client.conductor.asked == [(UUID, protocol, kind)]
    assert _action(client, {name: {'type': kind}}, '2.6').status_code == 400


def test_old_actions_check_their_type(client):
    assert _action(client, {'os-getSerialConsole': {'type': 'novnc'}}
                   ).status_code == 400
    assert _action(client, {'os-getVNCConsole': {}}).status_code == 400
    assert client.conductor.asked == []


def test_spice_and_rdp_actions_are_still_501(client):
    assert _action(client, {'os-getSPICEConsole': {'type': 'spice-html5'}}
                   ).status_code == 501


def test_token_lookup_is_admin_and_2_31(client):
    path = '/v2.1/os-console-auth-tokens/good'
    resp = client.simulate_get(path, headers=_headers('2.31', ADMIN))
    assert resp.status_code == 200, resp.text
    assert resp.json == {'console': {
        'instance_uuid': UUID, 'host': '10.0.0.5', 'port': 10001,
        'internal_access_path': None}}
    assert client.simulate_get(
        path, headers=_headers('2.31', OWNER)).status_code == 403
    # Before 2.31 only RDP tokens could be shown.
    resp = client.simulate_get(path, headers=_headers('2.30', ADMIN))
    assert resp.status_code == 401
    resp = client.simulate_get('/v2.1/os-console-auth-tokens/bad',
                               headers=_headers('2.31', ADMIN))
    assert resp.status_code == 404
    assert resp.json['itemNotFound']['message'] == 'Token not found'
