"""Quotas: limits and usage through the API, enforced atomically."""

import concurrent.futures

import pytest

from tests.functional import deployment as deployment_mod


@pytest.fixture(scope='module')
def dep():
    d = deployment_mod.Deployment('postgresql', conductors=2,
                                  host_vcpus=64, host_memory_mb=65536)
    d.start()
    yield d
    d.stop()


def _boot(dep, token, name, **extra):
    return dep.request('POST', '/v2.1/servers', token=token, json={
        'server': dict({'name': name, 'flavorRef': '1',
                        'imageRef': dep.image['id'], 'networks': 'none'},
                       **extra)})


def test_quota_show_update_detail_and_limits(dep):
    got = dep.request('GET', '/v2.1/os-quota-sets/p-show').json()
    assert got['quota_set']['instances'] == 10
    assert got['quota_set']['cores'] == 20
    assert got['quota_set']['id'] == 'p-show'
    resp = dep.request('PUT', '/v2.1/os-quota-sets/p-show', json={
        'quota_set': {'instances': 3, 'cores': 5}})
    assert resp.status_code == 200, resp.text
    assert resp.json()['quota_set']['instances'] == 3
    denied = dep.request('PUT', '/v2.1/os-quota-sets/p-show',
                         token='u:p-show',
                         json={'quota_set': {'instances': 99}})
    assert denied.status_code == 403
    server_id = _boot(dep, 'u:p-show', 'q').json()['server']['id']
    dep.wait_for_server(server_id)
    detail = dep.request('GET', '/v2.1/os-quota-sets/p-show/detail',
                         token='u:p-show').json()['quota_set']
    assert detail['instances'] == {'limit': 3, 'in_use': 1, 'reserved': 0}
    assert detail['ram']['in_use'] == 512
    limits = dep.request('GET', '/v2.1/limits', token='u:p-show').json()
    absolute = limits['limits']['absolute']
    assert (absolute['maxTotalInstances'], absolute['totalInstancesUsed'],
            absolute['totalCoresUsed']) == (3, 1, 1)
    defaults = dep.request('GET', '/v2.1/os-quota-sets/p-show/defaults'
                           ).json()['quota_set']
    assert defaults['instances'] == 10
    dep.request('DELETE', '/v2.1/servers/%s' % server_id)
    dep.wait_gone(server_id)
    assert dep.request('DELETE', '/v2.1/os-quota-sets/p-show'
                       ).status_code == 202
    assert dep.request('GET', '/v2.1/os-quota-sets/p-show').json(
        )['quota_set']['instances'] == 10


def test_concurrent_creates_never_pass_the_quota(dep):
    dep.request('PUT', '/v2.1/os-quota-sets/p-race', json={
        'quota_set': {'instances': 5}})
    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(
            lambda i: _boot(dep, 'u:p-race', 'race-%d' % i), range(12)))
    accepted = [a for a in answers if a.status_code == 202]
    refused = [a for a in answers if a.status_code == 403]
    assert len(accepted) == 5 and len(refused) == 7
    assert refused[0].json()['forbidden']['message'].startswith(
        'Quota exceeded for instances: Requested 1, but already used 5 of '
        '5 instances')
    ids = [a.json()['server']['id'] for a in accepted]
    for server_id in ids:
        dep.wait_for_server(server_id)
    # Freed on delete: one more fits again.
    dep.request('DELETE', '/v2.1/servers/%s' % ids[0])
    dep.wait_gone(ids[0])
    again = _boot(dep, 'u:p-race', 'again')
    assert again.status_code == 202, again.text
    ids = ids[1:] + [again.json()['server']['id']]
    for server_id in ids:
        dep.request('DELETE', '/v2.1/servers/%s' % server_id)
    for server_id in ids:
        dep.wait_gone(server_id)


def test_multi_create_counts_cores_and_metadata_limit(dep):
    dep.request('PUT', '/v2.1/os-quota-sets/p-multi', json={
        'quota_set': {'cores': 2, 'metadata_items': 1}})
    resp = _boot(dep, 'u:p-multi', 'many', min_count=3, max_count=3)
    assert resp.status_code == 403
    assert 'Quota exceeded for cores: Requested 3, but already used 0 of 2' \
        in resp.json()['forbidden']['message']
    meta = _boot(dep, 'u:p-multi', 'meta', metadata={'a': '1', 'b': '2'})
    assert meta.status_code == 403
    assert 'metadata_items' in meta.json()['forbidden']['message']


def test_keypairs_generated_and_imported(dep):
    token = 'alice:p-keys'
    made = dep.request('POST', '/v2.1/os-keypairs', token=token, json={
        'keypair': {'name': 'gen'}})
    assert made.status_code == 200, made.text
    key = made.json()['keypair']
    assert key['private_key'].startswith('-----BEGIN RSA PRIVATE KEY-----')
    assert key['public_key'].startswith('ssh-rsa ')
    assert len(key['fingerprint'].split(':')) == 16
    imported = dep.request('POST', '/v2.1/os-keypairs', token=token, json={
        'keypair': {'name': 'mine', 'public_key': key['public_key']}})
    assert imported.status_code == 200
    assert 'private_key' not in imported.json()['keypair']
    assert imported.json()['keypair']['fingerprint'] == key['fingerprint']
    dup = dep.request('POST', '/v2.1/os-keypairs', token=token, json={
        'keypair': {'name': 'mine', 'public_key': key['public_key']}})
    assert dup.status_code == 409
    bad = dep.request('POST', '/v2.1/os-keypairs', token=token, json={
        'keypair': {'name': 'bad', 'public_key': 'ssh-rsa notbase64!'}})
    assert bad.status_code == 400
    names = [k['keypair']['name'] for k in dep.request(
        'GET', '/v2.1/os-keypairs', token=token).json()['keypairs']]
    assert names == ['gen', 'mine']
    assert dep.request('GET', '/v2.1/os-keypairs', token='bob:p-keys'
                       ).json()['keypairs'] == []
    shown = dep.request('GET', '/v2.1/os-keypairs/gen', token=token).json()
    assert shown['keypair']['user_id'] == 'alice'

    server = _boot(dep, token, 'keyed', key_name='gen')
    assert server.status_code == 202, server.text
    got = dep.wait_for_server(server.json()['server']['id'])
    assert got['key_name'] == 'gen'
    missing = _boot(dep, token, 'nokey', key_name='nope')
    assert missing.status_code == 400
    assert missing.json()['badRequest']['message'] == \
        'Invalid key_name provided.'
    dep.request('DELETE', '/v2.1/servers/%s' % got['id'])
    dep.wait_gone(got['id'])
    for name in ('gen', 'mine'):
        assert dep.request('DELETE', '/v2.1/os-keypairs/%s' % name,
                           token=token).status_code == 202
    assert dep.request('GET', '/v2.1/os-keypairs/gen', token=token
                       ).status_code == 404
