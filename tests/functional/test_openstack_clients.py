"""The unmodified OpenStack clients against the running daemons.

The `openstack` CLI (as a subprocess), openstacksdk and novaclient's Python
API drive one deployment per auth mode: noauth2 with README's clouds.yaml,
and keystone with a real Keystone whose catalog `nova-manage keystone
register` filled. Every command's output is parsed and checked.
"""

import json
import os
import subprocess
import sys
import time

import openstack
from openstack import config as openstack_config
import pytest
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
import novaclient
from novaclient import client as nova_client

from tests.functional import deployment as deployment_mod
from tests.functional import keystone as keystone_mod

BIN = os.path.dirname(sys.executable)
NOAUTH_CLOUDS = '''\
clouds:
  e2e:
    auth_type: none
    auth:
      endpoint: %(api)s/v2.1
    identity_endpoint_override: %(api)s/identity
    image_endpoint_override: %(api)s/image
'''
KEYSTONE_CLOUDS = '''\
clouds:
  e2e:
    auth:
      auth_url: %(auth_url)s
      username: admin
      password: %(password)s
      project_name: admin
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
    identity_api_version: 3
'''


class Cloud:
    """A deployment plus the means to reach it with each client."""

    def __init__(self, mode, dep, clouds_file, keystone=None):
        self.mode, self.dep, self.keystone = mode, dep, keystone
        self.clouds_file = clouds_file

    def cli(self, *args, fmt='json', check=True):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith('OS_')}
        env.update(OS_CLIENT_CONFIG_FILE=str(self.clouds_file),
                   OS_CLOUD='e2e')
        extra = ['-f', fmt] if fmt else []
        result = subprocess.run([os.path.join(BIN, 'openstack')] +
                                list(args) + extra, env=env,
                                capture_output=True, text=True, timeout=180)
        if check:
            assert result.returncode == 0, (args, result.stderr)
            return json.loads(result.stdout) if fmt == 'json' else \
                result.stdout
        return result

    def sdk(self):
        region = openstack_config.OpenStackConfig(
            config_files=[str(self.clouds_file)]).get_one(cloud='e2e')
        return openstack.connection.Connection(config=region)

    def session(self):
        if self.keystone:
            return self.keystone.session()
        return ks_session.Session(auth=token_endpoint.Token(
            self.dep.api + '/v2.1', 'admin:admin'))

    def project_id(self):
        return self.keystone.project_ids['admin'] if self.keystone \
            else 'admin'


@pytest.fixture(scope='module', params=['noauth', 'keystone'])
def cloud(request, tmp_path_factory):
    state = tmp_path_factory.mktemp('clients-' + request.param)
    clouds_file = state / 'clouds.yaml'
    keystone = None
    if request.param == 'keystone':
        keystone = keystone_mod.Keystone()
        keystone.start()
        request.addfinalizer(keystone.stop)
        dep = deployment_mod.Deployment(
            'sqlite', extra_conf=keystone.authtoken_conf())
        dep.start()
        request.addfinalizer(dep.stop)
        dep.manage('keystone', 'register', '--url', dep.api + '/v2.1',
                   '--image-url', dep.api + '/image',
                   *keystone.admin_cli_args())
        clouds_file.write_text(KEYSTONE_CLOUDS % {
            'auth_url': keystone.url,
            'password': keystone_mod.ADMIN_PASSWORD})
    else:
        dep = deployment_mod.Deployment('postgresql')
        dep.start()
        request.addfinalizer(dep.stop)
        clouds_file.write_text(NOAUTH_CLOUDS % {'api': dep.api})
    yield Cloud(request.param, dep, clouds_file, keystone)


def _by(rows, key, value):
    found = [r for r in rows if r[key] == value]
    assert found, (key, value, rows)
    return found[0]


def test_flavors_images_and_a_server_by_name_and_id(cloud, tmp_path):
    flavor = cloud.cli('flavor', 'create', '--ram', '256', '--disk', '1',
                       '--vcpus', '1', 'e2e-flavor')
    assert (flavor['name'], flavor['ram'], flavor['vcpus']) == \
        ('e2e-flavor', 256, 1)
    assert cloud.cli('flavor', 'show', 'e2e-flavor')['id'] == flavor['id']
    _by(cloud.cli('flavor', 'list'), 'Name', 'e2e-flavor')

    disk = tmp_path / 'disk.qcow2'
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', str(disk),
                    '64M'], check=True)
    image = cloud.cli('image', 'create', '--file', str(disk),
                      '--disk-format', 'qcow2', '--container-format',
                      'bare', 'e2e-image')
    assert image['status'] == 'active'
    assert _by(cloud.cli('image', 'list'), 'Name', 'e2e-image')['ID'] == \
        image['id']

    server = cloud.cli('server', 'create', '--image', 'e2e-image',
                       '--flavor', 'e2e-flavor', '--nic', 'none', '--wait',
                       'e2e-vm')
    assert server['status'] == 'ACTIVE'
    listed = _by(cloud.cli('server', 'list'), 'Name', 'e2e-vm')
    assert listed['ID'] == server['id'] and listed['Status'] == 'ACTIVE'
    assert listed['Image'] == 'e2e-image'
    assert listed['Flavor'] == 'e2e-flavor'
    by_name = cloud.cli('server', 'show', 'e2e-vm')
    by_id = cloud.cli('server', 'show', server['id'])
    assert by_name['id'] == by_id['id'] == server['id']
    assert by_id['OS-EXT-SRV-ATTR:host'] in cloud.dep.compute_hosts
    cloud.cli('server', 'delete', '--wait', 'e2e-vm', fmt=None)
    assert not [s for s in cloud.cli('server', 'list')
                if s['Name'] == 'e2e-vm']
    gone = cloud.cli('server', 'show', server['id'], check=False)
    assert gone.returncode == 1 and 'No Server found' in gone.stderr

    cloud.cli('flavor', 'delete', 'e2e-flavor', fmt=None)
    assert not [f for f in cloud.cli('flavor', 'list')
                if f['Name'] == 'e2e-flavor']


def test_keypairs(cloud, tmp_path):
    pub = tmp_path / 'key'
    subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '',
                    '-f', str(pub)], check=True)
    made = cloud.cli('keypair', 'create', '--public-key',
                     str(pub) + '.pub', 'e2e-key')
    assert made['name'] == 'e2e-key' and made['type'] == 'ssh'
    listed = _by(cloud.cli('keypair', 'list'), 'Name', 'e2e-key')
    assert listed['Fingerprint'] == made['fingerprint']
    cloud.cli('keypair', 'delete', 'e2e-key', fmt=None)
    assert not [k for k in cloud.cli('keypair', 'list')
                if k['Name'] == 'e2e-key']


def test_aggregates_zones_groups_hypervisors_services(cloud):
    host = cloud.dep.compute_hosts[0]
    agg = cloud.cli('aggregate', 'create', '--zone', 'e2e-az', 'e2e-agg')
    assert agg['availability_zone'] == 'e2e-az'
    cloud.cli('aggregate', 'set', '--property', 'ssd=true', 'e2e-agg',
              fmt=None)
    added = cloud.cli('aggregate', 'add', 'host', 'e2e-agg', host)
    assert host in added['hosts']
    row = _by(cloud.cli('aggregate', 'list', '--long'), 'Name', 'e2e-agg')
    assert row['Availability Zone'] == 'e2e-az'
    assert row['Properties'] == {'ssd': 'true'}
    # --compute: there is no volume or network service to ask.
    zones = {z['Zone Name'] for z in cloud.cli('availability', 'zone',
                                                'list', '--compute')}
    assert {'e2e-az', 'nova'} <= zones

    group = cloud.cli('server', 'group', 'create', '--policy',
                      'anti-affinity', 'e2e-group')
    assert group['policy'] == 'anti-affinity'
    _by(cloud.cli('server', 'group', 'list'), 'Name', 'e2e-group')

    names = {h['Hypervisor Hostname'] for h in cloud.cli('hypervisor',
                                                          'list')}
    assert set(cloud.dep.compute_hosts) <= names

    computes = [s for s in cloud.cli('compute', 'service', 'list')
                if s['Binary'] == 'nova-compute']
    assert {s['Host'] for s in computes} == set(cloud.dep.compute_hosts)
    assert all(s['State'] == 'up' for s in computes)
    cloud.cli('compute', 'service', 'set', '--disable', '--disable-reason',
              'e2e', host, 'nova-compute', fmt=None)
    row = _by(cloud.cli('compute', 'service', 'list', '--long'),
              'Host', host)
    assert row['Status'] == 'disabled' and row['Disabled Reason'] == 'e2e'
    cloud.cli('compute', 'service', 'set', '--enable', host,
              'nova-compute', fmt=None)
    assert _by(cloud.cli('compute', 'service', 'list'), 'Host',
               host)['Status'] == 'enabled'


def test_quotas_and_limits(cloud):
    project = cloud.project_id()
    cloud.cli('quota', 'set', '--instances', '7', '--cores', '9', project,
              fmt=None)
    shown = cloud.cli('quota', 'show', '--compute', project)
    rows = shown if isinstance(shown, list) else [
        {'Resource': k, 'Limit': v} for k, v in shown.items()]
    limits = {r['Resource']: r['Limit'] for r in rows}
    assert limits['instances'] == 7 and limits['cores'] == 9
    absolute = {r['Name']: r['Value'] for r in cloud.cli(
        'limits', 'show', '--absolute')}
    assert absolute.get('maxTotalInstances', absolute.get('instances')) \
        == 7, absolute
    assert absolute.get('maxTotalCores', absolute.get('total_cores')) \
        == 9, absolute


def test_openstacksdk_boots_and_deletes(cloud):
    conn = cloud.sdk()
    flavor = conn.compute.find_flavor('m1.tiny')
    image = conn.image.find_image('test-image')
    assert image is not None and image.status == 'active'
    server = conn.compute.create_server(name='sdk-vm', flavor_id=flavor.id,
                                        image_id=image.id, networks='none')
    server = conn.compute.wait_for_server(server, wait=60)
    assert server.status == 'ACTIVE'
    assert server.flavor.original_name == 'm1.tiny'
    assert server.compute_host in cloud.dep.compute_hosts
    assert 'sdk-vm' in [s.name for s in conn.compute.servers()]
    assert {h.name for h in conn.compute.hypervisors()} >= set(
        cloud.dep.compute_hosts)
    conn.compute.delete_server(server)
    conn.compute.wait_for_delete(server, wait=60)
    assert 'sdk-vm' not in [s.name for s in conn.compute.servers()]


def test_novaclient_python_api(cloud):
    # novaclient's newest microversion: the server must serve it.
    version = novaclient.API_MAX_VERSION.get_string()
    nova = nova_client.Client(version, session=cloud.session(),
                              endpoint_override=cloud.dep.api + '/v2.1')
    flavors = {f.name: f for f in nova.flavors.list()}
    assert flavors['m1.tiny'].ram == 512
    server = nova.servers.create('nova-vm', cloud.dep.image['id'],
                                 flavors['m1.tiny'].id, nics='none')
    _poll(lambda: nova.servers.get(server.id).status in ('ACTIVE',
                                                           'ERROR'))
    found = nova.servers.get(server.id)
    assert (found.name, found.status) == ('nova-vm', 'ACTIVE')
    hosts = {h.hypervisor_hostname for h in nova.hypervisors.list()}
    assert set(cloud.dep.compute_hosts) <= hosts
    assert nova.quotas.get(cloud.project_id()).instances >= 1
    nova.servers.delete(server.id)
    _poll(lambda: server.id not in [s.id for s in nova.servers.list()])


def _poll(done, timeout=60):
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, 'timed out'
        time.sleep(0.2)


def test_novalite_reads_the_same_clouds_yaml(cloud):
    """The project's own CLI, in both auth modes, from clouds.yaml."""
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    env.update(OS_CLIENT_CONFIG_FILE=str(cloud.clouds_file), OS_CLOUD='e2e')

    def novalite(*args):
        result = subprocess.run([os.path.join(BIN, 'novalite')] +
                                list(args), env=env, capture_output=True,
                                text=True, timeout=180)
        assert result.returncode == 0, (args, result.stderr)
        return result

    made = json.loads(novalite('server', 'create', '--image', 'test-image',
                               '--flavor', 'm1.tiny', '--wait', '-f',
                               'json', 'cli-vm').stdout)
    assert made['status'] == 'ACTIVE'
    listed = json.loads(novalite('server', 'list', '-f', 'json').stdout)
    assert _by(listed, 'Name', 'cli-vm')['ID'] == made['id']
    novalite('server', 'delete', '--wait', 'cli-vm')
    listed = json.loads(novalite('server', 'list', '-f', 'json').stdout)
    assert 'cli-vm' not in [s['Name'] for s in listed]


def test_what_tempest_asks_of_flavors_images_and_paths(cloud, tmp_path):
    """Calls Tempest's compute tests make, through openstacksdk's compute
    adapter (the caller's token in keystone mode): a numeric flavor id and
    is_public as a word, image metadata and image delete, paged image
    lists, /extensions, /v2/, and a path no route serves."""
    conn = cloud.sdk()
    compute = conn.compute
    made = compute.post('/flavors', json={'flavor': {
        'name': 'tempest-like', 'id': 1244404975, 'ram': 256, 'vcpus': 1,
        'disk': 1, 'os-flavor-access:is_public': 'False'}})
    assert made.status_code == 200, made.text
    flavor = made.json()['flavor']
    assert flavor['id'] == '1244404975'
    assert flavor['os-flavor-access:is_public'] is False
    assert compute.delete('/flavors/1244404975').status_code == 202

    disk = tmp_path / 'disk.raw'
    disk.write_bytes(b'*' * 1024)
    image = cloud.cli('image', 'create', '--file', str(disk),
                      '--disk-format', 'raw', '--container-format', 'bare',
                      '--private', 'meta-image')
    # The CLI sets owner_specified.openstack.* properties of its own.
    before = compute.fetch_image_metadata(image['id']).metadata
    compute.set_image_metadata(image['id'], os_version='value1',
                               os_distro='value2')
    assert compute.fetch_image_metadata(image['id']).metadata == dict(
        before, os_version='value1', os_distro='value2')
    replaced = compute.put('/images/%s/metadata' % image['id'], json={
        'metadata': {'architecture': 'x86_64'}})
    assert replaced.json() == {'metadata': {'architecture': 'x86_64'}}
    compute.delete_image_metadata(image['id'], keys=['architecture'])
    assert compute.fetch_image_metadata(image['id']).metadata == {}
    # The image service itself sees what the Compute API changed.
    assert cloud.cli('image', 'show', image['id'])['properties'].get(
        'architecture') is None

    first = compute.get('/images?limit=1').json()
    assert len(first['images']) == 1
    [link] = first['images_links']
    assert link['rel'] == 'next' and 'marker=' in link['href']

    assert compute.delete('/images/%s' % image['id']).status_code == 204
    assert compute.get('/images/%s' % image['id']).status_code == 404
    assert compute.delete('/images/%s' % image['id']).status_code == 404

    names = {e['name'] for e in compute.get('/extensions').json()[
        'extensions']}
    assert 'Hosts' in names
    assert compute.get('/extensions/os-consoles').json()['extension'][
        'alias'] == 'os-consoles'
    unknown = compute.get('/os-no-such-api/default')
    assert unknown.status_code == 404
    assert unknown.json()['itemNotFound']['code'] == 404

    import requests
    v2 = requests.get(cloud.dep.api + '/v2/', timeout=30)
    assert v2.status_code == 200
    assert v2.json()['version']['id'] == 'v2.0'


def test_server_image_backup_and_shelve(cloud):
    """createImage, createBackup and shelving through `openstack`: the
    compute uploads with the caller's token (Keystone's, in that mode)."""
    server = cloud.cli('server', 'create', '--image',
                       cloud.dep.image['id'], '--flavor', 'm1.tiny',
                       '--nic', 'none', '--wait', 'e2e-snap')
    image = cloud.cli('server', 'image', 'create', '--name', 'e2e-snap-img',
                      '--wait', 'e2e-snap')
    assert (image['name'], image['status']) == ('e2e-snap-img', 'active')
    props = cloud.cli('image', 'show', image['id'])['properties']
    assert (props['image_type'], props['instance_uuid']) == (
        'snapshot', server['id'])
    backup = cloud.cli('server', 'backup', 'create', '--name', 'e2e-bk',
                       '--type', 'daily', '--rotate', '1', '--wait',
                       'e2e-snap')
    # It prints the image as found before its wait (queued); once the
    # wait is over the image is active.
    assert backup['name'] == 'e2e-bk'
    shown = cloud.cli('image', 'show', backup['id'])
    assert (shown['status'], shown['properties']['backup_type']) == (
        'active', 'daily')
    cloud.cli('server', 'shelve', '--offload', '--wait', 'e2e-snap',
              fmt=None)
    shown = cloud.cli('server', 'show', 'e2e-snap')
    assert (shown['status'], shown['OS-EXT-SRV-ATTR:host']) == (
        'SHELVED_OFFLOADED', None)
    cloud.cli('server', 'unshelve', '--wait', 'e2e-snap', fmt=None)
    assert cloud.cli('server', 'show', 'e2e-snap')['status'] == 'ACTIVE'
    cloud.cli('server', 'delete', '--wait', 'e2e-snap', fmt=None)
    for made in (image, backup):
        cloud.cli('image', 'delete', made['id'], fmt=None)


def test_console_urls(cloud):
    """`openstack console url show` at 2.6+ (remote-consoles) and at 2.1
    (the old actions), docs/consoles.md."""
    cloud.cli('server', 'create', '--image', cloud.dep.image['id'],
              '--flavor', 'm1.tiny', '--nic', 'none', '--wait',
              'e2e-console')
    serial = cloud.cli('console', 'url', 'show', '--serial', 'e2e-console')
    assert serial['protocol'] == 'serial' and serial['type'] == 'serial'
    assert '/?token=' in serial['url']
    novnc = cloud.cli('console', 'url', 'show', '--novnc', 'e2e-console')
    assert '/vnc_auto.html?path=%3Ftoken%3D' in novnc['url']
    old = cloud.cli('--os-compute-api-version', '2.1', 'console', 'url',
                    'show', '--serial', 'e2e-console')
    assert old['type'] == 'serial' and 'protocol' not in old
    assert old['url'] != serial['url']
    cloud.cli('server', 'delete', '--wait', 'e2e-console', fmt=None)
