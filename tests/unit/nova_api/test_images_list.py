"""GET /v2.1/images and /images/detail: Nova's filters, limit and marker
pages with images_links, and the image view's links (local registry)."""

import time
import urllib.parse

import pytest

from nova_conductor.db import catalog
from tests.unit.nova_api import shape_fixture

ALICE = {'X-Auth-Token': 'alice:proj-i:member,reader'}
SERVER = '5b1e0a3c-7d2f-4e6a-9c8b-1a2b3c4d5e6f'


@pytest.fixture(scope='module')
def world(tmp_path_factory):
    from nova_conductor.db import session
    client = shape_fixture.make_client(tmp_path_factory.mktemp('imglist'))
    catalog.image_delete(client.facts['image'])
    images = []
    for n, (status, min_ram, props) in enumerate([
            ('active', 0, {}),
            ('active', 512, {'image_type': 'snapshot',
                             'instance_uuid': SERVER}),
            ('queued', 1024, {'os_distro': 'cirros',
                              'auto_disk_config': 'True'})]):
        images.append(catalog.image_create({
            'name': 'list-%d' % n, 'status': status, 'owner': 'proj-i',
            'visibility': 'private', 'min_ram': min_ram,
            'properties': props}))
        time.sleep(0.01)
    client.images = images
    yield client
    client.manager.cleanup_host()
    session.dispose()


def _list(client, path='/v2.1/images', **params):
    resp = client.simulate_get(path, params=params, headers=ALICE)
    assert resp.status_code == 200, resp.text
    return resp.json


def _ids(body):
    return [i['id'] for i in body['images']]


def test_newest_first_and_no_links_when_the_page_is_not_full(world):
    body = _list(world)
    mine = [i['id'] for i in reversed(world.images)]
    assert _ids(body) == mine
    assert 'images_links' not in body


@pytest.mark.parametrize('path', ['/v2.1/images', '/v2.1/images/detail'])
def test_limit_and_marker_walk_the_list_by_next_links(world, path):
    seen = []
    body = _list(world, path, limit='1')
    while True:
        assert len(body['images']) <= 1
        seen += _ids(body)
        if 'images_links' not in body:
            break
        [link] = body['images_links']
        assert link['rel'] == 'next'
        url = urllib.parse.urlsplit(link['href'])
        assert url.path == path.replace('/v2.1', '/v2.1/proj-i')
        params = dict(urllib.parse.parse_qsl(url.query))
        assert params['limit'] == '1' and params['marker'] == seen[-1]
        body = _list(world, path, **params)
    assert seen == [i['id'] for i in reversed(world.images)]


def test_limit_zero_is_an_empty_page(world):
    assert _list(world, limit='0') == {'images': []}


@pytest.mark.parametrize('params', [
    {'limit': '-1'}, {'limit': 'x'}, {'marker': 'nope'},
    {'changes-since': 'yesterday'},
    {'changes-since': '0001-01-01T00:00:00+01:00'}, {'minRam': 'big'}])
def test_bad_paging_or_filters_are_400(world, params):
    resp = world.simulate_get('/v2.1/images', params=params, headers=ALICE)
    assert resp.status_code == 400
    assert resp.json['badRequest']['code'] == 400


@pytest.mark.parametrize('params,expected', [
    ({'status': 'ACTIVE'}, [0, 1]),
    ({'status': 'SAVING'}, []),
    ({'status': 'queued'}, [2]),
    ({'name': 'list-1'}, [1]),
    ({'minRam': '600'}, [2]),
    ({'type': 'snapshot'}, [1]),
    ({'server': SERVER}, [1]),
    ({'server': 'http://nova/v2.1/proj-i/servers/%s' % SERVER}, [1]),
    ({'property-os_distro': 'cirros'}, [2]),
    ({'changes-since': '2000-01-01T00:00:00Z'}, [0, 1, 2]),
    ({'changes-since': '2999-01-01T00:00:00Z'}, []),
])
def test_filters(world, params, expected):
    want = [world.images[n]['id'] for n in sorted(expected, reverse=True)]
    assert _ids(_list(world, '/v2.1/images/detail', **params)) == want
    assert _ids(_list(world, **params)) == want


def test_detail_view_has_nova_fields_and_links(world):
    by_id = {i['id']: i for i in _list(world, '/v2.1/images/detail')[
        'images']}
    snapshot = by_id[world.images[1]['id']]
    assert snapshot['status'] == 'ACTIVE' and snapshot['progress'] == 100
    assert snapshot['minRam'] == 512
    assert snapshot['server']['id'] == SERVER
    assert snapshot['server']['links'][0]['href'].endswith(
        '/v2.1/proj-i/servers/%s' % SERVER)
    assert 'OS-DCF:diskConfig' not in snapshot
    queued = by_id[world.images[2]['id']]
    assert (queued['status'], queued['progress']) == ('SAVING', 25)
    assert queued['OS-DCF:diskConfig'] == 'AUTO'
    rels = [(link['rel'], link.get('type')) for link in snapshot['links']]
    assert rels == [('self', None), ('bookmark', None),
                    ('alternate', 'application/vnd.openstack.image')]
    assert snapshot['links'][2]['href'].endswith(
        '/image/images/%s' % world.images[1]['id'])
