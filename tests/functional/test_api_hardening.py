"""Hostile but ordinary requests against real daemons, on PostgreSQL,
MySQL and SQLite: every one is a 400 (or 403/413) in Nova's error shape
naming its field, nothing is stored, lists still answer, memory stays
flat, and a keep-alive connection never reads one request's leftover
body as the next request."""

import json
import socket
import time

import psutil
import pytest

V = {'OpenStack-API-Version': 'compute 2.100'}
PATCH = 'application/openstack-images-v2.1-json-patch'
MAX_INT = 2 ** 31 - 1


def _raw(dep, method, path, raw, content_type='application/json',
         token='admin:admin', headers=None):
    return dep.request(method, path, token=token, data=raw, headers=dict(
        {'Content-Type': content_type}, **dict(V, **(headers or {}))))


def _bad_request(resp, field=None):
    """Nova's 400 body, naming `field`; the message."""
    assert resp.status_code == 400, resp.text
    body = resp.json()
    assert list(body) == ['badRequest'] and body['badRequest']['code'] == 400
    message = body['badRequest']['message']
    if field:
        assert 'field/attribute %s' % field in message, message
    return message


def _glance_bad_request(resp):
    assert resp.status_code == 400, resp.text
    assert resp.json()['code'] == '400 Bad Request'
    return resp.json()['message']


def _boot(dep, name, token='admin:admin', **extra):
    return dep.request('POST', '/v2.1/servers', token=token, headers=dict(V),
                       json={'server': dict({
                           'name': name, 'flavorRef': '1',
                           'imageRef': dep.image['id'],
                           'networks': 'none'}, **extra)})


@pytest.fixture(scope='module')
def server(deployment):
    resp = _boot(deployment, 'hardening', metadata={'k': 'v'},
                 tags=['t1'])
    assert resp.status_code == 202, resp.text
    server_id = resp.json()['server']['id']
    deployment.wait_for_server(server_id)
    return server_id


@pytest.fixture(scope='module')
def image(deployment):
    resp = deployment.request('POST', '/image/v2/images', json={
        'name': 'hardening', 'disk_format': 'raw',
        'container_format': 'bare', 'role': 'base'})
    assert resp.status_code == 201, resp.text
    return resp.json()['id']


def _reads_answer(dep, server_id, image_id):
    """Every read that shows the rows still answers 200."""
    for path in ('/v2.1/servers/detail', '/v2.1/servers/detail?all_tenants=1',
                 '/v2.1/servers/%s' % server_id,
                 '/v2.1/servers/%s/metadata' % server_id,
                 '/image/v2/images', '/image/v2/images/%s' % image_id):
        resp = dep.request('GET', path, headers=dict(V))
        assert resp.status_code == 200, (path, resp.text)


SURROGATE = '"x\\ud800y"'


def test_lone_surrogates_are_refused_and_nothing_is_stored(
        deployment, server, image):
    dep = deployment
    base = '/v2.1/servers/%s' % server
    create = ('{"server": {"name": "s", "flavorRef": "1", "imageRef": "%s",'
              ' "networks": "none", "metadata": {"a": %s}}}'
              % (dep.image['id'], SURROGATE))
    before = dep.request('GET', '/v2.1/servers?all_tenants=1').json()
    _bad_request(_raw(dep, 'POST', '/v2.1/servers', create),
                 'server.metadata.a')
    assert dep.request('GET', '/v2.1/servers?all_tenants=1').json() == before
    _bad_request(_raw(dep, 'PUT', base + '/metadata/a',
                      '{"meta": {"a": %s}}' % SURROGATE), 'meta.a')
    _bad_request(_raw(dep, 'POST', base + '/metadata',
                      '{"metadata": {"\\udc00": "v"}}'), 'metadata')
    _bad_request(_raw(dep, 'PUT', base + '/tags', '{"tags": [%s]}'
                      % SURROGATE), 'tags.0')
    _bad_request(_raw(dep, 'PUT', base, '{"server": {"name": %s}}'
                      % SURROGATE), 'server.name')
    assert dep.request('GET', base + '/metadata').json() == {
        'metadata': {'k': 'v'}}
    assert dep.request('GET', base + '/tags', headers=dict(V)).json() == {
        'tags': ['t1']}
    message = _glance_bad_request(_raw(
        dep, 'POST', '/image/v2/images', '{"name": "i", "p": %s}'
        % SURROGATE))
    assert 'field/attribute p' in message
    message = _glance_bad_request(_raw(
        dep, 'PATCH', '/image/v2/images/%s' % image,
        '[{"op": "add", "path": "/p", "value": %s}]' % SURROGATE, PATCH))
    assert 'field/attribute 0.value' in message
    assert 'p' not in dep.request('GET',
                                  '/image/v2/images/%s' % image).json()
    _reads_answer(dep, server, image)


def test_any_unicode_text_round_trips_on_every_backend(deployment, server,
                                                       image):
    # What is refused is only what UTF-8 cannot encode: 4-byte
    # characters must reach MySQL and back too.
    text = 'é 中 \U0001F600'
    resp = deployment.request('PUT', '/v2.1/servers/%s/metadata/u'
                              % server, json={'meta': {'u': text}})
    assert resp.status_code == 200, resp.text
    assert deployment.request('GET', '/v2.1/servers/%s/metadata/u' % server
                              ).json() == {'meta': {'u': text}}
    resp = deployment.request(
        'PATCH', '/image/v2/images/%s' % image, data=json.dumps(
            [{'op': 'add', 'path': '/u', 'value': text}]),
        headers={'Content-Type': PATCH})
    assert resp.status_code == 200, resp.text
    assert deployment.request('GET', '/image/v2/images/%s' % image
                              ).json()['u'] == text


DEEP = '[' * 2000 + ']' * 2000


@pytest.mark.parametrize('method, path', [
    ('POST', '/v2.1/servers'), ('PUT', '/v2.1/os-quota-sets/p1'),
    ('POST', '/v2.1/os-keypairs'), ('POST', '/v2.1/flavors'),
    ('POST', '/v2.1/os-aggregates'), ('POST', '/v2.1/os-server-groups')])
def test_deep_json_is_400_on_every_json_route(deployment, method, path):
    message = _bad_request(_raw(deployment, method, path, DEEP))
    assert 'nested more than 32 levels deep' in message


def test_deep_json_on_server_and_image_routes_is_400(deployment, server,
                                                     image):
    for path in ('/v2.1/servers/%s' % server,
                 '/v2.1/servers/%s/metadata' % server,
                 '/v2.1/servers/%s/action' % server):
        method = 'PUT' if path.endswith(server) else 'POST'
        _bad_request(_raw(deployment, method, path, DEEP))
    _glance_bad_request(_raw(deployment, 'POST', '/image/v2/images', DEEP))
    _glance_bad_request(_raw(deployment, 'PATCH', '/image/v2/images/%s'
                             % image, DEEP, PATCH))


def test_user_data_that_is_not_base64_is_400(deployment):
    _bad_request(_boot(deployment, 'ud', user_data='é'), 'user_data')


def test_key_pair_data_that_does_not_parse_is_400(deployment):
    resp = deployment.request('POST', '/v2.1/os-keypairs', json={
        'keypair': {'name': 'bad', 'public_key': '"; x'}})
    assert _bad_request(resp).startswith('Keypair data is invalid')
    assert deployment.request('GET', '/v2.1/os-keypairs/bad'
                              ).status_code == 404


@pytest.mark.parametrize('value', [9223372036854775808, 2 ** 31,
                                   '2147483648'])
def test_quotas_past_the_integer_range_are_400_and_unchanged(deployment,
                                                             value):
    before = deployment.request('GET', '/v2.1/os-quota-sets/p-big').json()
    resp = deployment.request('PUT', '/v2.1/os-quota-sets/p-big', json={
        'quota_set': {'instances': value}})
    _bad_request(resp, 'instances')
    assert deployment.request('GET', '/v2.1/os-quota-sets/p-big'
                              ).json() == before


def test_ids_longer_than_their_columns_are_refused(deployment):
    # PostgreSQL and MySQL refuse a value too long for its column.
    resp = deployment.request('PUT', '/v2.1/os-quota-sets/' + 'p' * 300,
                              json={'quota_set': {'instances': 3}})
    _bad_request(resp, 'project_id')
    resp = _boot(deployment, 'long', token='u:' + 'p' * 300)
    assert resp.status_code == 401, resp.text


def test_the_largest_integers_the_schemas_take_fit_their_columns(
        deployment, image):
    resp = deployment.request('PUT', '/v2.1/os-quota-sets/p-max', json={
        'quota_set': {'instances': MAX_INT, 'ram': MAX_INT}})
    assert resp.status_code == 200, resp.text
    assert deployment.request('GET', '/v2.1/os-quota-sets/p-max').json()[
        'quota_set']['instances'] == MAX_INT
    resp = deployment.request('POST', '/v2.1/flavors', json={'flavor': {
        'name': 'max-ints', 'id': 'max-ints', 'ram': MAX_INT,
        'vcpus': MAX_INT, 'disk': MAX_INT, 'swap': MAX_INT,
        'OS-FLV-EXT-DATA:ephemeral': MAX_INT, 'rxtx_factor': 3.4e38}})
    assert resp.status_code == 200, resp.text
    assert deployment.request('GET', '/v2.1/flavors/max-ints').json()[
        'flavor']['ram'] == MAX_INT
    assert deployment.request('DELETE', '/v2.1/flavors/max-ints'
                              ).status_code == 202
    resp = deployment.request(
        'PATCH', '/image/v2/images/%s' % image, data=json.dumps(
            [{'op': 'replace', 'path': '/min_ram', 'value': MAX_INT}]),
        headers={'Content-Type': PATCH})
    assert resp.status_code == 200, resp.text


def _servers(dep, token):
    return dep.request('GET', '/v2.1/servers', token=token).json()['servers']


def test_counts_are_bounded_before_any_record_is_built(deployment):
    dep = deployment
    token = 'u:p-count'
    assert dep.request('PUT', '/v2.1/os-quota-sets/p-count', json={
        'quota_set': {'instances': 2}}).status_code == 200
    rss = psutil.Process(dep.procs['api'][0].pid).memory_info().rss
    for _ in range(5):
        started = time.monotonic()
        resp = _boot(dep, 'many', token=token, min_count=2 ** 31)
        _bad_request(resp, 'min_count')
        assert time.monotonic() - started < 2
    # Past the quota's headroom: Nova's 403, nothing built.
    resp = _boot(dep, 'many', token=token, min_count=3, max_count=5)
    assert resp.status_code == 403, resp.text
    assert resp.json()['forbidden']['message'].startswith(
        'Quota exceeded for instances: Requested 3-5, but already used 0 '
        'of 2 instances')
    assert _servers(dep, token) == []
    # max_count as large as the schema takes: the headroom's 2, at once.
    started = time.monotonic()
    resp = _boot(dep, 'many', token=token, max_count=MAX_INT)
    assert resp.status_code == 202, resp.text
    assert time.monotonic() - started < 5
    grown = psutil.Process(dep.procs['api'][0].pid).memory_info().rss - rss
    assert grown < 8 * 2 ** 20, grown
    made = _servers(dep, token)
    assert sorted(s['name'] for s in made) == ['many-1', 'many-2']
    for item in made:
        dep.request('DELETE', '/v2.1/servers/%s' % item['id'], token=token)
    for item in made:
        dep.wait_gone(item['id'])


# -- raw HTTP on one keep-alive connection ------------------------------

def _connect(dep):
    sock = socket.create_connection(('127.0.0.1', dep.port))
    sock.settimeout(30)
    return sock


def _response(sock):
    data = b''
    while b'\r\n\r\n' not in data:
        more = sock.recv(65536)
        assert more, 'connection closed, got %r' % data
        data += more
    head, _, body = data.partition(b'\r\n\r\n')
    lines = head.decode('latin-1').split('\r\n')
    headers = {k.strip().lower(): v.strip() for k, _, v in
               (line.partition(':') for line in lines[1:])}
    length = int(headers.get('content-length', 0))
    while len(body) < length:
        body += sock.recv(65536)
    assert len(body) == length, 'bytes after the response: %r' % body
    return int(lines[0].split()[1]), headers, body


def _chunked(data, size):
    out = b''.join(b'%x\r\n%s\r\n' % (len(data[i:i + size]),
                                       data[i:i + size])
                   for i in range(0, len(data), size))
    return out + b'0\r\n\r\n'


def _request(method, path, headers=(), body=b''):
    lines = ['%s %s HTTP/1.1' % (method, path), 'Host: nova',
             'X-Auth-Token: admin:admin'] + list(headers)
    return ('\r\n'.join(lines) + '\r\n\r\n').encode() + body


CHUNKED = ('Transfer-Encoding: chunked',)
JSON = ('Content-Type: application/json',)


def test_a_chunked_request_and_the_next_one_on_one_connection(deployment):
    sock = _connect(deployment)
    body = json.dumps({'keypair': {'name': 'chunked-key'}}).encode()
    sock.sendall(_request('POST', '/v2.1/os-keypairs', JSON + CHUNKED,
                          _chunked(body, 7)))
    status, _, answer = _response(sock)
    assert status == 200, answer
    assert json.loads(answer)['keypair']['name'] == 'chunked-key'
    # The next request on the same socket gets its own answer, not
    # "Malformed Request-Line" from leftover chunk bytes.
    sock.sendall(_request('GET', '/v2.1/os-keypairs/chunked-key'))
    status, _, answer = _response(sock)
    assert status == 200, answer
    # A chunked body the route does not read is dropped, not parsed.
    sock.sendall(_request('GET', '/v2.1/flavors', CHUNKED,
                          _chunked(b'GET /evil HTTP/1.1\r\n\r\n', 5)))
    assert _response(sock)[0] == 200
    sock.sendall(_request('DELETE', '/v2.1/os-keypairs/chunked-key'))
    assert _response(sock)[0] == 202
    sock.close()


def test_a_too_large_body_is_413_and_its_connection_closed(deployment):
    for framing, data in ((CHUNKED, _chunked(b' ' * 300000, 65536)),
                          (('Content-Length: 300000',), b' ' * 300000)):
        sock = _connect(deployment)
        sock.sendall(_request('POST', '/v2.1/os-keypairs', JSON + framing,
                              data))
        status, headers, body = _response(sock)
        assert status == 413
        assert json.loads(body)['overLimit']['code'] == 413
        assert headers['connection'] == 'close'
        sock.close()


def test_a_chunked_image_upload_then_a_read_on_one_connection(deployment):
    dep = deployment
    resp = dep.request('POST', '/image/v2/images', json={
        'name': 'chunked', 'disk_format': 'raw',
        'container_format': 'bare'})
    image_id = resp.json()['id']
    data = bytes(range(256)) * 8192 + b'tail'  # 2 MiB and a bit
    sock = _connect(dep)
    sock.sendall(_request(
        'PUT', '/image/v2/images/%s/file' % image_id,
        ('Content-Type: application/octet-stream',) + CHUNKED,
        _chunked(data, 100000)))
    status, _, body = _response(sock)
    assert status == 204, body
    sock.sendall(_request('GET', '/image/v2/images/%s' % image_id))
    status, _, body = _response(sock)
    assert status == 200
    assert (json.loads(body)['status'], json.loads(body)['size']) == (
        'active', len(data))
    sock.close()
    assert dep.request('GET', '/image/v2/images/%s/file' % image_id
                       ).content == data
    dep.request('DELETE', '/image/v2/images/%s' % image_id)
