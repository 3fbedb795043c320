"""The external image service found through Keystone's catalog.

A real Keystone; deployment A (keystone mode) is registered as the image
service (`nova-manage keystone register --image-url A/image`); deployment
B (keystone mode) has no api_servers, only [glance] credentials, so it
finds A in the catalog. B's API reads images with the user's Keystone
token, which A validates; B's compute downloads with the nova service
user's token. Both on SQLite.
"""

import os
import textwrap
import time

import pytest
import requests

from tests.functional import deployment as deployment_mod
from tests.functional import keystone as keystone_mod
from tests.functional.test_external_glance import _upload


@pytest.fixture(scope='module')
def keystone():
    ks = keystone_mod.Keystone()
    ks.start()
    yield ks
    ks.stop()


def _start(keystone, extra_conf='', image_service=False):
    """A keystone-mode deployment, registered as the compute service (and
    with image_service, as the image service too)."""
    dep = deployment_mod.Deployment(
        'sqlite', compute_hosts=('compute1',),
        extra_conf=keystone.authtoken_conf() + extra_conf)
    dep.start()
    try:
        args = ['keystone', 'register', '--url', dep.api + '/v2.1']
        if image_service:
            args += ['--image-url', dep.api + '/image']
        dep.manage(*(args + keystone.admin_cli_args()))
    except BaseException:
        dep.stop()
        raise
    return dep


@pytest.fixture(scope='module')
def glance_dep(keystone):
    dep = _start(keystone, image_service=True)
    yield dep
    dep.stop()


@pytest.fixture(scope='module')
def images(keystone, glance_dep):
    qcow2 = os.path.join(glance_dep.dir, 'disk.qcow2')
    return {
        'public': _upload(glance_dep, 'ks-public', qcow2,
                          token=keystone.token('admin')),
        'private': _upload(glance_dep, 'ks-private', qcow2,
                           token=keystone.token('other-member'),
                           visibility='private'),
    }


@pytest.fixture(scope='module')
def dep(keystone, glance_dep):
    # The compute endpoint moves to B; the image endpoint stays A's.
    dep_b = _start(keystone, textwrap.dedent('''\
        [glance]
        auth_type = password
        auth_url = %(url)s
        username = nova
        password = %(password)s
        project_name = service
        user_domain_name = Default
        project_domain_name = Default
        num_retries = 0
        [libvirt]
        test_node_fetch_images = true
        ''') % {'url': keystone.url, 'password': keystone_mod.NOVA_PASSWORD})
    yield dep_b
    dep_b.stop()


def _boot(dep, token, image_id, name='vm'):
    return requests.post(
        dep.api + '/v2.1/servers', timeout=30,
        headers={'X-Auth-Token': token},
        json={'server': {'name': name, 'flavorRef': '1',
                         'imageRef': image_id, 'networks': 'none'}})


def _wait_for_server(dep, token, server_id, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        server = requests.get(dep.api + '/v2.1/servers/' + server_id,
                              headers={'X-Auth-Token': token},
                              timeout=30).json()['server']
        if server['status'] in ('ACTIVE', 'ERROR'):
            return server
        time.sleep(0.1)
    raise AssertionError('%s not built:\n%s' % (server_id, dep.logs()))


def test_boot_finds_the_image_service_in_the_catalog(keystone, glance_dep,
                                                     dep, images):
    token = keystone.token('demo-member')
    image_id = images['public']
    assert requests.get(dep.api + '/image/v2/images/%s' % image_id,
                        headers={'X-Auth-Token': token},
                        timeout=30).status_code == 404
    resp = _boot(dep, token, image_id)
    assert resp.status_code == 202, resp.text
    server = _wait_for_server(dep, token, resp.json()['server']['id'])
    assert server['status'] == 'ACTIVE', server
    assert 'Downloaded image %s from %s/image/v2/images/%s/file' % (
        image_id, glance_dep.api, image_id) in dep.log(dep.compute_hosts[0])


def test_another_projects_private_image_is_not_found(keystone, dep, images):
    resp = _boot(dep, keystone.token('demo-member'), images['private'])
    assert resp.status_code == 400
    assert resp.json() == {'badRequest': {
        'code': 400,
        'message': 'Image %s could not be found.' % images['private']}}


def test_image_list_is_the_users_view_of_the_catalog_glance(keystone, dep,
                                                            images):
    resp = requests.get(dep.api + '/v2.1/images', timeout=30, headers={
        'X-Auth-Token': keystone.token('other-member')})
    assert resp.status_code == 200, resp.text
    ids = {i['id'] for i in resp.json()['images']}
    assert {images['public'], images['private']} <= ids
    resp = requests.get(dep.api + '/v2.1/images', timeout=30, headers={
        'X-Auth-Token': keystone.token('demo-member')})
    ids = {i['id'] for i in resp.json()['images']}
    assert images['public'] in ids and images['private'] not in ids
