"""Volumes over the daemons, on the real Cinder and Ceph: boot from a new
volume and from an existing one, attach and detach a data volume,
delete_on_termination both ways, and the error answers.

The deployment's nova-api is the Glance Cinder reads images from (the
fixture's glance_port), so volumes made from images hold our image.
"""

import json
import os
import subprocess
import sys
import time

import pytest
import requests

from tests.functional import block_storage

VERSION = {'X-OpenStack-Nova-API-Version': '2.79'}
BIN = os.path.dirname(sys.executable)


@pytest.fixture(scope='module')
def cloud(ceph_cinder):
    dep = block_storage.deployment_on(ceph_cinder.cinder)
    dep.start()
    yield dep
    dep.stop()


class Volumes:
    """Cinder as the deployment's callers see it (the same noauth user
    and project)."""

    def __init__(self, cinder):
        self.root = cinder.url
        self.url = cinder.endpoint
        self.project_id = cinder.project_id
        self.headers = {'X-Auth-Token': 'admin:%s' % cinder.project_id,
                        'OpenStack-API-Version': 'volume 3.44'}

    def request(self, method, path, **kwargs):
        return requests.request(method, self.url + path,
                                headers=self.headers, timeout=30, **kwargs)

    def get(self, volume_id):
        resp = self.request('GET', '/volumes/%s' % volume_id)
        return resp.json()['volume'] if resp.status_code == 200 else None

    def create(self, size=1, image_id=None, name='test'):
        body = {'size': size, 'name': name}
        if image_id:
            body['imageRef'] = image_id
        resp = self.request('POST', '/volumes', json={'volume': body})
        assert resp.status_code == 202, resp.text
        return self.wait(resp.json()['volume']['id'], 'available')

    def wait(self, volume_id, status, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            volume = self.get(volume_id)
            if (volume or {}).get('status') == status or \
                    (volume is None and status is None):
                return volume
            assert (volume or {}).get('status') not in ('error',), volume
            time.sleep(0.1)
        raise AssertionError('volume %s not %s: %s' % (volume_id, status,
                                                       volume))


@pytest.fixture(scope='module')
def volumes(ceph_cinder):
    return Volumes(ceph_cinder.cinder)


def _attachments(cloud, server_id):
    resp = cloud.request('GET', '/v2.1/servers/%s/os-volume_attachments'
                         % server_id, headers=VERSION)
    assert resp.status_code == 200, resp.text
    return resp.json()['volumeAttachments']


def _delete(cloud, server_id):
    resp = cloud.request('DELETE', '/v2.1/servers/%s' % server_id)
    assert resp.status_code == 204, resp.text
    cloud.wait_gone(server_id, timeout=60)


def test_boot_from_a_new_volume_made_from_the_image(cloud, volumes,
                                                    ceph_cinder):
    server = cloud.boot(
        'bfv', imageRef='', show_headers=VERSION,
        block_device_mapping_v2=[{
            'source_type': 'image', 'destination_type': 'volume',
            'uuid': cloud.image['id'], 'boot_index': 0, 'volume_size': 1,
            'delete_on_termination': True}])
    assert server['image'] == ''
    [attached] = server['os-extended-volumes:volumes_attached']
    assert attached['delete_on_termination'] is True
    volume = volumes.get(attached['id'])
    assert volume['status'] == 'in-use'
    assert volume['bootable'] == 'true'
    assert volume['volume_image_metadata']['image_id'] == cloud.image['id']
    assert [a['server_id'] for a in volume['attachments']] == [server['id']]
    assert 'volume-%s' % volume['id'] in ceph_cinder.ceph.rbd_images(
        'volumes')
    [att] = _attachments(cloud, server['id'])
    assert att['device'] == '/dev/vda'
    assert att['volumeId'] == volume['id']
    assert att['delete_on_termination'] is True

    _delete(cloud, server['id'])
    volumes.wait(volume['id'], None)


def test_boot_from_an_existing_volume_attach_and_detach_a_data_volume(
        cloud, volumes):
    boot = volumes.create(image_id=cloud.image['id'], name='boot')
    data = volumes.create(name='data')
    server = cloud.boot(
        'from-volume', imageRef='', show_headers=VERSION,
        block_device_mapping_v2=[{
            'source_type': 'volume', 'destination_type': 'volume',
            'uuid': boot['id'], 'boot_index': 0}])
    assert server['os-extended-volumes:volumes_attached'] == [
        {'id': boot['id'], 'delete_on_termination': False}]
    assert volumes.get(boot['id'])['status'] == 'in-use'

    resp = cloud.request(
        'POST', '/v2.1/servers/%s/os-volume_attachments' % server['id'],
        headers=VERSION, json={'volumeAttachment': {
            'volumeId': data['id'], 'tag': 'data',
            'delete_on_termination': False}})
    assert resp.status_code == 200, resp.text
    att = resp.json()['volumeAttachment']
    assert att == {'id': data['id'], 'serverId': server['id'],
                   'volumeId': data['id'], 'device': '/dev/vdb',
                   'tag': 'data', 'delete_on_termination': False}
    assert volumes.get(data['id'])['status'] == 'in-use'
    assert [a['volumeId'] for a in _attachments(cloud, server['id'])] == [
        boot['id'], data['id']]
    shown = cloud.request('GET', '/v2.1/servers/%s' % server['id'],
                          headers=VERSION).json()['server']
    assert [v['id'] for v in shown['os-extended-volumes:volumes_attached']] \
        == [boot['id'], data['id']]

    # The same volume twice, a root volume detached: refused.
    again = cloud.request(
        'POST', '/v2.1/servers/%s/os-volume_attachments' % server['id'],
        json={'volumeAttachment': {'volumeId': data['id']}})
    assert again.status_code == 400, again.text
    assert 'in-use' in again.json()['badRequest']['message']
    root = cloud.request('DELETE', '/v2.1/servers/%s/os-volume_attachments/%s'
                         % (server['id'], boot['id']))
    assert root.status_code == 400, root.text
    assert 'root device' in root.json()['badRequest']['message']

    resp = cloud.request('DELETE', '/v2.1/servers/%s/os-volume_attachments/%s'
                         % (server['id'], data['id']))
    assert resp.status_code == 202, resp.text
    volumes.wait(data['id'], 'available')
    assert [a['volumeId'] for a in _attachments(cloud, server['id'])] == [
        boot['id']]
    gone = cloud.request('GET', '/v2.1/servers/%s/os-volume_attachments/%s'
                         % (server['id'], data['id']))
    assert gone.status_code == 404, gone.text

    # Not delete_on_termination: the boot volume outlives the server.
    _delete(cloud, server['id'])
    volume = volumes.wait(boot['id'], 'available')
    assert volume['attachments'] == []
    for volume_id in (boot['id'], data['id']):
        assert volumes.request('DELETE', '/volumes/%s'
                               % volume_id).status_code == 202


def test_a_data_volume_deleted_with_its_server(cloud, volumes):
    server = cloud.boot('with-data')
    data = volumes.create(name='scratch')
    path = '/v2.1/servers/%s/os-volume_attachments' % server['id']
    resp = cloud.request('POST', path, headers=VERSION, json={
        'volumeAttachment': {'volumeId': data['id']}})
    assert resp.status_code == 200, resp.text
    assert resp.json()['volumeAttachment']['device'] == '/dev/vdb'
    assert resp.json()['volumeAttachment']['delete_on_termination'] is False
    # 2.85: delete_on_termination changed; another volume (a swap) not.
    v285 = {'X-OpenStack-Nova-API-Version': '2.85'}
    swap = cloud.request('PUT', '%s/%s' % (path, data['id']), headers=v285,
                         json={'volumeAttachment': {
                             'volumeId': server['id']}})
    assert swap.status_code == 400, swap.text
    assert 'Swapping' in swap.json()['badRequest']['message']
    resp = cloud.request('PUT', '%s/%s' % (path, data['id']), headers=v285,
                         json={'volumeAttachment': {
                             'volumeId': data['id'],
                             'delete_on_termination': True}})
    assert resp.status_code == 204, resp.text
    shown = cloud.request('GET', '%s/%s' % (path, data['id']), headers=v285)
    assert shown.json()['volumeAttachment']['delete_on_termination'] is True
    _delete(cloud, server['id'])
    volumes.wait(data['id'], None)


def _create(cloud, **server):
    body = {'name': 'bad', 'flavorRef': '1', 'networks': 'auto'}
    body.update(server)
    return cloud.request('POST', '/v2.1/servers', json={'server': body})


def test_what_cinder_cannot_give_is_refused_before_anything_is_made(
        cloud, volumes):
    missing = _create(cloud, imageRef='', block_device_mapping_v2=[{
        'source_type': 'volume', 'destination_type': 'volume',
        'uuid': '9d5fa1a2-2fb4-4b57-8e0b-2b7c8f4a2d10', 'boot_index': 0}])
    assert missing.status_code == 400, missing.text
    assert 'failed to get volume' in missing.json()['badRequest']['message']

    blank = volumes.create(name='blank')
    twice = _create(cloud, imageRef='', min_count=2,
                    block_device_mapping_v2=[{
                        'source_type': 'volume',
                        'destination_type': 'volume',
                        'uuid': blank['id'], 'boot_index': 0}])
    assert twice.status_code == 400, twice.text
    assert 'multiple instances' in twice.json()['badRequest']['message']

    no_boot = _create(cloud, block_device_mapping_v2=[{
        'source_type': 'blank', 'destination_type': 'volume',
        'volume_size': 1}])
    assert no_boot.status_code == 400, no_boot.text
    assert 'no boot device' in no_boot.json()['badRequest']['message']

    server = cloud.boot('attach-errors')
    unknown = cloud.request(
        'POST', '/v2.1/servers/%s/os-volume_attachments' % server['id'],
        json={'volumeAttachment': {
            'volumeId': '9d5fa1a2-2fb4-4b57-8e0b-2b7c8f4a2d10'}})
    assert unknown.status_code == 404, unknown.text
    bad = cloud.request(
        'POST', '/v2.1/servers/%s/os-volume_attachments' % server['id'],
        json={'volumeAttachment': {'volumeId': 'not-a-uuid'}})
    assert bad.status_code == 400, bad.text
    _delete(cloud, server['id'])
    assert volumes.request('DELETE', '/volumes/%s'
                           % blank['id']).status_code == 202



def test_a_volume_over_cinders_quota_fails_the_build_with_its_reason(
        cloud, volumes):
    quota = '/os-quota-sets/%s' % volumes.project_id
    resp = volumes.request('PUT', quota, json={'quota_set': {'volumes': 0}})
    assert resp.status_code == 200, resp.text
    try:
        server = cloud.boot(
            'over-quota', status='ERROR', imageRef='',
            block_device_mapping_v2=[{
                'source_type': 'image', 'destination_type': 'volume',
                'uuid': cloud.image['id'], 'boot_index': 0,
                'volume_size': 1, 'delete_on_termination': True}])
    finally:
        volumes.request('PUT', quota, json={'quota_set': {'volumes': -1}})
    assert 'VolumeLimitExceeded' in server['fault']['message'] or \
        'quota' in server['fault']['message'], server['fault']
    assert 'Traceback' not in server['fault']['message']
    _delete(cloud, server['id'])


CLI_CLOUDS = '''\
clouds:
  volumes:
    auth_type: admin_token
    auth:
      token: %(token)s
      endpoint: %(api)s/v2.1
    compute_endpoint_override: %(api)s/v2.1
    image_endpoint_override: %(api)s/image
    identity_endpoint_override: %(api)s/identity
    volume_endpoint_override: %(volume)s
    block_storage_endpoint_override: %(volume)s
    volume_api_version: '3'
'''


@pytest.fixture(scope='module')
def openstack(cloud, volumes, tmp_path_factory):
    """The unmodified `openstack` CLI on this cloud and its Cinder."""
    clouds = tmp_path_factory.mktemp('cli') / 'clouds.yaml'
    # Cinder's root: the CLI finds v3 there, whose URLs need no project
    # id (3.67), the token naming it.
    clouds.write_text(CLI_CLOUDS % {'token': cloud.token, 'api': cloud.api,
                                    'volume': volumes.root})
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    env.update(OS_CLIENT_CONFIG_FILE=str(clouds), OS_CLOUD='volumes')

    def run(*args, json_out=True):
        argv = [os.path.join(BIN, 'openstack')] + list(args)
        if json_out:
            argv += ['-f', 'json']
        done = subprocess.run(argv, env=env, capture_output=True, text=True,
                              timeout=180)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if json_out else done.stdout
    return run


def test_the_openstack_cli_boots_from_volumes_and_attaches(cloud, volumes,
                                                           openstack):
    made = openstack('volume', 'create', '--image', cloud.image['id'],
                     '--size', '1', 'cli-boot')
    volumes.wait(made['id'], 'available')
    server = openstack('server', 'create', '--flavor', '1', '--volume',
                       made['id'], '--nic', 'none', '--wait', 'cli-vol')
    assert server['status'] == 'ACTIVE', server
    assert volumes.get(made['id'])['status'] == 'in-use'

    data = openstack('volume', 'create', '--size', '1', 'cli-data')
    volumes.wait(data['id'], 'available')
    openstack('server', 'add', 'volume', server['id'], data['id'],
              json_out=False)
    assert volumes.get(data['id'])['status'] == 'in-use'
    listed = openstack('server', 'volume', 'list', server['id'])
    assert sorted(v['Volume ID'] for v in listed) == sorted(
        [made['id'], data['id']])
    openstack('server', 'remove', 'volume', server['id'], data['id'],
              json_out=False)
    volumes.wait(data['id'], 'available')

    bfv = openstack('server', 'create', '--flavor', '1', '--image',
                    cloud.image['id'], '--boot-from-volume', '1',
                    '--nic', 'none', '--wait', 'cli-bfv')
    assert bfv['status'] == 'ACTIVE', bfv
    shown = cloud.request('GET', '/v2.1/servers/%s' % bfv['id'],
                          headers=VERSION).json()['server']
    [root] = shown['os-extended-volumes:volumes_attached']
    assert volumes.get(root['id'])['bootable'] == 'true'

    for server_id in (server['id'], bfv['id']):
        openstack('server', 'delete', '--wait', server_id, json_out=False)
    # Not delete_on_termination (the CLI's default): left available.
    for volume_id in (made['id'], data['id'], root['id']):
        volumes.wait(volume_id, 'available')
        # Not the CLI's `volume delete`: its SDK path asks noauth Cinder
        # for version discovery at /v3/, which Cinder answers only with
        # a token it can check.
        assert volumes.request('DELETE', '/volumes/%s'
                               % volume_id).status_code == 202


def _kill_while_reserved(cloud, volumes, host, volume_id):
    """Kill -9 compute `host` once the volume is reserved or attaching
    (its attachment made, not completed); whether it was caught so."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status = (volumes.get(volume_id) or {}).get('status')
        if status in ('reserved', 'attaching'):
            cloud.kill(host)
            return True
        if status == 'in-use':
            return False
        time.sleep(0.005)
    raise AssertionError('volume %s never reserved' % volume_id)


def test_a_compute_killed_mid_attachment_converges_on_restart(cloud,
                                                              volumes):
    """Killed between attachment create and complete, the compute
    restarted finishes the build from what was recorded: one
    attachment, to its host, and the server ACTIVE."""
    host = cloud.compute_hosts[0]
    for _ in range(3):
        boot = volumes.create(image_id=cloud.image['id'], name='kill')
        resp = cloud.request('POST', '/v2.1/servers', json={'server': {
            'name': 'killed', 'flavorRef': '1', 'imageRef': '',
            'networks': 'auto', 'availability_zone': 'nova:%s' % host,
            'block_device_mapping_v2': [{
                'source_type': 'volume', 'destination_type': 'volume',
                'uuid': boot['id'], 'boot_index': 0,
                'delete_on_termination': True}]}})
        assert resp.status_code == 202, resp.text
        server_id = resp.json()['server']['id']
        caught = _kill_while_reserved(cloud, volumes, host, boot['id'])
        if caught:
            break
        cloud.wait_for_server(server_id)
        _delete(cloud, server_id)
    assert caught, 'the attach was never caught half way in 3 tries'
    cloud.restart(host)
    server = cloud.wait_for_server(server_id, timeout=60)
    assert server['status'] == 'ACTIVE', server.get('fault')
    volume = volumes.get(boot['id'])
    assert volume['status'] == 'in-use'
    assert [(a['server_id'], a['host_name'])
            for a in volume['attachments']] == [(server_id, host)]
    _delete(cloud, server_id)
    volumes.wait(boot['id'], None)



def test_a_server_of_a_dead_host_is_deleted_with_its_volumes_detached(
        cloud, volumes):
    """The conductor finishes the delete (the host is down) and does the
    compute's part with Cinder."""
    host = cloud.compute_hosts[1]
    boot = volumes.create(image_id=cloud.image['id'], name='orphan')
    server = cloud.boot(
        'orphan', imageRef='', availability_zone='nova:%s' % host,
        block_device_mapping_v2=[{
            'source_type': 'volume', 'destination_type': 'volume',
            'uuid': boot['id'], 'boot_index': 0,
            'delete_on_termination': False}])
    cloud.kill(host)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        services = cloud.request('GET', '/v2.1/os-services?host=%s'
                                 % host).json()['services']
        if services and services[0]['state'] == 'down':
            break
        time.sleep(0.5)
    _delete(cloud, server['id'])
    volume = volumes.wait(boot['id'], 'available')
    assert volume['attachments'] == []
    cloud.restart(host)
    assert volumes.request('DELETE', '/volumes/%s'
                           % boot['id']).status_code == 202


def _qemu_io(ceph, image, command):
    """A qemu-io command on RBD image `image` (pool/name), as client.admin:
    the data as a guest's QEMU reads and writes it."""
    done = subprocess.run(
        ['qemu-io', '-f', 'raw', '-c', command,
         'rbd:%s:conf=%s' % (image, ceph.conf)],
        capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_evacuate_keeps_the_boot_volume_and_its_data(cloud, volumes,
                                                     ceph_cinder):
    """Last here: it kills a compute (started again at the end)."""
    source, target = cloud.compute_hosts
    server = cloud.boot(
        'evacuee', imageRef='', show_headers=VERSION,
        availability_zone='nova:%s' % source,
        block_device_mapping_v2=[{
            'source_type': 'image', 'destination_type': 'volume',
            'uuid': cloud.image['id'], 'boot_index': 0, 'volume_size': 1,
            'delete_on_termination': True}])
    [attached] = server['os-extended-volumes:volumes_attached']
    image = '%s/volume-%s' % (ceph_cinder.cinder.pool, attached['id'])
    # Past the image's first MiB: data the guest wrote, not the image's.
    _qemu_io(ceph_cinder.ceph, image, 'write -P 0x5a 4M 64k')
    [before] = volumes.get(attached['id'])['attachments']
    assert before['host_name'] == source

    cloud.kill(source)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        resp = cloud.request('POST', '/v2.1/servers/%s/action' % server['id'],
                             headers={'X-OpenStack-Nova-API-Version': '2.14'},
                             json={'evacuate': {}})
        if resp.status_code != 409:
            break
        time.sleep(0.5)
    assert resp.status_code == 200, resp.text
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        after = cloud.request('GET', '/v2.1/servers/%s' % server['id'],
                              headers=VERSION).json()['server']
        if after['status'] != 'REBUILD' and \
                after['OS-EXT-SRV-ATTR:host'] == target:
            break
        time.sleep(0.2)
    assert after['status'] == 'ACTIVE', after
    assert after['OS-EXT-SRV-ATTR:host'] == target
    assert after['os-extended-volumes:volumes_attached'] == [attached]
    # The same volume, now connected to the new host only.
    volume = volumes.get(attached['id'])
    assert volume['status'] == 'in-use'
    assert [a['host_name'] for a in volume['attachments']] == [target]
    assert [a['server_id'] for a in volume['attachments']] == [server['id']]
    out = _qemu_io(ceph_cinder.ceph, image, 'read -P 0x5a 4M 64k')
    assert 'read 65536/65536 bytes' in out, out

    cloud.start_compute(source)
    _delete(cloud, server['id'])
    volumes.wait(attached['id'], None)
