"""GET /extensions and /extensions/{alias}: Nova's legacy extension list."""

import falcon.testing
import jsonschema
import pytest

from nova_api import app as api_app
from tests.unit.nova_api.test_app import FakeConductor

RECORD = {
    'type': 'object',
    'properties': {
        'alias': {'type': 'string', 'minLength': 1},
        'name': {'type': 'string', 'minLength': 1},
        'description': {'type': 'string'},
        'namespace': {'type': 'string', 'pattern': '^https?://'},
        'updated': {'type': 'string',
                    'pattern': r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$'},
        'links': {'type': 'array', 'maxItems': 0},
    },
    'required': ['alias', 'name', 'description', 'namespace', 'updated',
                 'links'],
    'additionalProperties': False,
}
MEMBER = {'X-Auth-Token': 'alice:proj-a:member,reader'}


@pytest.fixture
def client():
    return falcon.testing.TestClient(api_app.create_app(FakeConductor()))


@pytest.mark.parametrize('version', ['2.1', '2.100'])
def test_the_list_holds_every_record_sorted_by_alias(client, version):
    resp = client.simulate_get('/v2.1/extensions', headers=dict(
        MEMBER, **{'OpenStack-API-Version': 'compute %s' % version}))
    assert resp.status_code == 200
    assert list(resp.json) == ['extensions']
    records = resp.json['extensions']
    for record in records:
        jsonschema.validate(record, RECORD)
    aliases = [r['alias'] for r in records]
    assert aliases == sorted(set(aliases))
    names = {r['name'] for r in records}
    assert {'Hosts', 'Consoles', 'Quotas', 'FlavorManage'} <= names
    assert {'os-hosts', 'os-consoles', 'os-simple-tenant-usage',
            'os-instance_usage_audit_log', 'os-migrations',
            'os-server-external-events', 'os-networks',
            'os-quota-class-sets'} <= set(aliases)


def test_one_record_by_alias(client):
    resp = client.simulate_get('/v2.1/extensions/os-consoles',
                               headers=MEMBER)
    assert resp.status_code == 200
    assert resp.json['extension']['alias'] == 'os-consoles'
    assert resp.json['extension']['name'] == 'Consoles'
    jsonschema.validate(resp.json['extension'], RECORD)
    # Behind a project id in the path too.
    assert client.simulate_get('/v2.1/proj-a/extensions/os-hosts',
                               headers=MEMBER).status_code == 200


@pytest.mark.parametrize('alias', ['os-nothing', 'OS-CONSOLES', 'servers'])
def test_an_unknown_alias_is_404(client, alias):
    resp = client.simulate_get('/v2.1/extensions/%s' % alias,
                               headers=MEMBER)
    assert resp.status_code == 404
    assert resp.json == {'itemNotFound': {
        'code': 404, 'message': 'The resource could not be found.'}}
