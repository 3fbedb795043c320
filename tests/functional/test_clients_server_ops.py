"""The server operations of issue 21 driven by the unmodified clients.

openstacksdk's compute proxy and novaclient's Python API each take one
server through resize -> VERIFY_RESIZE -> confirm, resize -> revert (the
flavor back), migrate (admin), createImage (an active image with
image_type snapshot), createBackup with rotation, shelve -> shelveOffload
-> unshelve, rescue -> unrescue, a serial console URL, and the usage
index and show, checking what each client parsed. One deployment (noauth,
RabbitMQ + PostgreSQL, two computes on libvirt's test driver) serves the
module; shelved servers stay SHELVED (shelved_offload_time -1) so the
offload is the client's call.
"""

import datetime
import time

import novaclient
import openstack
import pytest
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
from novaclient import client as nova_client
from openstack import config as openstack_config

from tests.functional import deployment as deployment_mod
from tests.functional.test_openstack_clients import NOAUTH_CLOUDS

TIMEOUT = 60


@pytest.fixture(scope='module')
def dep(tmp_path_factory):
    d = deployment_mod.Deployment(
        'postgresql',
        extra_conf='[DEFAULT]\nshutdown_timeout = 0\n'
                   'shelved_offload_time = -1\n',
        compute_conf={
            'compute1': 'instances_path = $state_path/instances-1\n',
            'compute2': 'instances_path = $state_path/instances-2\n'})
    d.start()
    # Two flavors with the same root disk: a resize either way grows or
    # shrinks RAM and vCPUs only (a smaller disk is refused).
    for name, ram, vcpus in (('ops.small', 256, 1), ('ops.big', 512, 2)):
        resp = d.request('POST', '/v2.1/flavors', json={'flavor': {
            'name': name, 'id': name.replace('.', '-'), 'ram': ram,
            'vcpus': vcpus, 'disk': 1}})
        assert resp.status_code == 200, resp.text
    clouds = tmp_path_factory.mktemp('client-ops') / 'clouds.yaml'
    clouds.write_text(NOAUTH_CLOUDS % {'api': d.api})
    d.clouds = clouds
    d.started = datetime.datetime.utcnow() - datetime.timedelta(minutes=1)
    yield d
    d.stop()


def _poll(get, done, what, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while True:
        value = get()
        if done(value):
            return value
        assert time.monotonic() < deadline, (what, value)
        time.sleep(0.2)


def _image(dep, image_id):
    """The image as the deployment's image API shows it."""
    resp = dep.request('GET', '/image/v2/images/%s' % image_id)
    assert resp.status_code == 200, resp.text
    return resp.json()


def _backups(dep, server_id, backup_type):
    resp = dep.request('GET', '/image/v2/images')
    assert resp.status_code == 200, resp.text
    return sorted(i['name'] for i in resp.json()['images']
                  if i.get('instance_uuid') == server_id and
                  i.get('backup_type') == backup_type)


# -- openstacksdk -------------------------------------------------------------

def test_openstacksdk_drives_the_server_operations(dep):
    region = openstack_config.OpenStackConfig(
        config_files=[str(dep.clouds)]).get_one(cloud='e2e')
    conn = openstack.connection.Connection(config=region)
    compute = conn.compute
    tiny = compute.find_flavor('ops.small')
    small = compute.find_flavor('ops.big')

    def settled(status):
        return _poll(lambda: compute.get_server(server.id),
                     lambda s: s.status in (status, 'ERROR') and
                     s.task_state is None, status)

    server = compute.create_server(name='sdk-ops', flavor_id=tiny.id,
                                   image_id=dep.image['id'],
                                   networks='none')
    server = compute.wait_for_server(server, wait=TIMEOUT)
    first_host = server.compute_host
    assert first_host in dep.compute_hosts

    # resize -> VERIFY_RESIZE -> confirm: the new flavor, another host.
    compute.resize_server(server, small.id)
    shown = settled('VERIFY_RESIZE')
    assert (shown.status, shown.vm_state) == ('VERIFY_RESIZE', 'resized')
    assert shown.flavor.original_name == 'ops.big'
    assert shown.compute_host != first_host
    [mig] = [m for m in compute.migrations(instance_uuid=server.id)]
    assert (mig.status, mig.migration_type) == ('finished', 'resize')
    assert (mig.source_compute, mig.dest_compute) == (first_host,
                                                      shown.compute_host)
    compute.confirm_server_resize(server)
    shown = settled('ACTIVE')
    assert shown.flavor.original_name == 'ops.big'
    second_host = shown.compute_host
    assert {m.status for m in compute.migrations(
        instance_uuid=server.id)} == {'confirmed'}

    # resize -> revert: the flavor and the host are what they were.
    compute.resize_server(server, tiny.id)
    assert settled('VERIFY_RESIZE').flavor.original_name == 'ops.small'
    compute.revert_server_resize(server)
    shown = settled('ACTIVE')
    assert (shown.flavor.original_name, shown.compute_host) == (
        'ops.big', second_host)

    # migrate (admin): the same flavor, the other host, then confirmed.
    compute.migrate_server(server)
    shown = settled('VERIFY_RESIZE')
    assert (shown.flavor.original_name, shown.compute_host) == (
        'ops.big', first_host)
    compute.confirm_server_resize(server)
    assert settled('ACTIVE').compute_host == first_host
    assert sorted(m.migration_type for m in compute.migrations(
        instance_uuid=server.id)) == ['migration', 'resize', 'resize']
    actions = [a.action for a in compute.server_actions(server)]
    for name in ('resize', 'confirmResize', 'revertResize', 'migrate'):
        assert name in actions, actions

    # createImage: active, image_type snapshot, of this server.
    image = compute.create_server_image(server, 'sdk-ops-snap',
                                        metadata={'made_by': 'sdk'},
                                        wait=True, timeout=TIMEOUT)
    assert (image.name, image.status) == ('sdk-ops-snap', 'active')
    got = conn.image.get_image(image.id)
    assert got.properties['image_type'] == 'snapshot'
    assert got.properties['made_by'] == 'sdk'
    assert got.instance_uuid == server.id
    settled('ACTIVE')

    # createBackup with rotation 2: the third backup removes the first.
    # Image times have whole seconds: backups made in the same second
    # have no order to rotate by, so they are a second apart here.
    for n in range(3):
        compute.backup_server(server, 'sdk-bk-%d' % n, 'weekly', 2)
        settled('ACTIVE')
        time.sleep(1.1)
    assert _backups(dep, server.id, 'weekly') == ['sdk-bk-1', 'sdk-bk-2']

    # shelve -> shelveOffload -> unshelve.
    compute.shelve_server(server)
    shown = settled('SHELVED')
    assert shown.compute_host == first_host
    compute.shelve_offload_server(server)
    shown = settled('SHELVED_OFFLOADED')
    assert (shown.compute_host, shown.power_state) == (None, 0)
    compute.unshelve_server(server)
    shown = settled('ACTIVE')
    assert shown.compute_host in dep.compute_hosts

    # rescue -> unrescue.
    compute.rescue_server(server, admin_pass='sdk-rescue-pw')
    assert settled('RESCUE').vm_state == 'rescued'
    compute.unrescue_server(server)
    assert settled('ACTIVE').vm_state == 'active'

    # A serial console URL (remote-consoles, 2.6+).
    console = compute.create_server_remote_console(
        server, protocol='serial', type='serial')
    assert (console.protocol, console.type) == ('serial', 'serial')
    assert '?token=' in console.url

    compute.delete_server(server)
    compute.wait_for_delete(server, wait=TIMEOUT)
    for name in ('sdk-ops-snap', 'sdk-bk-1', 'sdk-bk-2'):
        conn.image.delete_image(conn.image.find_image(name,
                                                      ignore_missing=False))

    # Usage: the deleted server still counts in the period it lived.
    end = datetime.datetime.utcnow() + datetime.timedelta(minutes=1)
    usages = {u.project_id: u
              for u in compute.usages(start=dep.started, end=end)}
    assert usages['admin'].total_hours > 0
    mine = compute.get_usage('admin', start=dep.started, end=end)
    rows = {r['name']: r for r in mine.server_usages}
    assert rows['sdk-ops']['state'] == 'terminated'
    assert rows['sdk-ops']['flavor'] == 'ops.big'
    assert rows['sdk-ops']['hours'] > 0


# -- novaclient ---------------------------------------------------------------

def test_novaclient_drives_the_server_operations(dep):
    version = novaclient.API_MAX_VERSION.get_string()
    session = ks_session.Session(auth=token_endpoint.Token(
        dep.api + '/v2.1', 'admin:admin'))
    nova = nova_client.Client(version, session=session,
                              endpoint_override=dep.api + '/v2.1')
    flavors = {f.name: f for f in nova.flavors.list()}
    tiny, small = flavors['ops.small'], flavors['ops.big']

    def settled(status):
        return _poll(lambda: nova.servers.get(server.id),
                     lambda s: s.status in (status, 'ERROR') and
                     getattr(s, 'OS-EXT-STS:task_state') is None, status)

    def host(shown):
        return getattr(shown, 'OS-EXT-SRV-ATTR:host')

    server = nova.servers.create('nova-ops', dep.image['id'], tiny.id,
                                 nics='none')
    shown = settled('ACTIVE')
    first_host = host(shown)

    nova.servers.resize(server, small.id)
    shown = settled('VERIFY_RESIZE')
    assert shown.flavor['original_name'] == 'ops.big'
    assert host(shown) != first_host
    nova.servers.confirm_resize(server)
    shown = settled('ACTIVE')
    second_host = host(shown)
    assert shown.flavor['original_name'] == 'ops.big'
    [mig] = nova.migrations.list(instance_uuid=server.id)
    assert (mig.status, mig.migration_type) == ('confirmed', 'resize')

    nova.servers.resize(server, tiny.id)
    assert settled('VERIFY_RESIZE').flavor['original_name'] == 'ops.small'
    nova.servers.revert_resize(server)
    shown = settled('ACTIVE')
    assert (shown.flavor['original_name'], host(shown)) == (
        'ops.big', second_host)
    assert 'reverted' in {m.status for m in nova.migrations.list(
        instance_uuid=server.id)}

    nova.servers.migrate(server)
    shown = settled('VERIFY_RESIZE')
    assert host(shown) == first_host
    nova.servers.confirm_resize(server)
    assert host(settled('ACTIVE')) == first_host
    events = {a.action for a in nova.instance_action.list(server)}
    assert {'resize', 'confirmResize', 'revertResize', 'migrate'} <= events

    image_id = nova.servers.create_image(server, 'nova-ops-snap',
                                         metadata={'made_by': 'nova'})
    settled('ACTIVE')
    image = _poll(lambda: _image(dep, image_id),
                  lambda i: i['status'] in ('active', 'killed'), 'image')
    assert (image['name'], image['status']) == ('nova-ops-snap', 'active')
    assert (image['image_type'], image['instance_uuid'],
            image['made_by']) == ('snapshot', server.id, 'nova')

    for n in range(3):
        nova.servers.backup(server, 'nova-bk-%d' % n, 'daily', 1)
        settled('ACTIVE')
    assert _backups(dep, server.id, 'daily') == ['nova-bk-2']
    [backup] = [i for i in dep.request('GET', '/image/v2/images').json()[
        'images'] if i['name'] == 'nova-bk-2']
    assert (backup['status'], backup['image_type']) == ('active', 'backup')

    nova.servers.shelve(server)
    assert host(settled('SHELVED')) == first_host
    nova.servers.shelve_offload(server)
    assert host(settled('SHELVED_OFFLOADED')) is None
    nova.servers.unshelve(server)
    assert host(settled('ACTIVE')) in dep.compute_hosts

    nova.servers.rescue(server, password='nova-rescue-pw')
    assert getattr(settled('RESCUE'), 'OS-EXT-STS:vm_state') == 'rescued'
    nova.servers.unrescue(server)
    settled('ACTIVE')

    console = nova.servers.get_console_url(server, 'serial')['remote_console']
    assert (console['protocol'], console['type']) == ('serial', 'serial')
    assert '?token=' in console['url']

    nova.servers.delete(server)
    _poll(lambda: [s.id for s in nova.servers.list()],
          lambda ids: server.id not in ids, 'delete')
    for image_id in (image_id, backup['id']):
        assert dep.request('DELETE', '/image/v2/images/%s' %
                           image_id).status_code == 204

    end = datetime.datetime.utcnow() + datetime.timedelta(minutes=1)
    listed = {u.tenant_id: u
              for u in nova.usage.list(dep.started, end, detailed=True)}
    names = {s['name'] for s in listed['admin'].server_usages}
    assert 'nova-ops' in names
    shown = nova.usage.get('admin', dep.started, end)
    [row] = [s for s in shown.server_usages if s['name'] == 'nova-ops']
    assert (row['state'], row['flavor'], row['instance_id']) == (
        'terminated', 'ops.big', server.id)
    assert shown.total_hours > 0
