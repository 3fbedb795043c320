"""POST /flavors takes what Nova takes: an id given as a number (stored
as its text) and os-flavor-access:is_public given as a boolean word."""

import pytest

from tests.unit.nova_api import shape_fixture

MEMBER = {'X-Auth-Token': 'alice:proj-a:member,reader'}


@pytest.fixture(scope='module')
def client(tmp_path_factory):
    from nova_conductor.db import session
    client = shape_fixture.make_client(tmp_path_factory.mktemp('flavors'))
    yield client
    client.manager.cleanup_host()
    session.dispose()


def _create(client, **fields):
    body = {'name': 'f-%s' % len(client.simulate_get(
        '/v2.1/flavors?is_public=none').json['flavors']),
        'ram': 512, 'vcpus': 1, 'disk': 1}
    body.update(fields)
    return client.simulate_post('/v2.1/flavors', json={'flavor': body})


def _listed_to_members(client, flavor_id):
    listed = client.simulate_get('/v2.1/flavors', headers=MEMBER).json
    return flavor_id in [f['id'] for f in listed['flavors']]


def test_an_integer_id_is_stored_and_shown_as_its_text(client):
    resp = _create(client, id=1244404975)
    assert resp.status_code == 200, resp.text
    assert resp.json['flavor']['id'] == '1244404975'
    shown = client.simulate_get('/v2.1/flavors/1244404975')
    assert shown.status_code == 200
    assert shown.json['flavor']['id'] == '1244404975'
    again = _create(client, id='1244404975')
    assert again.status_code == 409


def test_a_negative_or_fractional_number_keeps_its_text(client):
    assert _create(client, id=-7).json['flavor']['id'] == '-7'
    assert _create(client, id=2.5).json['flavor']['id'] == '2.5'


@pytest.mark.parametrize('flavor_id', [1e20, 10 ** 300, True, [], {}])
def test_a_number_whose_text_is_no_valid_id_is_refused(client, flavor_id):
    resp = _create(client, id=flavor_id)
    assert resp.status_code == 400, resp.text
    message = resp.json['badRequest']['message']
    assert message.startswith('Invalid input for field/attribute id.')


def test_text_ids_keep_their_rules(client):
    for bad in ('', ' x', 'x ', 'a/b', 'a' * 256):
        assert _create(client, id=bad).status_code == 400, bad
    assert _create(client, id='ok.id_1-x').json['flavor']['id'] == \
        'ok.id_1-x'


@pytest.mark.parametrize('word,public', [
    ('True', True), ('true', True), ('TRUE', True), ('1', True),
    ('on', True), ('Yes', True), ('False', False), ('false', False),
    ('0', False), ('OFF', False), ('no', False), (True, True),
    (False, False)])
def test_is_public_takes_boolean_words(client, word, public):
    resp = _create(client, **{'os-flavor-access:is_public': word})
    assert resp.status_code == 200, resp.text
    flavor = resp.json['flavor']
    assert flavor['os-flavor-access:is_public'] is public
    assert _listed_to_members(client, flavor['id']) is public


@pytest.mark.parametrize('word', ['t', 'y', 'maybe', '', 1, 0, None])
def test_is_public_refuses_other_values(client, word):
    resp = _create(client, **{'os-flavor-access:is_public': word})
    assert resp.status_code == 400, resp.text
    assert 'os-flavor-access:is_public' in \
        resp.json['badRequest']['message']


def test_admins_filter_the_list_with_any_boolean_word(client):
    private = _create(client, **{'os-flavor-access:is_public': 'False'})
    private = private.json['flavor']['id']
    public = _create(client).json['flavor']['id']
    for word in ('f', 'false', 'no', '0'):
        ids = [f['id'] for f in client.simulate_get(
            '/v2.1/flavors/detail', params={'is_public': word}).json[
                'flavors']]
        assert private in ids and public not in ids, word
    for word in ('t', 'true', 'yes', '1'):
        ids = [f['id'] for f in client.simulate_get(
            '/v2.1/flavors/detail', params={'is_public': word}).json[
                'flavors']]
        assert public in ids and private not in ids, word
