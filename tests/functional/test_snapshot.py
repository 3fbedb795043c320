"""createImage and createBackup through the whole chain: states, the
instance action's events, the image and its properties in /image, backup
rotation, errors, and a boot from the snapshot.

The compute hosts fetch every image they boot over HTTP (no local copy),
so the snapshot's data is checked against its recorded hash when the
server booted from it is built.
"""

import time

import pytest

from tests.functional import deployment as deployment_mod
from tests.functional import test_glance

# Computes that fetch every image over HTTP, as test_glance's.
COMPUTE_CONF = '[DEFAULT]\nshutdown_timeout = 0\n' + test_glance.COMPUTE_CONF


def v245():
    # A new dict each time: request() adds the token to the one it gets.
    return {'OpenStack-API-Version': 'compute 2.45'}


@pytest.fixture(scope='module')
def dep():
    d = deployment_mod.Deployment('postgresql', extra_conf=COMPUTE_CONF)
    d.start()
    yield d
    d.stop()


@pytest.fixture(scope='module')
def server(dep):
    # The source image carries a property every snapshot inherits.
    resp = dep.request(
        'PATCH', '/image/v2/images/%s' % dep.image['id'],
        headers={'Content-Type':
                 'application/openstack-images-v2.1-json-patch'},
        json=[{'op': 'add', 'path': '/os_distro', 'value': 'cirros'}])
    assert resp.status_code == 200, resp.text
    return dep.boot('snap-source')


def image(dep, image_id):
    resp = dep.request('GET', '/image/v2/images/%s' % image_id)
    return resp.json() if resp.status_code == 200 else None


def wait_image(dep, image_id, status='active', timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = image(dep, image_id)
        if found and found['status'] == status:
            return found
        time.sleep(0.05)
    raise AssertionError('image %s never %s: %s\n%s' % (
        image_id, status, found, dep.logs()))


def events(dep, server_id, request_id):
    action = dep.request('GET', '/v2.1/servers/%s/os-instance-actions/%s' % (
        server_id, request_id)).json()['instanceAction']
    return action['action'], [(e['event'], e['result'])
                              for e in action['events']]


def snapshot(dep, server_id, name, headers=None, **params):
    resp = dep.action(server_id, {'createImage': dict(params, name=name)},
                      headers=v245() if headers is None else headers)
    assert resp.status_code == 202, resp.text
    return resp


def test_create_image_states_events_and_properties(dep, server):
    resp = snapshot(dep, server['id'], 'snap-1', metadata={'purpose': 'x'})
    image_id = resp.json()['image_id']
    assert 'location' not in resp.headers
    done = dep.settle(server['id'], 'ACTIVE')
    assert done['OS-EXT-STS:vm_state'] == 'active'
    found = wait_image(dep, image_id)
    assert found['name'] == 'snap-1'
    assert found['disk_format'] == 'qcow2'
    assert found['visibility'] == 'private'
    assert found['owner'] == 'admin'
    assert found['size'] > 0
    assert found['min_disk'] == 1
    assert (found['image_type'], found['instance_uuid'],
            found['base_image_ref'], found['user_id'],
            found['os_distro'], found['purpose']) == (
        'snapshot', server['id'], dep.image['id'], 'admin', 'cirros', 'x')
    assert events(dep, server['id'],
                  resp.headers['x-openstack-request-id']) == (
        'createImage', [('image_snapshot', 'Success'),
                        ('image_pending_upload', 'Success'),
                        ('image_uploading', 'Success')])
    # The Compute API's image view shows it with its server.
    shown = dep.request('GET', '/v2.1/images/%s' % image_id).json()['image']
    assert shown['status'] == 'ACTIVE'
    assert shown['metadata']['instance_uuid'] == server['id']

    # Booting from the snapshot: the compute downloads it and checks it.
    booted = dep.boot('from-snap', imageRef=image_id)
    assert booted['image']['id'] == image_id
    dep.request('DELETE', '/v2.1/servers/%s' % booted['id'])
    dep.wait_gone(booted['id'])


def test_location_before_245_and_a_stopped_server(dep, server):
    assert dep.action(server['id'], {'os-stop': None}).status_code == 202
    dep.settle(server['id'], 'SHUTOFF')
    resp = snapshot(dep, server['id'], 'snap-old', headers={})
    assert not resp.content
    location = resp.headers['location']
    image_id = location.rsplit('/', 1)[1]
    assert location == '%s/image/images/%s' % (dep.api, image_id)
    assert dep.settle(server['id'], 'SHUTOFF')['OS-EXT-STS:power_state'] \
        == 4
    wait_image(dep, image_id)
    assert dep.action(server['id'], {'os-start': None}).status_code == 202
    dep.settle(server['id'], 'ACTIVE')


def _backup(dep, server_id, name, kind, rotation):
    resp = dep.action(server_id, {'createBackup': {
        'name': name, 'backup_type': kind, 'rotation': rotation}},
        headers=v245())
    assert resp.status_code == 202, resp.text
    dep.settle(server_id, 'ACTIVE')
    return resp.json().get('image_id')


def _backups(dep, server_id, kind):
    images = dep.request('GET', '/image/v2/images?instance_uuid=%s&'
                         'image_type=backup&backup_type=%s' % (
                             server_id, kind)).json()['images']
    return {i['id'] for i in images}


def test_backup_rotation(dep, server):
    weekly = _backup(dep, server['id'], 'weekly-1', 'weekly', 1)
    daily = []
    for i in range(3):
        # Image times have whole seconds: a second apart, so the
        # rotation has an order to go by.
        time.sleep(1.1)
        daily.append(_backup(dep, server['id'], 'daily-%d' % i, 'daily', 2))
    wait_image(dep, daily[-1])
    # The oldest daily went; the weekly backup is another type.
    assert _backups(dep, server['id'], 'daily') == set(daily[1:])
    assert _backups(dep, server['id'], 'weekly') == {weekly}
    found = image(dep, daily[-1])
    assert (found['image_type'], found['backup_type']) == ('backup',
                                                           'daily')
    # Rotation 0 leaves none of the type, and points at no image.
    resp = dep.action(server['id'], {'createBackup': {
        'name': 'none', 'backup_type': 'daily', 'rotation': 0}},
        headers=v245())
    assert resp.status_code == 202 and not resp.content
    dep.settle(server['id'], 'ACTIVE')
    deadline = time.monotonic() + 10
    while _backups(dep, server['id'], 'daily') and \
            time.monotonic() < deadline:
        time.sleep(0.05)
    assert _backups(dep, server['id'], 'daily') == set()


def test_bad_requests(dep, server):
    sid = server['id']
    for body, fragment in (
            ({'createImage': {}}, "'name' is a required property"),
            ({'createImage': {'name': 'x', 'bogus': 1}}, 'bogus'),
            ({'createBackup': {'name': 'x', 'backup_type': 'daily',
                               'rotation': -1}}, 'rotation'),
            ({'createBackup': {'name': 'x', 'rotation': 1}}, 'backup_type')):
        resp = dep.action(sid, body)
        assert resp.status_code == 400, (body, resp.text)
        assert fragment in resp.json()['badRequest']['message']
    assert dep.action('00000000-0000-0000-0000-000000000000',
                      {'createImage': {'name': 'x'}}).status_code == 404
    # A server in error cannot be snapshotted: 409, and no image is left.
    before = len(dep.request('GET', '/image/v2/images').json()['images'])
    errored = dep.boot('snap-error')
    dep.action(errored['id'], {'os-resetState': {'state': 'error'}})
    resp = dep.action(errored['id'], {'createImage': {'name': 'no'}})
    assert resp.status_code == 409
    assert 'vm_state error' in resp.json()['conflictingRequest']['message']
    assert len(dep.request('GET', '/image/v2/images').json()['images']) \
        == before
    # A non-admin of another project does not see the server.
    other = dep.action(sid, {'createImage': {'name': 'x'}},
                       token='someone:other')
    assert other.status_code == 404
