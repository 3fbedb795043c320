"""OS-DCF:diskConfig is kept per server: chosen at create (or by the
image), changed by a rebuild or an update, shown on every server body."""

import pytest

from common import exception
from common import states
from nova_api import disk_config
from nova_conductor.db import catalog
from nova_conductor.db import instance_transitions as transitions_db
from nova_conductor.db import instances as instances_db
from nova_conductor.db import session
from tests.unit.nova_api import shape_fixture

OWNER = {'X-Auth-Token': 'admin:admin'}


def _image(prop):
    return {'id': 'img-1', 'properties': {} if prop is None
            else {'auto_disk_config': prop}}


@pytest.mark.parametrize('prop, requested, expected', [
    (None, None, False),            # no property: MANUAL
    ('True', None, True),           # the image asks for AUTO
    ('yes', None, True),
    (True, None, True),
    ('False', None, False),
    ('disabled', None, False),
    ('Disabled ', 'MANUAL', False),
    (None, 'AUTO', True),           # the body decides over the default
    ('False', 'AUTO', True),        # false is a default, not a refusal
    ('True', 'MANUAL', False),
])
def test_a_new_servers_mode(prop, requested, expected):
    assert disk_config.for_create(_image(prop), requested) is expected


@pytest.mark.parametrize('prop', ['disabled', 'DISABLED', ' Disabled'])
def test_auto_on_an_image_that_disables_it_is_400(prop):
    with pytest.raises(exception.NovaException) as caught:
        disk_config.for_create(_image(prop), 'AUTO')
    assert caught.value.code == 400
    assert caught.value.message == ('Requested image img-1 has automatic '
                                    'disk resize disabled.')


def test_a_rebuild_or_update_changes_the_mode_only_when_named():
    assert disk_config.requested_value({'name': 'x'}) == {}
    assert disk_config.requested_value(
        {'OS-DCF:diskConfig': 'AUTO'}) == {'auto_disk_config': True}
    assert disk_config.requested_value(
        {'OS-DCF:diskConfig': 'MANUAL'}, _image('disabled')) == {
            'auto_disk_config': False}


class _Compute(shape_fixture.FakeCompute):
    def rebuild_instance(self, ctxt, host, instance, image):
        self.rebuilt = instance['uuid']


@pytest.fixture
def client(tmp_path, monkeypatch):
    client = shape_fixture.make_client(tmp_path)
    client.manager.compute_api = _Compute()
    # No scheduler here: the create stops at its records.
    monkeypatch.setattr(client.manager, '_start_build',
                        lambda *args, **kwargs: None)
    facts = client.facts
    facts['auto_image'] = catalog.image_create({
        'name': 'auto', 'status': 'active',
        'properties': {'auto_disk_config': 'True'}})['id']
    facts['no_auto_image'] = catalog.image_create({
        'name': 'fixed', 'status': 'active',
        'properties': {'auto_disk_config': 'disabled'}})['id']
    yield client
    session.dispose()


def _show(client, server_id):
    resp = client.simulate_get('/v2.1/servers/%s' % server_id,
                               headers=OWNER)
    assert resp.status_code == 200, resp.text
    return resp.json['server']['OS-DCF:diskConfig']


def _create(client, image, **extra):
    return client.simulate_post('/v2.1/servers', headers=OWNER, json={
        'server': dict({'name': 'web', 'flavorRef': '1', 'imageRef': image,
                        'networks': 'none'}, **extra)})


def _stored(server_id):
    return instances_db.get(server_id)['auto_disk_config']


@pytest.mark.parametrize('image, extra, expected', [
    ('image', {}, 'MANUAL'),
    ('image', {'OS-DCF:diskConfig': 'AUTO'}, 'AUTO'),
    ('auto_image', {}, 'AUTO'),
    ('auto_image', {'OS-DCF:diskConfig': 'MANUAL'}, 'MANUAL'),
    ('no_auto_image', {}, 'MANUAL'),
])
def test_create_stores_and_shows_the_mode(client, image, extra, expected):
    resp = _create(client, client.facts[image], **extra)
    assert resp.status_code == 202, resp.text
    server = resp.json['server']
    assert server['OS-DCF:diskConfig'] == expected
    assert _stored(server['id']) is (expected == 'AUTO')
    assert _show(client, server['id']) == expected
    detail = client.simulate_get('/v2.1/servers/detail', headers=OWNER)
    [listed] = [s for s in detail.json['servers'] if s['id'] == server['id']]
    assert listed['OS-DCF:diskConfig'] == expected


def test_create_asking_auto_of_an_image_that_disables_it_is_400(client):
    resp = _create(client, client.facts['no_auto_image'],
                   **{'OS-DCF:diskConfig': 'AUTO'})
    assert resp.status_code == 400
    assert resp.json == {'badRequest': {
        'code': 400, 'message': 'Requested image %s has automatic disk '
                                'resize disabled.'
                                % client.facts['no_auto_image']}}
    assert instances_db.get_all({'display_name': 'web'}) == []


def test_update_switches_the_mode_both_ways(client):
    server_id = client.facts['server']
    assert _show(client, server_id) == 'MANUAL'
    for mode in ('AUTO', 'MANUAL'):
        resp = client.simulate_put(
            '/v2.1/servers/%s' % server_id, headers=OWNER,
            json={'server': {'OS-DCF:diskConfig': mode}})
        assert resp.status_code == 200, resp.text
        assert resp.json['server']['OS-DCF:diskConfig'] == mode
        assert _stored(server_id) is (mode == 'AUTO')
        assert _show(client, server_id) == mode


def test_an_update_of_the_name_leaves_the_mode(client):
    server_id = client.facts['server']
    client.simulate_put('/v2.1/servers/%s' % server_id, headers=OWNER,
                        json={'server': {'OS-DCF:diskConfig': 'AUTO'}})
    resp = client.simulate_put('/v2.1/servers/%s' % server_id,
                               headers=OWNER,
                               json={'server': {'name': 'renamed'}})
    assert resp.json['server']['OS-DCF:diskConfig'] == 'AUTO'
    assert _stored(server_id) is True


def _rebuild(client, server_id, image, **extra):
    return client.simulate_post(
        '/v2.1/servers/%s/action' % server_id, headers=OWNER,
        json={'rebuild': dict({'imageRef': image}, **extra)})


def _make_active(server_id):
    transitions_db.update(server_id, {'vm_state': states.ACTIVE,
                                      'task_state': None})


@pytest.mark.parametrize('mode', ['AUTO', 'MANUAL'])
def test_rebuild_sets_the_mode_it_is_given(client, mode):
    server_id = client.facts['server']
    _make_active(server_id)
    start = 'MANUAL' if mode == 'AUTO' else 'AUTO'
    client.simulate_put('/v2.1/servers/%s' % server_id, headers=OWNER,
                        json={'server': {'OS-DCF:diskConfig': start}})
    resp = _rebuild(client, server_id, client.facts['image'],
                    **{'OS-DCF:diskConfig': mode})
    assert resp.status_code == 202, resp.text
    assert resp.json['server']['OS-DCF:diskConfig'] == mode
    assert client.manager.compute_api.rebuilt == server_id
    assert _stored(server_id) is (mode == 'AUTO')
    assert _show(client, server_id) == mode


def test_rebuild_without_the_key_keeps_the_mode(client):
    server_id = client.facts['server']
    _make_active(server_id)
    client.simulate_put('/v2.1/servers/%s' % server_id, headers=OWNER,
                        json={'server': {'OS-DCF:diskConfig': 'AUTO'}})
    resp = _rebuild(client, server_id, client.facts['no_auto_image'])
    assert resp.status_code == 202, resp.text
    assert resp.json['server']['OS-DCF:diskConfig'] == 'AUTO'
    assert _stored(server_id) is True


def test_rebuild_asking_auto_of_an_image_that_disables_it_is_400(client):
    server_id = client.facts['server']
    _make_active(server_id)
    resp = _rebuild(client, server_id, client.facts['no_auto_image'],
                    **{'OS-DCF:diskConfig': 'AUTO'})
    assert resp.status_code == 400
    assert resp.json['badRequest']['message'] == (
        'Requested image %s has automatic disk resize disabled.'
        % client.facts['no_auto_image'])
    instance = instances_db.get(server_id)
    assert (instance['task_state'], instance['auto_disk_config']) == (
        None, False)
    assert not hasattr(client.manager.compute_api, 'rebuilt')
