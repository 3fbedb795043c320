"""os-migrateLive, force_complete and the abort in the API: bodies by
microversion, waiting for the checks before 2.34, Nova's status codes."""

import falcon.testing
import pytest

from common import exception
from nova_api import app as api_app
from tests.unit.nova_api import test_server_actions as base

ADMIN = {'X-Auth-Token': 'admin:admin:admin'}
OLD = {'host': None, 'block_migration': False, 'disk_over_commit': False}
NEW = {'host': None, 'block_migration': 'auto'}


class FakeConductor(base.FakeConductor):

    def __init__(self):
        super().__init__()
        self.calls = []
        self.refuse = None

    def _answer(self, *call):
        self.calls.append(call)
        if self.refuse:
            raise self.refuse

    def live_migrate_instance(self, ctxt, uuid, host=None,
                              block_migration='auto', force=False,
                              wait=True):
        self._answer('live', uuid, host, block_migration, force, wait)

    def live_migration_abort(self, ctxt, uuid, migration_id, early=False):
        self._answer('abort', uuid, migration_id, early)

    def live_migration_force_complete(self, ctxt, uuid, migration_id):
        self._answer('force_complete', uuid, migration_id)


@pytest.fixture
def client():
    conductor = FakeConductor()
    test_client = falcon.testing.TestClient(api_app.create_app(conductor))
    test_client.conductor = conductor
    return test_client


def _live(client, params, version, headers=ADMIN):
    return base._post(client, base.UUID, {'os-migrateLive': params},
                      version, headers)


@pytest.mark.parametrize('version, params, code', [
    ('2.1', OLD, 202),
    ('2.1', dict(OLD, block_migration='True'), 202),
    ('2.1', NEW, 400),                                  # auto, no overcommit
    ('2.1', {'block_migration': False, 'disk_over_commit': False}, 400),
    ('2.24', dict(OLD, force=True), 400),
    ('2.25', NEW, 202),
    ('2.25', OLD, 400),                                 # disk_over_commit
    ('2.25', dict(NEW, force=True), 400),               # force from 2.30
    ('2.30', dict(NEW, host='h2', force=True), 202),
    ('2.30', dict(NEW, block_migration='sometimes'), 400),
    ('2.67', dict(NEW, force=False), 202),
    ('2.68', dict(NEW, force=False), 400),              # force removed
    ('2.68', dict(NEW, host=''), 400),
    ('2.68', dict(NEW, host='h' * 256), 400),
    ('2.68', None, 400),
])
def test_bodies_by_microversion(client, version, params, code):
    resp = _live(client, params, version)
    assert resp.status_code == code, resp.text


def test_waits_for_the_checks_before_2_34_only(client):
    assert _live(client, dict(NEW, block_migration=False),
                 '2.33').status_code == 202
    assert _live(client, dict(NEW, host='h2', force=True),
                 '2.34').status_code == 202
    assert _live(client, dict(NEW, force=True), '2.34').status_code == 202
    assert client.conductor.calls == [
        ('live', base.UUID, None, False, False, True),
        ('live', base.UUID, 'h2', 'auto', True, False),
        # force means nothing without a host
        ('live', base.UUID, None, 'auto', False, False)]


@pytest.mark.parametrize('error, code, message', [
    (exception.MigrationPreCheckError(reason='the libvirt test driver '
                                      'cannot live-migrate instances'),
     400, 'Migration pre-check error: the libvirt test driver cannot '
          'live-migrate instances'),
    (exception.NoValidHost(reason='none fits'), 400,
     'No valid host was found. none fits'),
    (exception.ComputeHostNotFound(host='h9'), 400,
     'Compute host h9 could not be found.'),
    (exception.InstanceInvalidState(
        action='os-migrateLive', instance_uuid=base.UUID, attr='vm_state',
        state='stopped'), 409, None),
])
def test_refusals_are_nova_codes(client, error, code, message):
    client.conductor.refuse = error
    resp = _live(client, OLD, '2.1')
    assert resp.status_code == code, resp.text
    [body] = resp.json.values()
    assert body['code'] == code
    if message:
        assert body['message'] == message


def test_admin_only(client):
    assert _live(client, OLD, '2.1', base.OWNER).status_code == 403
    assert client.conductor.calls == []


def _force(client, version, migration='3', headers=ADMIN,
           body={'force_complete': None}):
    return client.simulate_post(
        '/v2.1/servers/%s/migrations/%s/action' % (base.UUID, migration),
        json=body, headers=dict(headers, **{
            'OpenStack-API-Version': 'compute ' + version}))


def _abort(client, version, migration='3', headers=ADMIN):
    return client.simulate_delete(
        '/v2.1/servers/%s/migrations/%s' % (base.UUID, migration),
        headers=dict(headers, **{
            'OpenStack-API-Version': 'compute ' + version}))


def test_force_complete_from_2_22(client):
    assert _force(client, '2.21').status_code == 404
    assert _force(client, '2.22', body={'force_complete': 1}
                  ).status_code == 400
    assert _force(client, '2.22', body={'nope': None}).status_code == 400
    assert _force(client, '2.22', headers=base.OWNER).status_code == 403
    assert _force(client, '2.22', migration='x').status_code == 404
    assert _force(client, '2.22').status_code == 202
    assert client.conductor.calls == [('force_complete', base.UUID, 3)]
    client.conductor.refuse = exception.InstanceInvalidState(
        action='force complete', instance_uuid=base.UUID,
        attr='task_state', state=None)
    assert _force(client, '2.22').status_code == 409


def test_abort_from_2_24_and_early_from_2_65(client):
    assert _abort(client, '2.23').status_code == 404
    assert _abort(client, '2.24', headers=base.OWNER).status_code == 403
    assert _abort(client, '2.24').status_code == 202
    assert _abort(client, '2.65').status_code == 202
    assert client.conductor.calls == [('abort', base.UUID, 3, False),
                                      ('abort', base.UUID, 3, True)]
    client.conductor.refuse = exception.InvalidMigrationState(
        migration_id=3, instance_uuid=base.UUID, state='queued',
        method='abort live migration')
    resp = _abort(client, '2.24')
    assert resp.status_code == 400
    assert 'is queued' in resp.json['badRequest']['message']
