"""The rescue, unrescue and trigger_crash_dump actions: their bodies,
answers, policy rules and errors (the conductor faked)."""

import falcon.testing
import pytest

from common import exception
from common.conf import CONF
from nova_api import app as api_app
from tests.unit.nova_api import test_server_actions

UUID = test_server_actions.UUID
IMAGE = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d'
OWNER = {'X-Auth-Token': 'u1:p1'}


class FakeConductor(test_server_actions.FakeConductor):
    """The server actions' fake, which also records what it is asked and
    raises `error` when one is set."""

    def __init__(self):
        super().__init__()
        self.calls = []
        self.error = None

    def _record(self, *call):
        self.calls.append(call)
        if self.error:
            raise self.error

    def rescue_instance(self, ctxt, uuid, rescue_image_ref=None):
        self._record('rescue', uuid, rescue_image_ref)

    def unrescue_instance(self, ctxt, uuid):
        self._record('unrescue', uuid)

    def trigger_crash_dump(self, ctxt, uuid):
        self._record('crash_dump', uuid)


@pytest.fixture
def conductor():
    return FakeConductor()


@pytest.fixture
def client(conductor):
    return falcon.testing.TestClient(api_app.create_app(conductor))


def _post(client, body, version='2.1', headers=OWNER, server=UUID):
    return client.simulate_post(
        '/v2.1/servers/%s/action' % server, json=body,
        headers=dict(headers, **{'OpenStack-API-Version':
                                 'compute ' + version}))


def test_rescue_answers_200_with_the_given_admin_pass(client, conductor):
    resp = _post(client, {'rescue': {'adminPass': 's3cret',
                                     'rescue_image_ref': IMAGE}})
    assert resp.status_code == 200, resp.text
    assert resp.json == {'adminPass': 's3cret'}
    assert conductor.calls == [('rescue', UUID, IMAGE)]


def test_rescue_null_makes_a_password_and_uses_the_servers_image(
        client, conductor):
    resp = _post(client, {'rescue': None})
    assert resp.status_code == 200
    assert len(resp.json['adminPass']) >= 12
    assert conductor.calls == [('rescue', UUID, None)]


def test_rescue_hides_the_password_when_instance_passwords_are_off(client):
    CONF.set_override('enable_instance_password', False, 'api')
    try:
        resp = _post(client, {'rescue': {'adminPass': 'x'}})
    finally:
        CONF.clear_override('enable_instance_password', 'api')
    assert resp.status_code == 200 and resp.json == {}


@pytest.mark.parametrize('params', [
    {'rescue_image_ref': 'not-a-uuid'}, {'flavor': '1'},
    {'adminPass': 5}])
def test_a_bad_rescue_body_is_400(client, conductor, params):
    resp = _post(client, {'rescue': params})
    assert resp.status_code == 400
    assert 'badRequest' in resp.json
    assert conductor.calls == []


def test_unrescue_is_202_with_no_body(client, conductor):
    resp = _post(client, {'unrescue': None})
    assert resp.status_code == 202 and not resp.text
    assert conductor.calls == [('unrescue', UUID)]


def test_trigger_crash_dump_is_202_from_2_17(client):
    assert _post(client, {'trigger_crash_dump': None},
                 '2.16').status_code == 400
    resp = _post(client, {'trigger_crash_dump': None}, '2.17')
    assert resp.status_code == 202 and not resp.text
    assert _post(client, {'trigger_crash_dump': {'x': 1}},
                 '2.17').status_code == 400


@pytest.mark.parametrize('error, status, key', [
    (exception.InstanceInvalidState(action='rescue', instance_uuid=UUID,
                                    attr='vm_state', state='paused'),
     409, 'conflictingRequest'),
    (exception.InstanceNotRescuable(
        instance_id=UUID, reason='Cannot rescue a volume-backed instance'),
     400, 'badRequest'),
])
def test_conductor_refusals_become_nova_errors(client, conductor, error,
                                               status, key):
    conductor.error = error
    resp = _post(client, {'rescue': None})
    assert resp.status_code == status
    assert resp.json[key]['message'] == error.message


def test_crash_dump_not_ready_or_unsupported(client, conductor):
    conductor.error = exception.InstanceNotReady(instance_id=UUID)
    resp = _post(client, {'trigger_crash_dump': None}, '2.17')
    assert resp.status_code == 409
    assert resp.json['conflictingRequest']['message'] == \
        'Instance %s is not ready' % UUID
    conductor.error = exception.TriggerCrashDumpNotSupported()
    resp = _post(client, {'trigger_crash_dump': None}, '2.17')
    assert resp.status_code == 400


@pytest.mark.parametrize('body, version', [
    ({'rescue': None}, '2.1'), ({'unrescue': None}, '2.1'),
    ({'trigger_crash_dump': None}, '2.17')])
def test_locked_is_409_and_another_project_404(client, conductor, body,
                                               version):
    resp = _post(client, body, version, headers={'X-Auth-Token': 'u2:p2'})
    assert resp.status_code == 404
    conductor.locked_by = 'admin'
    resp = _post(client, body, version)
    assert resp.status_code == 409
    assert conductor.calls == []
