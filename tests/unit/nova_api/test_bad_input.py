"""Bad input is a 400 naming the field and stores nothing, on a real
conductor and SQLite (where a 2^63 quota once raised OverflowError)."""

import pytest

from tests.unit.nova_api import shape_fixture

V226 = {'OpenStack-API-Version': 'compute 2.26'}
SURROGATE = '{"x": "a\\ud800"}'


@pytest.fixture(scope='module')
def client(tmp_path_factory):
    from nova_conductor.db import session
    client = shape_fixture.make_client(tmp_path_factory.mktemp('bad-input'))
    yield client
    client.manager.cleanup_host()
    session.dispose()


def _send(client, method, path, raw, headers=None,
          content_type='application/json'):
    return client.simulate_request(
        method, path, body=raw.encode(),
        headers=dict({'Content-Type': content_type}, **(headers or {})))


def _bad(resp, field):
    assert resp.status_code == 400, resp.text
    message = resp.json['badRequest']['message']
    assert 'field/attribute %s' % field in message, message
    return message


def test_surrogates_in_server_metadata_and_tags_are_refused_unstored(client):
    server = client.facts['server']
    base = '/v2.1/servers/%s' % server
    before = client.simulate_get(base + '/metadata').json
    _bad(_send(client, 'POST', base + '/metadata',
               '{"metadata": %s}' % SURROGATE), 'metadata.x')
    _bad(_send(client, 'PUT', base + '/metadata/x',
               '{"meta": %s}' % SURROGATE), 'meta.x')
    _bad(_send(client, 'PUT', base + '/tags', '{"tags": ["\\udfff"]}',
               V226), 'tags.0')
    assert client.simulate_get(base + '/metadata').json == before
    assert client.simulate_get(base + '/tags', headers=V226).json == {
        'tags': []}
    assert client.simulate_get('/v2.1/servers/detail').status_code == 200


def test_surrogates_in_image_properties_are_glance_400s(client):
    resp = _send(client, 'POST', '/image/v2/images',
                 '{"name": "i", "\\ud800": "v"}')
    assert resp.status_code == 400
    assert resp.json['code'] == '400 Bad Request'
    assert 'lone surrogate' in resp.json['message']
    image = client.facts['image']
    resp = _send(client, 'PATCH', '/image/v2/images/%s' % image,
                 '[{"op": "add", "path": "/p", "value": "\\ud800"}]',
                 content_type='application/openstack-images-v2.1-json-patch')
    assert resp.status_code == 400
    assert 'field/attribute 0.value' in resp.json['message']
    assert 'p' not in client.simulate_get(
        '/image/v2/images/%s' % image).json
    assert client.simulate_get('/image/v2/images').status_code == 200


def test_key_pair_data_that_does_not_parse_is_novas_400(client):
    for key in ('"; x', 'ssh-rsa', 'ssh-ed25519 AAAA x', 'x' * 5000):
        resp = client.simulate_post('/v2.1/os-keypairs', json={
            'keypair': {'name': 'bad', 'public_key': key}})
        assert resp.status_code == 400, resp.text
        assert resp.json['badRequest']['message'].startswith(
            'Keypair data is invalid')
    assert client.simulate_get('/v2.1/os-keypairs/bad').status_code == 404


@pytest.mark.parametrize('value', [
    9223372036854775808, 2 ** 31, '2147483648', -2])
def test_quotas_past_the_column_range_are_400_and_unchanged(client, value):
    before = client.simulate_get('/v2.1/os-quota-sets/p-big').json
    _bad(client.simulate_put('/v2.1/os-quota-sets/p-big', json={
        'quota_set': {'instances': value}}), 'instances')
    assert client.simulate_get('/v2.1/os-quota-sets/p-big').json == before


def test_the_largest_quota_fits_its_column(client):
    resp = client.simulate_put('/v2.1/os-quota-sets/p-max', json={
        'quota_set': {'instances': 2 ** 31 - 1, 'cores': -1}})
    assert resp.status_code == 200, resp.text
    assert client.simulate_get('/v2.1/os-quota-sets/p-max').json[
        'quota_set']['instances'] == 2 ** 31 - 1


@pytest.mark.parametrize('field, value', [
    ('ram', 2 ** 31), ('vcpus', '99999999999'), ('disk', 2 ** 40),
    ('OS-FLV-EXT-DATA:ephemeral', 2 ** 31), ('swap', 2 ** 31),
    ('rxtx_factor', 1e39)])
def test_flavor_numbers_past_their_columns_are_400(client, field, value):
    flavor = {'name': 'huge-%s' % field, 'ram': 1, 'vcpus': 1, 'disk': 0}
    flavor[field] = value
    _bad(client.simulate_post('/v2.1/flavors', json={'flavor': flavor}),
         field)


def test_an_extra_spec_number_longer_than_its_column_is_400(client):
    resp = _send(client, 'POST', '/v2.1/flavors/1/os-extra_specs',
                 '{"extra_specs": {"k": %s}}' % ('9' * 300))
    _bad(resp, 'k')
    assert 'k' not in client.simulate_get(
        '/v2.1/flavors/1/os-extra_specs').json['extra_specs']


@pytest.mark.parametrize('query', ['limit=²', 'limit=1.5', 'minRam=-1'])
def test_query_integers_that_are_not_digits_are_400(client, query):
    assert client.simulate_get('/v2.1/flavors', query_string=query
                               ).status_code == 400


@pytest.mark.parametrize('path', [
    '/v2.1/flavors?limit=%s' % ('9' * 50),
    '/v2.1/flavors/detail?minRam=99999999999999999999',
    '/v2.1/os-keypairs?limit=99999999999999999999',
    '/v2.1/os-server-groups?offset=99999999999999999999'])
def test_query_integers_past_the_columns_range_still_answer(client, path):
    path, _, query = path.partition('?')
    resp = client.simulate_get(path, query_string=query, headers={
        'OpenStack-API-Version': 'compute 2.35'})
    assert resp.status_code == 200, resp.text


def test_console_output_length_past_the_range_is_400(client):
    resp = client.simulate_post(
        '/v2.1/servers/%s/action' % client.facts['server'],
        json={'os-getConsoleOutput': {'length': '9' * 5000}})
    _bad(resp, 'length')


def test_a_project_id_longer_than_its_column_is_400_not_stored(client):
    resp = client.simulate_put('/v2.1/os-quota-sets/' + 'p' * 256, json={
        'quota_set': {'instances': 3}})
    _bad(resp, 'project_id')


def test_noauth_ids_longer_than_their_columns_are_401(client):
    for token in ('u:' + 'p' * 256, 'u' * 256 + ':p'):
        resp = client.simulate_get('/v2.1/servers',
                                   headers={'X-Auth-Token': token})
        assert resp.status_code == 401
        assert resp.json['unauthorized']['code'] == 401
