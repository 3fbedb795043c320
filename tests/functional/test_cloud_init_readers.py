"""cloud_init_readers runs cloud-init's own readers and returns what they
parsed: proven on hand-written trees served over HTTP (refused without the
identifying headers) and on ISOs labelled config-2, without our metadata
service."""

import base64
import http.server
import json
import os
import subprocess
import threading
import urllib.parse

import pytest

from tests.functional import cloud_init_readers

UUID = 'd6a3c5a4-6f0e-4a57-9d41-3c1f3b0e2a11'
HOSTNAME = 'guest-one.novalocal'
KEY_NAME = 'demo-key'
KEY = ('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHRlc3Qta2V5LW5vdC1mb3ItdXNl'
       ' demo@test')
# Not UTF-8 at the end: user data is bytes, and comes back base64.
USER_DATA = b'#!/bin/sh\necho hello from user data\n\xff\xfe'
FIXED_IP = '192.0.2.5'
GATEWAY = '192.0.2.1'
DNS = '192.0.2.2'
MAC = 'fa:16:3e:12:34:56'

META_DATA = {
    'uuid': UUID,
    'name': 'guest-one',
    'hostname': HOSTNAME,
    'availability_zone': 'nova',
    'project_id': 'demo-project',
    'launch_index': 0,
    'public_keys': {KEY_NAME: KEY},
    'keys': [{'name': KEY_NAME, 'type': 'ssh', 'data': KEY}],
    'meta': {'role': 'web'},
    'devices': [],
}
NETWORK_DATA = {
    'links': [{'id': 'tap12345678-90', 'type': 'bridge', 'mtu': 1450,
               'ethernet_mac_address': MAC, 'vif_id': 'port-1'}],
    'networks': [{'id': 'network0', 'type': 'ipv4',
                  'link': 'tap12345678-90', 'ip_address': FIXED_IP,
                  'netmask': '255.255.255.0', 'network_id': 'net-1',
                  'routes': [{'network': '0.0.0.0', 'netmask': '0.0.0.0',
                              'gateway': GATEWAY}]}],
    'services': [{'type': 'dns', 'address': DNS}],
}
VENDOR_DATA = {'motd': 'welcome'}
EC2_META_DATA = {
    'ami-id': 'ami-00000001',
    'hostname': HOSTNAME,
    'instance-id': 'i-00000001',
    'instance-type': 'm1.small',
    'local-ipv4': FIXED_IP,
    'placement': {'availability-zone': 'nova'},
    'public-keys': {KEY_NAME: KEY},
}
# What cloud-init makes of NETWORK_DATA in a guest whose NIC has MAC.
NETWORK_CONFIG = {'version': 1, 'config': [
    {'type': 'physical', 'name': 'eth0', 'mac_address': MAC, 'mtu': 1450,
     'subnets': [{'type': 'static', 'address': FIXED_IP, 'ipv4': True,
                  'netmask': '255.255.255.0',
                  'routes': [{'network': '0.0.0.0', 'netmask': '0.0.0.0',
                              'gateway': GATEWAY}]}]},
    {'type': 'nameserver', 'address': DNS},
]}

PROXY_HEADERS = {'X-Instance-ID': UUID, 'X-Tenant-ID': 'demo-project',
                 'X-Instance-ID-Signature': 'a' * 64}
FORWARDED_HEADERS = {'X-Forwarded-For': FIXED_IP}


def openstack_files(user_data=True):
    files = {'meta_data.json': json.dumps(META_DATA),
             'network_data.json': json.dumps(NETWORK_DATA),
             'vendor_data.json': json.dumps(VENDOR_DATA)}
    if user_data:
        files['user_data'] = USER_DATA
    tree = {}
    for version in ('2018-08-27', 'latest'):
        for name, body in files.items():
            tree['openstack/%s/%s' % (version, name)] = body
    return tree


def ec2_http_files(version, user_data=True):
    """The EC2 tree as the HTTP service lays it out; a directory's _index
    is its listing."""
    md = 'meta-data/'
    tree = {
        '_index': 'meta-data/\nuser-data' if user_data else 'meta-data/',
        md + '_index': 'ami-id\nhostname\ninstance-id\ninstance-type\n'
                       'local-ipv4\nplacement/\npublic-keys/',
        md + 'placement/_index': 'availability-zone',
        md + 'placement/availability-zone': 'nova',
        md + 'public-keys/_index': '0=%s' % KEY_NAME,
        md + 'public-keys/0/_index': 'openssh-key',
        md + 'public-keys/0/openssh-key': KEY,
    }
    for name in ('ami-id', 'hostname', 'instance-id', 'instance-type',
                 'local-ipv4'):
        tree[md + name] = EC2_META_DATA[name]
    if user_data:
        tree['user-data'] = USER_DATA
    return {'%s/%s' % (version, path): body for path, body in tree.items()}


def write_tree(root, tree):
    for path, body in tree.items():
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        if isinstance(body, str):
            body = body.encode('utf-8')
        with open(full, 'wb') as f:
            f.write(body)


class TreeServer(http.server.ThreadingHTTPServer):
    """Serves the files under root; refuses (403) a request that lacks any
    of the required headers, as the metadata service refuses a caller it
    cannot identify. Keeps each request's path and headers."""

    daemon_threads = True

    def __init__(self, root, required):
        super().__init__(('127.0.0.1', 0), TreeHandler)
        self.root = root
        self.required = required
        self.seen = []

    @property
    def url(self):
        return 'http://127.0.0.1:%d' % self.server_address[1]


class TreeHandler(http.server.BaseHTTPRequestHandler):

    def do_GET(self):
        self.server.seen.append((self.path, dict(self.headers)))
        for name, value in self.server.required.items():
            if self.headers.get(name) != value:
                return self._answer(403, b'403 Forbidden')
        parts = [p for p in urllib.parse.urlsplit(self.path).path.split('/')
                 if p and p != '..']
        path = os.path.join(self.server.root, *parts)
        if os.path.isdir(path):
            path = os.path.join(path, '_index')
        if not os.path.isfile(path):
            return self._answer(404, b'404 Not Found')
        with open(path, 'rb') as f:
            self._answer(200, f.read())

    def _answer(self, status, body):
        self.send_response(status)
        self.send_header('Content-Type', 'text/plain')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        pass


@pytest.fixture
def serve(tmp_path):
    """serve(tree, required_headers) -> a running TreeServer."""
    servers = []

    def start(tree, required):
        root = tmp_path / ('http%d' % len(servers))
        write_tree(str(root), tree)
        server = TreeServer(str(root), required)
        threading.Thread(target=server.serve_forever, args=(0.05,),
                         daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def make_iso(tmp_path, tree, label='config-2', tool='genisoimage'):
    src = tmp_path / 'drive'
    write_tree(str(src), tree)
    iso = str(tmp_path / 'disk.config')
    if tool == 'xorriso':
        cmd = ['xorriso', '-as', 'mkisofs']
    else:
        cmd = ['genisoimage']
    subprocess.run(cmd + ['-quiet', '-o', iso, '-V', label, '-J', '-r',
                          str(src)], check=True, capture_output=True)
    return iso


def config_drive_tree(user_data=True):
    tree = openstack_files(user_data)
    tree['ec2/latest/meta-data.json'] = json.dumps(EC2_META_DATA)
    return tree


def user_data(result_value):
    return base64.b64decode(result_value)


def assert_openstack_result(result, ec2):
    md = result['metadata']
    assert md['uuid'] == UUID
    assert md['instance-id'] == UUID
    assert md['hostname'] == HOSTNAME
    assert md['local-hostname'] == HOSTNAME
    assert md['public_keys'] == {KEY_NAME: KEY}
    assert md['keys'] == META_DATA['keys']
    assert md['availability_zone'] == 'nova'
    assert md['meta'] == {'role': 'web'}
    assert user_data(result['userdata']) == USER_DATA
    assert result['networkdata'] == NETWORK_DATA
    assert result['vendordata'] == VENDOR_DATA
    assert 'vendordata2' not in result
    assert result['ec2-metadata'] == ec2
    assert result['version'] == 2
    # Nothing the test process must decode by hand.
    json.dumps(result)


@pytest.mark.parametrize('headers', [PROXY_HEADERS, FORWARDED_HEADERS],
                         ids=['proxy-headers', 'forwarded-for'])
def test_openstack_reader_reads_the_tree_with_the_headers(serve, headers):
    tree = openstack_files()
    tree.update(ec2_http_files('latest'))
    tree['openstack/_index'] = '2018-08-27\nlatest'
    server = serve(tree, headers)

    result = cloud_init_readers.openstack_metadata(server.url, headers)

    assert_openstack_result(result, EC2_META_DATA)
    paths = [path for path, _headers in server.seen]
    # The newest version cloud-init knows, not 'latest'; and read_v2's
    # EC2 part reached this server, not 169.254.169.254.
    assert '/openstack/2018-08-27/meta_data.json' in paths
    assert '/latest/meta-data/instance-id' in paths
    for path, seen in server.seen:
        for name, value in headers.items():
            assert seen.get(name) == value, path


def test_openstack_reader_without_the_headers_reads_nothing(serve):
    tree = openstack_files()
    tree['openstack/_index'] = 'latest'
    server = serve(tree, PROXY_HEADERS)

    with pytest.raises(cloud_init_readers.ReaderError) as raised:
        cloud_init_readers.openstack_metadata(server.url, {})

    assert raised.value.error_type == 'NonReadable'
    assert 'meta_data.json' in raised.value.message
    assert 'meta_data.json -> 403' in raised.value.log


def test_openstack_reader_without_user_data_gives_empty_user_data(serve):
    tree = openstack_files(user_data=False)
    tree.update(ec2_http_files('latest'))
    tree['openstack/_index'] = 'latest'
    server = serve(tree, FORWARDED_HEADERS)

    result = cloud_init_readers.openstack_metadata(server.url,
                                                   FORWARDED_HEADERS)

    assert result['userdata'] == ''
    assert result['metadata']['uuid'] == UUID


@pytest.mark.parametrize('version', ['latest', '2009-04-04'])
def test_ec2_reader_reads_the_tree_with_the_headers(serve, version):
    server = serve(ec2_http_files(version), PROXY_HEADERS)

    result = cloud_init_readers.ec2_metadata(server.url, PROXY_HEADERS,
                                             api_version=version)

    assert result['meta_data'] == EC2_META_DATA
    assert user_data(result['user_data']) == USER_DATA
    assert all(path.startswith('/%s/' % version)
               for path, _headers in server.seen)


def test_ec2_reader_without_user_data_gives_empty_user_data(serve):
    server = serve(ec2_http_files('latest', user_data=False),
                   FORWARDED_HEADERS)

    result = cloud_init_readers.ec2_metadata(server.url, FORWARDED_HEADERS)

    assert result['user_data'] == ''
    assert result['meta_data']['instance-id'] == 'i-00000001'


def test_ec2_reader_refused_raises_instead_of_an_empty_answer(serve):
    server = serve(ec2_http_files('latest'), PROXY_HEADERS)
    wrong = dict(PROXY_HEADERS, **{'X-Instance-ID-Signature': 'b' * 64})

    with pytest.raises(cloud_init_readers.ReaderError) as raised:
        cloud_init_readers.ec2_metadata(server.url, wrong)

    assert raised.value.error_type == 'ReaderError'
    assert '403' in raised.value.log


@pytest.mark.parametrize('tool', ['genisoimage', 'xorriso'])
def test_config_drive_reader_reads_the_iso(tmp_path, tool):
    iso = make_iso(tmp_path, config_drive_tree(), tool=tool)

    result = cloud_init_readers.config_drive(iso)

    assert_openstack_result(result, EC2_META_DATA)


def test_config_drive_without_user_data_gives_empty_user_data(tmp_path):
    iso = make_iso(tmp_path, config_drive_tree(user_data=False))

    assert cloud_init_readers.config_drive(iso)['userdata'] == ''


def test_config_drive_with_another_label_is_not_one(tmp_path):
    iso = make_iso(tmp_path, config_drive_tree(), label='cidata')

    with pytest.raises(cloud_init_readers.ReaderError) as raised:
        cloud_init_readers.config_drive(iso)

    assert "label 'cidata'" in raised.value.message


def test_config_drive_without_meta_data_is_not_readable(tmp_path):
    tree = {path: body for path, body in config_drive_tree().items()
            if not path.endswith('meta_data.json')}
    iso = make_iso(tmp_path, tree)

    with pytest.raises(cloud_init_readers.ReaderError) as raised:
        cloud_init_readers.config_drive(iso)

    assert raised.value.error_type == 'NonReadable'


def test_network_config_has_the_fixed_ip_gateway_and_dns():
    assert cloud_init_readers.network_config(NETWORK_DATA) == NETWORK_CONFIG


def test_network_config_names_nics_by_the_given_macs():
    config = cloud_init_readers.network_config(
        NETWORK_DATA, known_macs={MAC: 'ens3'})

    assert config['config'][0]['name'] == 'ens3'


def test_version_is_debian_s_cloud_init():
    assert cloud_init_readers.version().split('.')[0].isdigit()


@pytest.mark.parametrize('required', ['1', None])
def test_missing_cloud_init_fails_when_required_else_skips(
        monkeypatch, required):
    monkeypatch.setattr(cloud_init_readers, 'PYTHON', '/nonexistent/python')
    if required:
        monkeypatch.setenv('NOVA_TEST_REQUIRE_SERVICES', required)
        outcome = pytest.fail.Exception
    else:
        monkeypatch.delenv('NOVA_TEST_REQUIRE_SERVICES', raising=False)
        outcome = pytest.skip.Exception

    with pytest.raises(outcome):
        cloud_init_readers.version()
