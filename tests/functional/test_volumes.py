"""Volumes over the daemons, on the real Cinder and Ceph: boot from a new
volume and from an existing one, attach and detach a data volume,
delete_on_termination both ways, and the error answers.

The deployment's nova-api is the Glance Cinder reads images from (the
fixture's glance_port), so volumes made from images hold our image.
"""

import textwrap
import time

import pytest
import requests

from tests.functional import deployment

VERSION = {'X-OpenStack-Nova-API-Version': '2.79'}


@pytest.fixture(scope='module')
def cloud(ceph_cinder):
    cinder = ceph_cinder.cinder
    dep = deployment.Deployment(
        'postgresql', port=cinder.glance_port,
        extra_conf=textwrap.dedent('''
            [cinder]
            endpoint_template = %s
            [service_user]
            send_service_user_token = true
            ''' % cinder.endpoint_template))
    # Cinder's noauth takes only hex project ids.
    dep.token = 'admin:%s' % cinder.project_id
    dep.start()
    yield dep
    dep.stop()


class Volumes:
    """Cinder as the deployment's callers see it (the same noauth user
    and project)."""

    def __init__(self, cinder):
        self.url = cinder.endpoint
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
    resp = cloud.request(
        'POST', '/v2.1/servers/%s/os-volume_attachments' % server['id'],
        headers=VERSION, json={'volumeAttachment': {
            'volumeId': data['id'], 'delete_on_termination': True}})
    assert resp.status_code == 200, resp.text
    assert resp.json()['volumeAttachment']['device'] == '/dev/vdb'
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
