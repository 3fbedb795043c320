"""Server actions Nova serves and this cloud does not do, restore and
forceDelete: the server is looked up first, as in Nova."""

import falcon.testing
import pytest

from common import exception
from nova_api import app as api_app
from nova_api.resources import server_actions

UUID = '6f4c3c2a-1b7e-4a8e-9a52-0c8d7e3f5a11'
MISSING = '0b8f3a5e-7d5c-4d43-8f1e-8f0a3b2c1d00'
OWNER = {'X-Auth-Token': 'u1:p1'}


class FakeConductor:

    def __init__(self):
        self.deleted = []
        self.locked_by = None

    def instance_get(self, ctxt, uuid, read_deleted=False):
        if uuid != UUID:
            raise exception.InstanceNotFound(instance_id=uuid)
        return {'uuid': UUID, 'project_id': 'p1', 'user_id': 'u1',
                'vm_state': 'active', 'task_state': None,
                'locked_by': self.locked_by}

    def delete_instance(self, ctxt, uuid):
        self.deleted.append(uuid)

    def trigger_crash_dump(self, ctxt, uuid):
        pass

    def instance_console_output(self, ctxt, uuid, tail_length=None):
        self.tail_length = tail_length
        return 'boot\r\n\x1b[1mweb-1\x1b[0m login: \t\x00'


@pytest.fixture
def client():
    conductor = FakeConductor()
    test_client = falcon.testing.TestClient(api_app.create_app(conductor))
    test_client.conductor = conductor
    return test_client


def _post(client, server_id, body, version='2.1', headers=OWNER):
    return client.simulate_post(
        '/v2.1/servers/%s/action' % server_id, json=body,
        headers=dict(headers, **{'OpenStack-API-Version':
                                 'compute ' + version}))


@pytest.mark.parametrize('name, params', [
    ('migrate', None), ('shelve', None), ('restore', None),
    ('removeSecurityGroup', {'name': 'default'}), ('forceDelete', None),
    ('resize', {'flavorRef': '2'}), ('createImage', {'name': 'snap'}),
    ('os-migrateLive', {'host': None, 'block_migration': False,
                        'disk_over_commit': False}),
])
def test_a_server_that_does_not_exist_is_404_first(client, name, params):
    resp = _post(client, MISSING, {name: params})
    assert resp.status_code == 404, resp.text
    assert resp.json == {'itemNotFound': {
        'code': 404, 'message': 'Instance %s could not be found.' % MISSING}}


@pytest.mark.parametrize('name', sorted(server_actions.NOT_IMPLEMENTED))
def test_what_this_cloud_does_not_do_is_501_for_a_server_it_has(client,
                                                                 name):
    first, _ = server_actions.NOT_IMPLEMENTED[name]
    resp = _post(client, UUID, {name: {}}, '%d.%d' % first)
    assert resp.status_code == 501, resp.text
    assert resp.json == {'notImplemented': {
        'code': 501,
        'message': "This cloud does not implement the '%s' action." % name}}


def test_another_projects_server_is_404_for_those_too(client):
    resp = _post(client, UUID, {'migrate': None},
                 headers={'X-Auth-Token': 'u2:p2'})
    assert resp.status_code == 404


def test_actions_follow_nova_microversions(client):
    # trigger_crash_dump came in 2.17; the fixed and floating IP actions
    # left in 2.44 and the console actions in 2.6.
    assert _post(client, UUID, {'trigger_crash_dump': None},
                 '2.16').status_code == 400
    assert _post(client, UUID, {'trigger_crash_dump': None},
                 '2.17').status_code == 202
    assert _post(client, UUID, {'addFixedIp': {'networkId': 1}},
                 '2.43').status_code == 501
    assert _post(client, UUID, {'addFixedIp': {'networkId': 1}},
                 '2.44').status_code == 400
    assert _post(client, UUID, {'os-getVNCConsole': {'type': 'novnc'}},
                 '2.6').status_code == 400
    # A name Nova does not know is still a 400, before any lookup.
    resp = _post(client, MISSING, {'fly': None})
    assert resp.status_code == 400
    assert resp.json['badRequest']['message'] == \
        'There is no such action: fly'


def test_restore_conflicts_as_no_server_is_soft_deleted(client):
    resp = _post(client, UUID, {'restore': None})
    assert resp.status_code == 409
    assert resp.json['conflictingRequest']['message'] == (
        "Cannot 'restore' instance %s while it is in vm_state active" % UUID)
    resp = _post(client, UUID, {'restore': None},
                 headers={'X-Auth-Token': 'reader:p1:reader'})
    assert resp.status_code == 403


def test_force_delete_deletes_now(client):
    resp = _post(client, UUID, {'forceDelete': None})
    assert resp.status_code == 202, resp.text
    assert client.conductor.deleted == [UUID]


def test_force_delete_of_a_locked_server_is_409_for_its_owner(client):
    client.conductor.locked_by = 'admin'
    assert _post(client, UUID, {'forceDelete': None}).status_code == 409
    assert client.conductor.deleted == []
    assert _post(client, UUID, {'forceDelete': None},
                 headers={'X-Auth-Token': 'admin:admin'}).status_code == 202


def test_console_output_loses_control_characters_as_in_nova(client):
    resp = _post(client, UUID, {'os-getConsoleOutput': {'length': '3'}})
    assert resp.status_code == 200, resp.text
    assert resp.json == {'output': 'boot\n[1mweb-1[0m login: \t'}
    assert client.conductor.tail_length == 3
    _post(client, UUID, {'os-getConsoleOutput': {'length': -1}})
    assert client.conductor.tail_length is None
