"""Seeded random requests against a real nova-api-metadata (issue 19).

A deployment (RabbitMQ, PostgreSQL, the metadata service as its own
process, trusting 127.0.0.1 as a proxy and a signing proxy's secret)
runs three servers; then about 600 requests built from the real trees'
paths, mutated (traversal, percent-encoding, unicode, null bytes, very
long), with every way of saying who is asking, right and wrong (an
address forwarded, a signed instance id, garbage, huge headers), by
every method, some with bodies. Every answer must be below 500 and show
no traceback; an answer to a request that proves no identity must name
no server, and one that proves a server's must name no other.

Deterministic by default: NOVA_FUZZ_SEED=<n> replays a run,
NOVA_FUZZ_SEED=random explores. A failure prints the seed, and each
request found wrong as a curl command line.
"""

import base64
import os
import random
import urllib.parse

import pytest
import requests

from nova_api.metadata import requester
from tests.functional import deployment as deployment_mod
from tests.functional import fuzz_http

SECRET = 'fuzz-proxy-secret'
REQUESTS = int(os.environ.get('NOVA_METADATA_FUZZ_REQUESTS', '600'))
SEED = os.environ.get('NOVA_FUZZ_SEED', '19')
if SEED == 'random':
    SEED = str(random.randrange(2 ** 32))
METHODS = ['GET'] * 6 + ['HEAD', 'POST', 'POST', 'PUT', 'DELETE']
WIRE_MUTATIONS = ['..', '%2e%2e', '%2E%2e', '.', '%2f', '%2F..', '%00',
                  '%ff', '%C0%AE', '%ED%A0%80', '%', '%zz', '%25', '%0a',
                  '%E2%80%AE', '~', ';', '*', '+', '%20']
TEXT_MUTATIONS = ['latest', 'LATEST', '2009-04-04', '2020-10-14',
                  '1999-01-01', '0', '-1', '9' * 40, 'meta_data.json',
                  'password', 'user-data', 'meta-data', 'é中😀', '\u202e',
                  'x' * 300, "' OR '1'='1", '<script>', 'openstack', 'ec2']
JUNK_VALUES = ['', ' ', 'x', '\t', 'null', '0' * 64, 'é', 'a' * 2000,
               '../../etc/passwd', '%00', '10.0.0.1, 10.0.0.2',
               '127.0.0.1', '::1', '0.0.0.0', '255.255.255.255',
               '10.14.0.250', 'fe80::1%eth0', '10.14.0.2/24', ',,,',
               "1.2.3.4' --"]


@pytest.fixture(scope='module')
def dep():
    deployment = deployment_mod.Deployment(
        'postgresql', metadata=True, fixed_range_v4='10.14.0.0/24',
        extra_conf='''
[neutron]
service_metadata_proxy = true
metadata_proxy_shared_secret = %s
[api]
trusted_proxies = 127.0.0.1
''' % SECRET)
    deployment.start()
    yield deployment
    deployment.stop()


def _boot(dep, name, **extra):
    body = dict({'name': name, 'flavorRef': '1', 'networks': 'auto',
                 'imageRef': dep.image['id']}, **extra)
    resp = dep.request('POST', '/v2.1/servers', json={'server': body})
    assert resp.status_code == 202, resp.text
    return resp.json()['server']['id']


@pytest.fixture(scope='module')
def servers(dep):
    """Three servers: {uuid: {'ip', 'tenant', 'key'}}."""
    key = dep.request('POST', '/v2.1/os-keypairs', json={
        'keypair': {'name': 'fuzz-key'}}).json()['keypair']
    ids = [_boot(dep, 'fuzz-0', key_name='fuzz-key',
                 user_data=base64.b64encode(b'#!/bin/sh\n').decode()),
           _boot(dep, 'fuzz-1'), _boot(dep, 'fuzz-2')]
    out = {}
    for server_id in ids:
        server = dep.wait_for_server(server_id)
        assert server['status'] == 'ACTIVE', server
        out[server_id] = {
            'ip': server['addresses']['private'][0]['addr'],
            'tenant': server['tenant_id'],
            'key': key['public_key'] if server['key_name'] else None}
    return out


def _real_paths(dep, servers):
    """Every path of one server's trees, walked as a guest would."""
    server = next(iter(servers.values()))
    headers = {'X-Forwarded-For': server['ip']}
    found, todo = [], ['/', '/openstack/']
    while todo:
        path = todo.pop()
        found.append(path)
        resp = requests.get(dep.metadata + path, headers=headers,
                            timeout=10)
        assert resp.status_code == 200, (path, resp.text)
        if not path.endswith('/'):
            continue
        for line in resp.text.split('\n'):
            name = line.split('=', 1)[0]
            if path == '/' and name != 'latest':
                continue  # one EC2 version walked is enough
            if name:
                todo.append(path + name + ('/' if line.endswith('/') or
                                           path in ('/', '/openstack/')
                                           else ''))
    return found


class Fuzzer:
    """Builds requests from one random.Random, and knows which identity
    each one proves (None: none)."""

    def __init__(self, rng, paths, servers):
        self.rng = rng
        self.paths = paths
        self.servers = servers

    def path(self):
        rng = self.rng
        names = rng.choice(self.paths).strip('/').split('/')
        for _ in range(rng.choice([0, 0, 0, 1, 1, 2, 3])):
            at = rng.randrange(len(names) + 1)
            kind = rng.random()
            if kind < 0.45:
                names.insert(at, rng.choice(WIRE_MUTATIONS))
            elif kind < 0.75:
                text = rng.choice(TEXT_MUTATIONS)
                # Percent-encoded, or (non-ASCII) raw UTF-8 on the wire.
                raw = not text.isascii() and rng.random() < 0.5
                names.insert(at, text if raw else
                             urllib.parse.quote(text, safe=''))
            elif kind < 0.85 and names:
                names[rng.randrange(len(names))] += rng.choice(
                    ['%00', '/', '//', '.json', '~', '%2f'])
            elif kind < 0.95:
                names.insert(at, 'a' * rng.choice([100, 1000, 9000]))
            else:
                names.insert(at, '')  # a double slash
        path = '/' + '/'.join(names)
        if rng.random() < 0.2:
            path += '/'
        return path

    def identity(self):
        """(headers, uuid of the server they prove, or None)."""
        rng = self.rng
        uuid, info = rng.choice(list(self.servers.items()))
        other = rng.choice(list(self.servers))
        signature = requester.sign(uuid, SECRET)
        proving = [
            ({'X-Forwarded-For': info['ip']}, uuid),
            ({'X-Forwarded-For': '10.0.0.9, ' + info['ip']}, uuid),
            ({'X-Instance-ID': uuid, 'X-Tenant-ID': info['tenant'],
              'X-Instance-ID-Signature': signature}, uuid)]
        proving_nothing = [
            ({}, None),
            ({'X-Forwarded-For': rng.choice(JUNK_VALUES)}, None),
            ({'X-Forwarded-For': info['ip'] + ', 10.14.0.250'}, None),
            ({'X-Instance-ID': uuid, 'X-Tenant-ID': info['tenant']}, None),
            ({'X-Instance-ID': uuid, 'X-Tenant-ID': info['tenant'],
              'X-Instance-ID-Signature': requester.sign(other, SECRET)
              if other != uuid else '0' * 64}, None),
            ({'X-Instance-ID': uuid, 'X-Tenant-ID': info['tenant'],
              'X-Instance-ID-Signature': rng.choice(JUNK_VALUES)}, None),
            ({'X-Instance-ID': uuid, 'X-Tenant-ID': 'another-project',
              'X-Instance-ID-Signature': signature}, None),
            ({'X-Instance-ID': uuid.upper(), 'X-Tenant-ID': info['tenant'],
              'X-Instance-ID-Signature': requester.sign(uuid.upper(),
                                                        SECRET)}, None),
            ({'X-Instance-ID': rng.choice(JUNK_VALUES),
              'X-Tenant-ID': rng.choice(JUNK_VALUES),
              'X-Instance-ID-Signature': rng.choice(JUNK_VALUES)}, None),
            # A valid address beside a proxy header: the proxy's rules.
            ({'X-Forwarded-For': info['ip'], 'X-Instance-ID': other,
              'X-Tenant-ID': info['tenant']}, None),
        ]
        headers, proves = rng.choice(
            proving if rng.random() < 0.4 else proving_nothing)
        headers = {k: v for k, v in headers.items()
                   if v or rng.random() < 0.5}
        if proves is None or rng.random() < 0.1:
            # The header names in odd case: HTTP does not care.
            headers = {rng.choice([k, k.lower(), k.upper()]): v
                       for k, v in headers.items()}
        return headers, proves

    def extra_headers(self):
        rng = self.rng
        kind = rng.random()
        if kind < 0.8:
            return {}
        if kind < 0.9:
            return {'X-Junk-%d' % rng.randrange(1000):
                    'v' * rng.choice([10, 5000, 70000])}
        value = ''.join(chr(rng.randrange(0x20, 0x7f)) for _ in range(50))
        return {rng.choice(['Content-Type', 'Accept', 'X-Tenant-ID',
                            'Host', 'X-Forwarded-Proto']): value}

    def body(self, method):
        rng = self.rng
        if method in ('GET', 'HEAD', 'DELETE') and rng.random() < 0.8:
            return None
        size = rng.choice([0, 1, 10, 1020, 1021, 4000, 200000])
        # Bytes that cannot spell a uuid: a password read back later
        # must not look like a leak.
        return bytes(rng.choice(b'xyz\x00\xff\xfe\n ') for _ in range(size))

    def request(self):
        rng = self.rng
        method = rng.choice(METHODS)
        if method == 'POST' and rng.random() < 0.5:
            path = rng.choice(['/openstack/latest/password',
                               '/openstack/2013-04-04/password',
                               '/openstack/2012-08-10/password'])
        else:
            path = self.path()
        headers, proves = self.identity()
        headers.update(self.extra_headers())
        body = self.body(method)
        raw = any(ord(c) > 127 for c in path)
        req = fuzz_http.Request(method, path, headers=headers, body=body,
                                chunked=body is not None and
                                rng.random() < 0.2, raw_utf8=raw)
        return req, proves


def _problems(req, resp, proves, servers):
    found = []
    if resp.status >= 500:
        found.append('%d: the metadata service failed' % resp.status)
    text = resp.body.decode('utf-8', 'replace')
    for leak in fuzz_http.LEAKS:
        if leak in text:
            found.append('the body shows %r' % leak)
    for uuid, info in servers.items():
        if uuid == proves:
            continue
        if uuid in text or (info['key'] and info['key'] in text):
            found.append('answers %s with server %s\'s data' % (
                'a request proving no identity' if proves is None
                else 'server %s' % proves, uuid))
    return found


def test_random_requests_fail_nothing_and_leak_nothing(dep, servers,
                                                       tmp_path):
    paths = _real_paths(dep, servers)
    assert len(paths) > 30
    rng = random.Random(int(SEED))
    fuzzer = Fuzzer(rng, paths, servers)
    port = int(dep.metadata.rsplit(':', 1)[1])
    client = fuzz_http.Client('127.0.0.1', port, timeout=30)
    failures, statuses = [], {}
    try:
        for index in range(REQUESTS):
            req, proves = fuzzer.request()
            try:
                resp = client.send(req)
            except Exception as error:
                failures.append((req, ['no answer: %r' % error]))
                continue
            statuses[resp.status] = statuses.get(resp.status, 0) + 1
            found = _problems(req, resp, proves, servers)
            if found:
                failures.append((req, found))
    finally:
        client.close()
    report = []
    for number, (req, found) in enumerate(failures[:10]):
        report.append('%s\n  %s' % (
            req.curl(dep.metadata, str(tmp_path / ('body%d' % number))),
            '\n  '.join(found)))
    assert not failures, 'NOVA_FUZZ_SEED=%s: %d of %d requests wrong:\n%s' \
        '\n--- metadata log ---\n%s' % (
            SEED, len(failures), REQUESTS, '\n'.join(report),
            dep.log('metadata')[-5000:])
    # The run reached the trees, not only the door.
    assert statuses.get(200, 0) > REQUESTS // 20, (SEED, statuses)
    assert statuses.get(404, 0) and statuses.get(403, 0), (SEED, statuses)
    # And the service still answers a guest.
    uuid, info = next(iter(servers.items()))
    resp = requests.get(dep.metadata + '/openstack/latest/meta_data.json',
                        headers={'X-Forwarded-For': info['ip']}, timeout=10)
    assert resp.json()['uuid'] == uuid
