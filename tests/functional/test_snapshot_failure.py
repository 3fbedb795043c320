"""A snapshot, a backup and a shelve whose upload the image API refuses
([DEFAULT] image_size_cap below any disk): the server keeps its state,
host and allocation, the queued image is deleted, and the action's
last event is an Error."""

import pytest

from tests.functional import deployment as deployment_mod


@pytest.fixture(scope='module')
def dep():
    d = deployment_mod.Deployment(
        'postgresql', extra_conf='[DEFAULT]\nshutdown_timeout = 0\n'
                                 'image_size_cap = 1000\n')
    d.start()
    yield d
    d.stop()


def _images(dep):
    return {i['id'] for i in dep.request('GET', '/image/v2/images').json()[
        'images']}


def _used(dep):
    return {h['service']['host']: h['vcpus_used'] for h in dep.request(
        'GET', '/v2.1/os-hypervisors/detail').json()['hypervisors']}


def _events(dep, server_id, resp):
    action = dep.request('GET', '/v2.1/servers/%s/os-instance-actions/%s' % (
        server_id, resp.headers['x-openstack-request-id']),
        headers={'OpenStack-API-Version': 'compute 2.51'}).json(
        )['instanceAction']
    return [(e['event'], e['result']) for e in action['events']]


@pytest.mark.parametrize('body, first', [
    ({'createImage': {'name': 'too-big'}}, 'image_snapshot'),
    ({'createBackup': {'name': 'too-big', 'backup_type': 'daily',
                       'rotation': 1}}, 'image_backup'),
])
def test_a_refused_upload_leaves_the_server_as_it_was(dep, body, first):
    server = dep.boot('snap-fail')
    before, used = _images(dep), _used(dep)
    resp = dep.action(server['id'], body)
    assert resp.status_code == 202, resp.text
    after = dep.settle(server['id'], 'ACTIVE')
    assert (after['OS-EXT-STS:vm_state'], after['OS-EXT-SRV-ATTR:host']) \
        == ('active', server['OS-EXT-SRV-ATTR:host'])
    assert _events(dep, server['id'], resp) == [
        (first, 'Success'), ('image_pending_upload', 'Success'),
        ('image_uploading', 'Error')]
    assert _images(dep) == before
    assert _used(dep) == used
    dep.request('DELETE', '/v2.1/servers/%s' % server['id'])
    dep.wait_gone(server['id'])


def test_a_refused_shelve_keeps_the_host(dep):
    server = dep.boot('shelve-fail')
    before, used = _images(dep), _used(dep)
    resp = dep.action(server['id'], {'shelve': None})
    assert resp.status_code == 202, resp.text
    # Powered off before the copy, it is not shelved: running again on
    # its host, holding its resources, its image gone.
    after = dep.settle(server['id'], 'ACTIVE')
    assert (after['OS-EXT-SRV-ATTR:host'], after['OS-EXT-STS:power_state']) \
        == (server['OS-EXT-SRV-ATTR:host'], 1)
    assert _events(dep, server['id'], resp)[-1] == (
        'shelving_image_uploading', 'Error')
    assert _images(dep) == before
    assert _used(dep) == used
    dep.request('DELETE', '/v2.1/servers/%s' % server['id'])
    dep.wait_gone(server['id'])
