"""The list views ask the conductor for only some fields of each server:
at every microversion, for admins and users, they answer the same bodies
as they would from the whole instance."""

import falcon.testing
import pytest

from common import row_pages
from common import servicegroup
from nova_api import app as api_app
from nova_api import server_view
from tests.unit.nova_api import test_server_shapes as shapes

# Every field a view may show filled in: an errored server with a
# fault, a volume, user data and a lock.
INSTANCE = dict(
    shapes.INSTANCE, vm_state='error', user_data='aGk=',
    locked_by='owner', locked_reason='mine', key_name='k1',
    auto_disk_config=True, config_drive=True, access_ip_v4='192.0.2.1',
    fault={'code': 404, 'message': 'gone', 'details': 'why',
           'created_at': '2026-11-24T10:00:00.000000+00:00'},
    block_device_mappings=[{'destination_type': 'volume',
                            'volume_id': 'v1', 'delete_on_termination': 1}])


class WholeConductor(shapes.FakeConductor):
    """Sends every field, whatever was asked."""
    asked = None

    def instance_list(self, ctxt, filters=None, limit=None, marker=None,
                      sort=None, fields=None):
        WholeConductor.asked = fields
        columns = sorted(INSTANCE)
        return row_pages.pack(columns, [[INSTANCE[c] for c in columns]])


class AskedConductor(shapes.FakeConductor):
    """Sends only the fields asked, as the real one does."""

    def instance_list(self, ctxt, filters=None, limit=None, marker=None,
                      sort=None, fields=None):
        return row_pages.pack(fields, [[INSTANCE[f] for f in fields]])


def _client(conductor):
    return falcon.testing.TestClient(api_app.create_app(conductor))


@pytest.mark.parametrize('path', ['/v2.1/servers/detail', '/v2.1/servers'])
@pytest.mark.parametrize('token', ['admin:p1', 'u1:p1'])
def test_lists_show_the_same_from_the_fields_they_ask(monkeypatch, path,
                                                      token):
    monkeypatch.setattr(servicegroup, 'service_is_up', lambda svc: True)
    whole, asked = _client(WholeConductor()), _client(AskedConductor())
    for version in shapes.VERSIONS:
        headers = {'X-Auth-Token': token,
                   'OpenStack-API-Version': 'compute ' + version}
        expected = whole.simulate_get(path, headers=headers)
        assert expected.status_code == 200, expected.text
        assert asked.simulate_get(path, headers=headers).json == \
            expected.json, version
    # The brief list asks for no more than it shows.
    assert list(WholeConductor.asked) == list(server_view.BASIC_FIELDS) or \
        path.endswith('/detail')
