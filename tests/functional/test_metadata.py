"""The metadata service as guests use it: nova-api-metadata as its own
process over RabbitMQ and PostgreSQL, read by cloud-init's own readers,
and what it refuses (bad signatures, other instances, unknown paths)."""

import base64
import time

import pytest
import requests

from nova_api.metadata import requester
from tests.functional import cloud_init_readers
from tests.functional import deployment as deployment_mod

SECRET = 'metadata-proxy-secret-for-tests'
DNS = '192.0.2.53'
CACHE_SECONDS = 2
USER_DATA = b'#!/bin/sh\necho first line\n\xff binary tail\n'
ADMIN_23 = {'X-OpenStack-Nova-API-Version': '2.3'}


@pytest.fixture(scope='module')
def dep():
    deployment = deployment_mod.Deployment(
        'postgresql', metadata=True, extra_conf='''
[neutron]
service_metadata_proxy = true
metadata_proxy_shared_secret = %s
[api]
trusted_proxies = 127.0.0.1
metadata_cache_expiration = %d
[network]
dns_servers = %s
''' % (SECRET, CACHE_SECONDS, DNS))
    deployment.start()
    yield deployment
    deployment.stop()


def _boot(dep, name, **server):
    return dep.boot(name, show_headers=ADMIN_23, **server)


@pytest.fixture(scope='module')
def keypair(dep):
    return dep.create_keypair('md-key')


@pytest.fixture(scope='module')
def guest(dep, keypair):
    """A server with a key pair, user data and metadata."""
    return _boot(dep, 'guest-a', key_name='md-key',
                 user_data=base64.b64encode(USER_DATA).decode(),
                 metadata={'role': 'web'})


@pytest.fixture(scope='module')
def other(dep):
    """A second server of the same project: no key, no user data."""
    return _boot(dep, 'guest-b')


def _ip(server):
    return server['addresses']['private'][0]['addr']


def _signed(server, tenant=None, signature=None):
    return {'X-Instance-ID': server['id'],
            'X-Tenant-ID': tenant or server['tenant_id'],
            'X-Instance-ID-Signature': signature if signature is not None
            else requester.sign(server['id'], SECRET)}


def _forwarded(server):
    return {'X-Forwarded-For': _ip(server)}


def _get(dep, path, headers):
    return requests.get(dep.metadata + path, headers=headers, timeout=10)


def test_cloud_init_reads_what_the_api_says_through_a_signed_proxy(
        dep, guest, keypair):
    read = cloud_init_readers.openstack_metadata(dep.metadata,
                                                 _signed(guest))
    meta = read['metadata']
    assert meta['uuid'] == guest['id']
    assert meta['name'] == guest['name']
    assert meta['hostname'] == guest['OS-EXT-SRV-ATTR:hostname']
    assert meta['availability_zone'] == \
        guest['OS-EXT-AZ:availability_zone']
    assert meta['project_id'] == guest['tenant_id']
    assert meta['meta'] == {'role': 'web'}
    assert meta['public_keys'] == {'md-key': keypair['public_key']}
    assert meta['keys'] == [{'name': 'md-key', 'type': 'ssh',
                             'data': keypair['public_key']}]
    assert base64.b64decode(read['userdata']) == USER_DATA
    assert read['userdata'] == guest['OS-EXT-SRV-ATTR:user_data']
    # What cloud-init configures the guest's network with.
    config = cloud_init_readers.network_config(read['networkdata'])
    [nic] = [c for c in config['config'] if c['type'] == 'physical']
    [subnet] = nic['subnets']
    assert subnet['address'] == _ip(guest)
    assert subnet['netmask'] == '255.255.255.0'
    assert {'network': '0.0.0.0', 'netmask': '0.0.0.0',
            'gateway': '10.11.0.1'}.items() <= subnet['routes'][0].items()
    assert nic['mac_address'] == \
        guest['addresses']['private'][0]['OS-EXT-IPS-MAC:mac_addr']
    assert {'type': 'nameserver', 'address': DNS} in config['config'] or \
        DNS in subnet.get('dns_nameservers', [])
    # The EC2 half read_v2 reads too.
    assert read['ec2-metadata']['local-ipv4'] == _ip(guest)


def test_cloud_init_reads_its_own_instance_by_fixed_ip(dep, guest, other):
    read = cloud_init_readers.openstack_metadata(dep.metadata,
                                                 _forwarded(other))
    assert read['metadata']['uuid'] == other['id']
    assert read['metadata']['public_keys'] == {}
    assert read['userdata'] == ''
    mine = cloud_init_readers.openstack_metadata(dep.metadata,
                                                 _forwarded(guest))
    assert mine['metadata']['uuid'] == guest['id']


def test_cloud_init_reads_the_ec2_tree(dep, guest, keypair):
    for version in ('latest', '2009-04-04'):
        read = cloud_init_readers.ec2_metadata(dep.metadata,
                                               _forwarded(guest), version)
        meta = read['meta_data']
        assert meta['local-ipv4'] == _ip(guest)
        assert meta['hostname'] == guest['OS-EXT-SRV-ATTR:hostname']
        assert meta['instance-id'].startswith('i-')
        assert meta['instance-type'] == 'm1.tiny'
        assert meta['placement']['availability-zone'] == \
            guest['OS-EXT-AZ:availability_zone']
        assert meta['public-keys']['md-key'] in (
            keypair['public_key'], [keypair['public_key']])
        assert meta['reservation-id'] == \
            guest['OS-EXT-SRV-ATTR:reservation_id']
        assert base64.b64decode(read['user_data']) == USER_DATA


@pytest.mark.parametrize('headers', [
    lambda g, o: _signed(g, signature=''),
    lambda g, o: {'X-Instance-ID': g['id'], 'X-Tenant-ID': g['tenant_id']},
    lambda g, o: _signed(g, signature='0' * 64),
    # A signature of another instance does not open this one.
    lambda g, o: _signed(g, signature=requester.sign(o['id'], SECRET)),
    lambda g, o: _signed(g, signature=requester.sign(g['id'], 'guess')),
], ids=['empty', 'missing', 'wrong', 'another-instance', 'other-secret'])
def test_a_bad_signature_is_403_and_tells_nothing(dep, guest, other,
                                                  headers):
    resp = _get(dep, '/openstack/latest/meta_data.json',
                headers(guest, other))
    assert resp.status_code == 403
    assert guest['id'] not in resp.text and 'md-key' not in resp.text
    assert resp.text.strip() == 'Invalid proxy request signature.'
    assert 'X-Instance-ID-Signature' in dep.log('metadata')


def test_one_instance_never_reads_another(dep, guest, other):
    # Its own signature for the other's id, or the other's id with its
    # tenant changed, gets nothing of the other.
    resp = _get(dep, '/openstack/latest/meta_data.json',
                dict(_signed(other), **{
                    'X-Instance-ID-Signature': requester.sign(
                        guest['id'], SECRET)}))
    assert resp.status_code == 403 and other['id'] not in resp.text
    resp = _get(dep, '/openstack/latest/meta_data.json',
                _signed(other, tenant='another-project'))
    assert resp.status_code == 404 and other['id'] not in resp.text
    # By address, each gets its own.
    for server in (guest, other):
        resp = _get(dep, '/openstack/latest/meta_data.json',
                    _forwarded(server))
        assert resp.json()['uuid'] == server['id']
    resp = _get(dep, '/latest/user-data', _forwarded(other))
    assert resp.status_code == 404 and b'first line' not in resp.content


@pytest.mark.parametrize('path', [
    '/openstack/1999-01-01/meta_data.json', '/openstack/latest/../../x',
    '/openstack/latest/%2e%2e/user_data', '/1999-09-09/meta-data/',
    '/latest/meta-data/nothing', '/openstack/latest/meta_data.json/more'])
def test_unknown_paths_and_versions_are_404(dep, guest, path):
    resp = _get(dep, path, _signed(guest))
    assert resp.status_code == 404, resp.text
    assert guest['id'] not in resp.text


def test_an_unknown_address_is_404(dep, guest):
    resp = _get(dep, '/openstack/latest/meta_data.json',
                {'X-Forwarded-For': '10.11.0.250'})
    assert resp.status_code == 404
    resp = _get(dep, '/openstack/latest/meta_data.json',
                {'X-Forwarded-For': 'not-an-address'})
    assert resp.status_code == 404


def test_a_deleted_instance_is_404(dep):
    server = _boot(dep, 'short-lived')
    assert _get(dep, '/openstack/latest/meta_data.json',
                _forwarded(server)).status_code == 200
    assert dep.request('DELETE', '/v2.1/servers/%s'
                       % server['id']).status_code == 204
    dep.wait_gone(server['id'])
    # Once what was cached of it expires.
    time.sleep(CACHE_SECONDS + 0.5)
    for headers in (_signed(server), _forwarded(server)):
        resp = _get(dep, '/openstack/latest/meta_data.json', headers)
        assert resp.status_code == 404, resp.text
        assert server['id'] not in resp.text


def test_the_guest_posts_its_password_once(dep, other):
    url = dep.metadata + '/openstack/latest/password'
    assert requests.get(url, headers=_forwarded(other)).text == ''
    resp = requests.post(url, data='encrypted-blob', headers=_signed(other))
    assert resp.status_code == 200, resp.text
    assert requests.get(url, headers=_signed(other)).text == \
        'encrypted-blob'
    again = requests.post(url, data='another', headers=_signed(other))
    assert again.status_code == 409
    assert requests.post(url, data='x' * 1021,
                         headers=_signed(other)).status_code == 413
    # Its owner reads it through the Compute API, and clears it so the
    # guest may post another.
    api = '/v2.1/servers/%s/os-server-password' % other['id']
    assert dep.request('GET', api).json() == {'password': 'encrypted-blob'}
    assert dep.request('DELETE', api).status_code == 204
    assert dep.request('GET', api).json() == {'password': ''}
    time.sleep(CACHE_SECONDS + 0.5)
    assert requests.post(url, data='another', headers=_forwarded(
        other)).status_code == 200
    assert dep.request('GET', api).json() == {'password': 'another'}


def test_rebuilt_user_data_reaches_the_guest(dep, guest):
    new = b'#cloud-config\nhostname: rebuilt\n'
    dep.rebuild(guest['id'], user_data=base64.b64encode(new).decode())
    time.sleep(CACHE_SECONDS + 0.5)
    resp = _get(dep, '/openstack/latest/user_data', _signed(guest))
    assert resp.status_code == 200 and resp.content == new
    # The key pair the server was built with stays.
    meta = _get(dep, '/openstack/latest/meta_data.json',
                _signed(guest)).json()
    assert list(meta['public_keys']) == ['md-key']


@pytest.fixture(scope='module')
def long_cache_dep():
    """A deployment whose metadata service keeps what it read for ten
    minutes: longer than any test, so nothing it answers has expired."""
    deployment = deployment_mod.Deployment(
        'postgresql', metadata=True, fixed_range_v4='10.13.0.0/24',
        extra_conf='[api]\ntrusted_proxies = 127.0.0.1\n'
                   'metadata_cache_expiration = 600\n')
    deployment.start()
    yield deployment
    deployment.stop()


def test_a_fixed_ip_handed_to_a_new_server_never_answers_for_the_old_one(
        long_cache_dep):
    """The flat network gives each server the lowest free address, so a
    server booted after a delete takes the deleted one's: the metadata
    service, which keeps answers by address, must answer for the new
    one at once, and take its password for it."""
    dep = long_cache_dep
    url = dep.metadata + '/openstack/latest/meta_data.json'
    first = _boot(dep, 'first-holder')
    assert requests.get(url, headers=_forwarded(first)).json()['uuid'] == \
        first['id']
    assert dep.request('DELETE', '/v2.1/servers/%s'
                       % first['id']).status_code == 204
    dep.wait_gone(first['id'])
    second = _boot(dep, 'second-holder')
    assert _ip(second) == _ip(first)
    resp = requests.get(url, headers=_forwarded(second))
    assert resp.status_code == 200
    assert resp.json()['uuid'] == second['id']
    assert first['id'] not in resp.text
    password = dep.metadata + '/openstack/latest/password'
    assert requests.post(password, data='sealed-for-second',
                         headers=_forwarded(second)).status_code == 200
    assert dep.request('GET', '/v2.1/servers/%s/os-server-password'
                       % second['id']).json() == {
                           'password': 'sealed-for-second'}
    # An address asked for before anyone held it (kept as unknown)
    # answers for the server that takes it next.
    next_free = _ip(second).rsplit('.', 1)[0] + '.%d' % (
        int(_ip(second).rsplit('.', 1)[1]) + 1)
    assert requests.get(url, headers={
        'X-Forwarded-For': next_free}).status_code == 404
    third = _boot(dep, 'third-holder')
    assert _ip(third) == next_free
    assert requests.get(url, headers=_forwarded(third)).json()['uuid'] == \
        third['id']
