"""resize, migrate, confirmResize and revertResize in the API: bodies
by microversion, Nova's status codes and refusals."""

import falcon.testing
import pytest

from common import exception
from nova_api import app as api_app
from tests.unit.nova_api import test_server_actions as base

ADMIN = {'X-Auth-Token': 'admin:admin:admin'}
FLAVORS = {'1': {'flavorid': '1', 'disabled': False},
           '2': {'flavorid': '2', 'disabled': False},
           '9': {'flavorid': '9', 'disabled': True}}


class FakeConductor(base.FakeConductor):

    def __init__(self):
        super().__init__()
        self.calls = []
        self.refuse = None

    def flavor_get(self, ctxt, flavor_id, project_id=None):
        if flavor_id not in FLAVORS:
            raise exception.FlavorNotFound(flavor_id=flavor_id)
        return FLAVORS[flavor_id]

    def _answer(self, *call):
        self.calls.append(call)
        if self.refuse:
            raise self.refuse

    def resize_instance(self, ctxt, uuid, flavor_id=None, host=None):
        self._answer('resize', uuid, flavor_id, host)

    def confirm_resize(self, ctxt, uuid):
        self._answer('confirm', uuid)

    def revert_resize(self, ctxt, uuid):
        self._answer('revert', uuid)

    def instance_update(self, ctxt, uuid, values):
        self.calls.append(('update', uuid, values))


@pytest.fixture
def client():
    conductor = FakeConductor()
    test_client = falcon.testing.TestClient(api_app.create_app(conductor))
    test_client.conductor = conductor
    return test_client


def test_resize_is_202_and_records_disk_config(client):
    resp = base._post(client, base.UUID, {'resize': {
        'flavorRef': 'http://x/flavors/2', 'OS-DCF:diskConfig': 'AUTO'}})
    assert resp.status_code == 202, resp.text
    assert client.conductor.calls == [
        ('resize', base.UUID, '2', None),
        ('update', base.UUID, {'auto_disk_config': True})]


@pytest.mark.parametrize('body, message', [
    ({'resize': {}}, "'flavorRef' is a required property"),
    ({'resize': {'flavorRef': '404'}}, 'Flavor 404 could not be found.'),
    ({'resize': {'flavorRef': '9'}}, 'Flavor 9 is disabled.'),
    ({'resize': {'flavorRef': '2', 'OS-DCF:diskConfig': 'BIG'}}, 'BIG'),
])
def test_bad_resize_bodies_are_400(client, body, message):
    resp = base._post(client, base.UUID, body)
    assert resp.status_code == 400, resp.text
    assert message in resp.json['badRequest']['message']
    assert client.conductor.calls == []


def test_refusals_map_to_nova_codes(client):
    conductor = client.conductor
    conductor.refuse = exception.NoValidHost(reason='nothing fits')
    resp = base._post(client, base.UUID, {'resize': {'flavorRef': '2'}})
    assert resp.status_code == 400
    assert resp.json['badRequest']['message'] == \
        'No valid host was found. nothing fits'
    conductor.refuse = exception.CannotResizeToSameFlavor()
    resp = base._post(client, base.UUID, {'resize': {'flavorRef': '1'}})
    assert resp.json['badRequest']['message'] == \
        'When resizing, instances must change flavor!'
    conductor.refuse = exception.OverQuota(resource='cores', requested=1,
                                           used=1, limit=1)
    assert base._post(client, base.UUID, {'resize': {'flavorRef': '2'}}
                      ).status_code == 403
    conductor.refuse = exception.InstanceInvalidState(
        action='confirmResize', instance_uuid=base.UUID, attr='vm_state',
        state='active')
    resp = base._post(client, base.UUID, {'confirmResize': None})
    assert resp.status_code == 409
    conductor.refuse = exception.MigrationNotFoundByStatus(
        instance_id=base.UUID)
    assert base._post(client, base.UUID, {'revertResize': None}
                      ).status_code == 400


def test_confirm_is_204_and_revert_202(client):
    assert base._post(client, base.UUID, {'confirmResize': None}
                      ).status_code == 204
    assert base._post(client, base.UUID, {'revertResize': None}
                      ).status_code == 202
    assert [c[0] for c in client.conductor.calls] == ['confirm', 'revert']


def test_migrate_is_admin_and_takes_a_host_from_2_56(client):
    body = {'migrate': None}
    assert base._post(client, base.UUID, body).status_code == 403
    assert base._post(client, base.UUID, body,
                      headers=ADMIN).status_code == 202
    with_host = {'migrate': {'host': 'c2'}}
    assert base._post(client, base.UUID, with_host, '2.55',
                      headers=ADMIN).status_code == 400
    assert base._post(client, base.UUID, with_host, '2.56',
                      headers=ADMIN).status_code == 202
    assert client.conductor.calls == [('resize', base.UUID, None, None),
                                      ('resize', base.UUID, None, 'c2')]
    client.conductor.refuse = exception.ComputeHostNotFound(host='c9')
    resp = base._post(client, base.UUID, {'migrate': {'host': 'c9'}},
                      '2.56', headers=ADMIN)
    assert resp.status_code == 400
    assert resp.json['badRequest']['message'] == \
        'Compute host c9 could not be found.'


def test_a_locked_server_refuses_a_resize(client):
    client.conductor.locked_by = 'admin'
    assert base._post(client, base.UUID, {'resize': {'flavorRef': '2'}}
                      ).status_code == 409
