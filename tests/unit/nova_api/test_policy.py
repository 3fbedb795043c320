"""Policy: the default rules, the noauth roles, and policy.yaml overrides."""

import os
import pathlib
import re
import textwrap

import falcon.testing
import pytest

from common import context
from common import exception
from common.conf import CONF
from nova_api import app as api_app
from nova_api import policies
from nova_api import policy
from tests.unit.nova_api import list_pages

ROOT = pathlib.Path(__file__).resolve().parents[3]
IMAGE_ID = '6e0f6f53-1c5a-4a5b-9c1e-3b0f0f6d2c11'
FLAVOR = {'flavorid': '1', 'name': 'm1.tiny', 'vcpus': 1, 'memory_mb': 512,
          'root_gb': 1, 'ephemeral_gb': 0, 'swap': 0, 'rxtx_factor': 1.0,
          'is_public': True, 'disabled': False, 'extra_specs': {}}
INSTANCE = {'uuid': '0b0c7a4e-8d3f-4f43-a3a9-7d6f1c1b2a10',
            'display_name': 'vm', 'project_id': 'p2', 'user_id': 'bob',
            'vm_state': 'active', 'task_state': None, 'power_state': 1,
            'flavor': FLAVOR, 'image_ref': IMAGE_ID, 'host': 'h1',
            'node': 'h1', 'created_at': None, 'updated_at': None}


class FakeConductor:
    """Just enough conductor for a server create, show, delete and list."""

    def __init__(self):
        self.deleted = []

    def flavor_get_all(self, ctxt, *args, **kwargs):
        return [FLAVOR]

    def flavor_get(self, ctxt, flavorid, *args, **kwargs):
        if flavorid != '1':
            raise exception.FlavorNotFound(flavor_id=flavorid)
        return FLAVOR

    def image_get(self, ctxt, image_id):
        return {'id': image_id, 'status': 'active', 'properties': {},
                'min_disk': 0, 'min_ram': 0, 'owner': None,
                'visibility': 'public'}

    def create_instances(self, ctxt, instances, request_spec, *args,
                         **kwargs):
        return instances

    def instance_get(self, ctxt, uuid, *args, **kwargs):
        if uuid != INSTANCE['uuid']:
            raise exception.InstanceNotFound(instance_id=uuid)
        return INSTANCE

    def instance_get_all(self, ctxt, filters, *args, **kwargs):
        return [INSTANCE] if filters.get('project_id') in (
            None, INSTANCE['project_id']) else []

    def instance_list(self, ctxt, filters, *args, fields=(), **kwargs):
        return list_pages.page_of(self.instance_get_all(ctxt, filters),
                                  fields)

    def delete_instance(self, ctxt, uuid, *args, **kwargs):
        self.deleted.append(uuid)


@pytest.fixture
def client():
    policy.reset()
    yield falcon.testing.TestClient(api_app.create_app(FakeConductor()))
    policy.reset()


def _as(token):
    return {'X-Auth-Token': token}


def _boot(client, token):
    return client.simulate_post('/v2.1/servers', headers=_as(token), json={
        'server': {'name': 'vm', 'flavorRef': '1', 'imageRef': IMAGE_ID}})


def _forbidden(resp, rule):
    assert resp.status_code == 403, resp.text
    assert resp.json == {'forbidden': {
        'code': 403,
        'message': 'Policy doesn\'t allow %s to be performed.' % rule}}


def _ctxt(project='p1', user='alice', roles=('reader', 'member')):
    return context.RequestContext(user_id=user, project_id=project,
                                  roles=list(roles))


# -- the rules themselves ----------------------------------------------------

def test_every_rule_named_in_the_api_is_registered():
    registered = {rule.name for rule in policies.list_rules()}
    named = set()
    for path in (ROOT / 'nova_api').rglob('*.py'):
        if 'policies' in path.parts:
            continue
        named.update(re.findall(r"'(os_compute_api:[a-z_:-]*[a-z])'",
                                path.read_text()))
    assert len(named) > 30
    assert named - registered == set()


def test_rules_are_unique_documented_and_project_scoped():
    rules = policies.list_rules()
    names = [rule.name for rule in rules]
    assert len(names) == len(set(names))
    for rule in rules:
        if rule.name.startswith('os_compute_api:'):
            assert rule.operations and rule.description, rule.name
            assert rule.scope_types == ['project'], rule.name


@pytest.mark.parametrize('rule, target, creds, expected', [
    # admin: anything, in any project
    ('os_compute_api:servers:delete', {'project_id': 'p2'},
     _ctxt('admin', 'admin', ['admin']), True),
    ('os_compute_api:os-aggregates:create', None,
     _ctxt('admin', 'admin', ['admin']), True),
    # project member: changes its own project's servers only
    ('os_compute_api:servers:delete', {'project_id': 'p1'}, _ctxt(), True),
    ('os_compute_api:servers:delete', {'project_id': 'p2'}, _ctxt(), False),
    ('os_compute_api:os-aggregates:create', None, _ctxt(), False),
    # project reader: looks, never changes
    ('os_compute_api:servers:show', {'project_id': 'p1'},
     _ctxt(roles=['reader']), True),
    ('os_compute_api:servers:create', None, _ctxt(roles=['reader']), False),
    ('os_compute_api:servers:stop', {'project_id': 'p1'},
     _ctxt(roles=['reader']), False),
    ('os_compute_api:os-quota-sets:show', {'project_id': 'p1'},
     _ctxt(roles=['reader']), True),
    ('os_compute_api:os-quota-sets:show', {'project_id': 'p2'},
     _ctxt(roles=['reader']), False),
    # no role at all: only the open rules and the user's own key pairs
    ('os_compute_api:servers:index', None, _ctxt(roles=[]), False),
    ('os_compute_api:flavors', None, _ctxt(roles=[]), True),
    ('os_compute_api:os-keypairs:show', {'user_id': 'alice'},
     _ctxt(roles=[]), True),
    ('os_compute_api:os-keypairs:show', {'user_id': 'bob'},
     _ctxt(roles=[]), False),
])
def test_default_rules(rule, target, creds, expected):
    policy.reset()
    assert policy.allowed(creds, rule, target) is expected


def test_sample_policy_file_is_up_to_date(tmp_path):
    import subprocess
    import sys
    out = tmp_path / 'policy.yaml.sample'
    generator = pathlib.Path(sys.executable).parent / \
        'oslopolicy-sample-generator'
    subprocess.run([str(generator), '--config-file',
                    str(ROOT / 'etc/nova-policy-generator.conf'),
                    '--output-file', str(out)], check=True, cwd=ROOT,
                   capture_output=True)
    assert out.read_text() == (ROOT / 'etc/policy.yaml.sample').read_text(), \
        'run `make sample-policy` and commit etc/policy.yaml.sample'


# -- through the API ---------------------------------------------------------

def test_noauth_token_names_roles(client):
    # "user:project" alone: reader and member, so a create is allowed.
    assert _boot(client, 'alice:p1').status_code == 202
    _forbidden(_boot(client, 'rita:p1:reader'),
               'os_compute_api:servers:create')
    assert client.simulate_get('/v2.1/servers', headers=_as(
        'rita:p1:reader')).status_code == 200
    _forbidden(client.simulate_get('/v2.1/servers', headers=_as(
        'nobody:p1:other-role')), 'os_compute_api:servers:index')


def test_another_projects_server_is_404_and_a_reader_may_not_delete(client):
    url = '/v2.1/servers/%s' % INSTANCE['uuid']
    resp = client.simulate_delete(url, headers=_as('alice:p1'))
    assert resp.status_code == 404
    assert resp.json['itemNotFound']['message'] == \
        'Instance %s could not be found.' % INSTANCE['uuid']
    _forbidden(client.simulate_delete(url, headers=_as('rita:p2:reader')),
               'os_compute_api:servers:delete')
    assert client.simulate_get(url, headers=_as(
        'rita:p2:reader')).status_code == 200
    assert client.simulate_delete(url, headers=_as(
        'bob:p2:member')).status_code == 204


def test_only_admins_list_every_project(client):
    _forbidden(client.simulate_get('/v2.1/servers/detail?all_tenants=1',
                                   headers=_as('bob:p2')),
               'os_compute_api:servers:detail:get_all_tenants')
    everyone = client.simulate_get('/v2.1/servers?all_tenants=1',
                                   headers=_as('admin:admin'))
    assert [s['id'] for s in everyone.json['servers']] == [INSTANCE['uuid']]
    own = client.simulate_get('/v2.1/servers', headers=_as('admin:admin'))
    assert own.json['servers'] == []


def test_extended_attributes_follow_their_rule(client):
    url = '/v2.1/servers/%s' % INSTANCE['uuid']
    admin = client.simulate_get(url, headers=_as('admin:admin')).json
    assert admin['server']['OS-EXT-SRV-ATTR:host'] == 'h1'
    owner = client.simulate_get(url, headers=_as('bob:p2')).json
    assert 'OS-EXT-SRV-ATTR:host' not in owner['server']


@pytest.fixture
def policy_file(tmp_path):
    """A nova.conf whose directory holds policy.yaml; CONF parsed from it,
    as a daemon would, and unparsed again afterwards."""
    path = tmp_path / 'policy.yaml'
    path.write_text('{}\n')
    conf = tmp_path / 'nova.conf'
    conf.write_text('[oslo_policy]\npolicy_file = policy.yaml\n')
    CONF(['--config-file', str(conf)], project='nova',
         default_config_files=[])
    policy.reset()
    yield path
    CONF.clear()
    policy.reset()


def _rewrite(path, text, bump):
    path.write_text(textwrap.dedent(text))
    # The Enforcer re-reads the file when its mtime changes.
    stamp = os.stat(path).st_mtime + bump
    os.utime(path, (stamp, stamp))


def test_policy_yaml_overrides_defaults_and_is_reread(client, policy_file):
    assert client.simulate_get('/v2.1/flavors', headers=_as(
        'alice:p1')).status_code == 200
    _forbidden(_boot(client, 'rita:p1:reader'),
               'os_compute_api:servers:create')

    _rewrite(policy_file, '''\
        "os_compute_api:flavors": "role:admin"
        "os_compute_api:servers:create": "rule:project_reader_or_admin"
        ''', bump=10)
    _forbidden(client.simulate_get('/v2.1/flavors', headers=_as('alice:p1')),
               'os_compute_api:flavors')
    assert client.simulate_get('/v2.1/flavors', headers=_as(
        'admin:admin')).status_code == 200
    assert _boot(client, 'rita:p1:reader').status_code == 202

    _rewrite(policy_file, '{}\n', bump=20)
    assert client.simulate_get('/v2.1/flavors', headers=_as(
        'alice:p1')).status_code == 200
    _forbidden(_boot(client, 'rita:p1:reader'),
               'os_compute_api:servers:create')
