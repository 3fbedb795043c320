"""The config drive as a guest reads it: nova-compute (libvirt test driver,
its own process over RabbitMQ and PostgreSQL) writes
<instances_path>/<uuid>/disk.config, and cloud-init's own
ConfigDriveReader reads it back. What it parses must be what the API says
about the server. Three hosts: one plain (ISO drives), one forcing a
drive on every server ([DEFAULT] force_config_drive) and writing vfat
ones, one whose ISO tool fails.
"""

import base64
import os
import time

import pytest

from tests.functional import cloud_init_readers
from tests.functional import deployment as deployment_mod

USER_DATA = b'#!/bin/sh\necho config drive\n\xff binary tail\n'
ADMIN_23 = {'X-OpenStack-Nova-API-Version': '2.3'}
DNS = '192.0.2.53'
# Each host its own instances_path, so a file says which host wrote it.
OWN_DIR = 'instances_path = $state_path/instances-$host\n'


@pytest.fixture(scope='module')
def dep():
    deployment = deployment_mod.Deployment(
        'postgresql', compute_hosts=('plain', 'forced', 'broken'),
        extra_conf='[network]\ndns_servers = %s\n' % DNS,
        compute_conf={'plain': OWN_DIR,
                      'forced': OWN_DIR + ('force_config_drive = true\n'
                                           'config_drive_format = vfat\n'),
                      # The command exists and fails: no xorriso fallback.
                      'broken': OWN_DIR + 'mkisofs_cmd = /bin/false\n'})
    deployment.start()
    yield deployment
    deployment.stop()


def _host(dep, name):
    return '%s-%s' % (name, dep.run_id)


def _drive(dep, server):
    host = server['OS-EXT-SRV-ATTR:host']
    return os.path.join(dep.dir, 'instances-%s' % host, server['id'],
                        'disk.config')


def _boot(dep, name, host, status='ACTIVE', **server):
    """A server forced onto compute `host` (its short name)."""
    return dep.boot(name, status, ADMIN_23,
                    availability_zone='nova:%s' % _host(dep, host), **server)


def _show(dep, server_id):
    return dep.request('GET', '/v2.1/servers/%s' % server_id,
                       headers=ADMIN_23).json()['server']


@pytest.fixture(scope='module')
def keypair(dep):
    return dep.create_keypair('cd-key')


@pytest.fixture(scope='module')
def guest(dep, keypair):
    return _boot(dep, 'cd-guest', 'plain', config_drive=True,
                 key_name='cd-key', metadata={'role': 'db'},
                 user_data=base64.b64encode(USER_DATA).decode())


def _ip(server):
    return server['addresses']['private'][0]


def test_cloud_init_reads_from_the_drive_what_the_api_says(dep, guest,
                                                           keypair):
    assert guest['config_drive'] == 'True'
    listed = dep.request('GET', '/v2.1/os-keypairs/cd-key').json()
    read = cloud_init_readers.config_drive(_drive(dep, guest))
    meta = read['metadata']
    assert meta['uuid'] == meta['instance-id'] == guest['id']
    assert meta['name'] == guest['name']
    assert meta['hostname'] == guest['OS-EXT-SRV-ATTR:hostname']
    assert meta['availability_zone'] == guest['OS-EXT-AZ:availability_zone']
    assert meta['project_id'] == guest['tenant_id']
    assert meta['meta'] == {'role': 'db'} == guest['metadata']
    assert meta['public_keys'] == {
        'cd-key': listed['keypair']['public_key']}
    assert keypair['public_key'] == listed['keypair']['public_key']
    assert meta['keys'] == [{'name': 'cd-key', 'type': 'ssh',
                             'data': keypair['public_key']}]
    assert read['userdata'] == guest['OS-EXT-SRV-ATTR:user_data']
    assert base64.b64decode(read['userdata']) == USER_DATA
    # The network cloud-init configures is the one the API shows.
    config = cloud_init_readers.network_config(read['networkdata'])
    [nic] = [c for c in config['config'] if c['type'] == 'physical']
    [subnet] = nic['subnets']
    assert subnet['address'] == _ip(guest)['addr']
    assert nic['mac_address'] == _ip(guest)['OS-EXT-IPS-MAC:mac_addr']
    assert subnet['netmask'] == '255.255.255.0'
    assert subnet['routes'][0]['gateway'] == '10.11.0.1'
    assert {'type': 'nameserver', 'address': DNS} in config['config'] or \
        DNS in subnet.get('dns_nameservers', [])
    ec2 = read['ec2-metadata']
    assert ec2['local-ipv4'] == _ip(guest)['addr']
    assert ec2['reservation-id'] == guest['OS-EXT-SRV-ATTR:reservation_id']


def test_a_server_that_asks_for_none_gets_none(dep):
    server = _boot(dep, 'cd-none', 'plain')
    assert server['config_drive'] == ''
    assert os.path.isdir(os.path.dirname(_drive(dep, server)))
    assert not os.path.exists(_drive(dep, server))


def test_a_host_forcing_drives_gives_one_and_the_api_says_so(dep):
    server = _boot(dep, 'cd-forced', 'forced')
    assert server['config_drive'] == 'True'
    # A vfat drive, which cloud-init reads too.
    assert os.path.getsize(_drive(dep, server)) == 64 * 1024 * 1024
    read = cloud_init_readers.config_drive(_drive(dep, server))
    assert read['metadata']['uuid'] == server['id']
    assert read['userdata'] == ''


def test_a_drive_that_cannot_be_built_is_a_fault_not_a_traceback(dep):
    server = _boot(dep, 'cd-broken', 'broken', status='ERROR',
                   config_drive=True)
    fault = server['fault']
    assert fault['message'] == ('Could not build the config drive: false '
                                'exited with 1: no message')
    assert 'Traceback' not in fault['message']
    assert not os.path.exists(os.path.dirname(_drive(dep, server)))


def test_rebuild_writes_the_drive_again_with_the_new_user_data(dep, guest):
    new = b'#cloud-config\nhostname: rebuilt\n'
    rebuilt = dep.rebuild(guest['id'],
                          user_data=base64.b64encode(new).decode())
    assert rebuilt['user_data'] == base64.b64encode(new).decode()
    read = cloud_init_readers.config_drive(_drive(dep, guest))
    assert base64.b64decode(read['userdata']) == new
    assert read['metadata']['uuid'] == guest['id']
    assert read['metadata']['public_keys'] == guest_keys(dep, guest)


def guest_keys(dep, server):
    key = dep.request('GET', '/v2.1/os-keypairs/%s' % server['key_name'])
    return {server['key_name']: key.json()['keypair']['public_key']}


def test_deleting_a_server_removes_its_drive(dep):
    server = _boot(dep, 'cd-gone', 'plain', config_drive=True)
    drive = _drive(dep, server)
    assert os.path.isfile(drive)
    assert dep.request('DELETE', '/v2.1/servers/%s'
                       % server['id']).status_code == 204
    dep.wait_gone(server['id'])
    assert not os.path.exists(os.path.dirname(drive))


def test_an_evacuation_writes_the_drive_on_the_new_host(dep):
    """Runs last: it stops the plain host."""
    server = _boot(dep, 'cd-moved', 'plain', config_drive=True,
                   user_data=base64.b64encode(USER_DATA).decode())
    dep.kill(_host(dep, 'plain'))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        # 409 until the host is seen down.
        resp = dep.request(
            'POST', '/v2.1/servers/%s/action' % server['id'],
            json={'evacuate': {'host': _host(dep, 'forced'),
                               'onSharedStorage': False}})
        if resp.status_code != 409:
            break
        time.sleep(0.5)
    assert resp.status_code == 200, resp.text
    assert dep.wait_for_server(server['id'])['status'] == 'ACTIVE'
    moved = _show(dep, server['id'])
    assert moved['OS-EXT-SRV-ATTR:host'] == _host(dep, 'forced')
    read = cloud_init_readers.config_drive(_drive(dep, moved))
    assert read['metadata']['uuid'] == server['id']
    assert base64.b64decode(read['userdata']) == USER_DATA
