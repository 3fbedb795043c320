"""CachingConductor: flavor and image reads reused briefly, any change
through this API clears them."""

import concurrent.futures
import threading

import pytest

from common import exception
from nova_api import lookup_cache


class Conductor:

    def __init__(self):
        self.calls = []
        self.flavors = {'1': {'flavorid': '1', 'vcpus': 1,
                              'extra_specs': {}}}
        self.images = {'img': {'id': 'img', 'status': 'active'},
                       'new': {'id': 'new', 'status': 'queued'}}

    def flavor_get(self, ctxt, flavorid, project_id=None):
        self.calls.append(('flavor_get', flavorid, project_id))
        if flavorid not in self.flavors:
            raise exception.FlavorNotFound(flavor_id=flavorid)
        return dict(self.flavors[flavorid])

    def image_get(self, ctxt, image_id):
        self.calls.append(('image_get', image_id))
        return dict(self.images[image_id])

    def flavor_delete(self, ctxt, flavorid):
        self.calls.append(('flavor_delete', flavorid))
        del self.flavors[flavorid]

    def flavor_access_get(self, ctxt, flavorid):
        self.calls.append(('flavor_access_get', flavorid))
        return []


class Clock:
    now = 100.0

    def __call__(self):
        return self.now


@pytest.fixture
def parts():
    conductor, clock = Conductor(), Clock()
    return lookup_cache.CachingConductor(conductor, 1.0, clock=clock), \
        conductor, clock


def test_reads_within_the_ttl_are_answered_from_the_cache(parts):
    cache, conductor, clock = parts
    assert cache.flavor_get(None, '1')['vcpus'] == 1
    cache.flavor_get(None, '1')
    cache.image_get(None, 'img')
    cache.image_get(None, 'img')
    assert conductor.calls == [('flavor_get', '1', None),
                               ('image_get', 'img')]
    clock.now += 1.5
    cache.flavor_get(None, '1')
    assert conductor.calls[-1] == ('flavor_get', '1', None)
    assert len(conductor.calls) == 3


def test_the_project_is_part_of_the_key(parts):
    cache, conductor, _clock = parts
    cache.flavor_get(None, '1', 'p1')
    cache.flavor_get(None, '1', 'p2')
    assert len(conductor.calls) == 2


def test_a_change_through_this_api_clears_the_cache(parts):
    cache, conductor, _clock = parts
    cache.flavor_get(None, '1')
    cache.flavor_access_get(None, '1')  # a read: clears nothing
    cache.flavor_get(None, '1')
    assert conductor.calls.count(('flavor_get', '1', None)) == 1
    cache.flavor_delete(None, '1')
    with pytest.raises(exception.FlavorNotFound):
        cache.flavor_get(None, '1')


def test_not_found_and_inactive_images_are_asked_again(parts):
    cache, conductor, _clock = parts
    for _ in range(2):
        with pytest.raises(exception.FlavorNotFound):
            cache.flavor_get(None, 'missing')
        cache.image_get(None, 'new')
    assert conductor.calls.count(('flavor_get', 'missing', None)) == 2
    assert conductor.calls.count(('image_get', 'new')) == 2


def test_callers_get_copies(parts):
    cache, _conductor, _clock = parts
    cache.flavor_get(None, '1')['extra_specs']['x'] = 'y'
    assert cache.flavor_get(None, '1')['extra_specs'] == {}


def test_ttl_0_is_no_cache():
    conductor = Conductor()
    assert lookup_cache.wrap(conductor, 0) is conductor


def test_concurrent_misses_ask_the_conductor_once(parts):
    cache, conductor, _clock = parts
    asked = threading.Event()
    answer = threading.Event()
    real_flavor_get = conductor.flavor_get

    def slow_flavor_get(ctxt, flavorid, project_id=None):
        asked.set()
        answer.wait(5)
        return real_flavor_get(ctxt, flavorid, project_id)
    conductor.flavor_get = slow_flavor_get
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        first = pool.submit(cache.flavor_get, None, '1')
        assert asked.wait(5)
        # These arrive while the first read is out.
        others = [pool.submit(cache.flavor_get, None, '1')
                  for _ in range(7)]
        answer.set()
        results = [f.result(5) for f in [first] + others]
    assert [r['vcpus'] for r in results] == [1] * 8
    assert conductor.calls == [('flavor_get', '1', None)]


def test_a_failed_read_is_not_shared(parts):
    cache, conductor, _clock = parts
    for _ in range(2):
        with pytest.raises(exception.FlavorNotFound):
            cache.flavor_get(None, 'missing')
    conductor.flavors['missing'] = {'flavorid': 'missing', 'vcpus': 2,
                                    'extra_specs': {}}
    assert cache.flavor_get(None, 'missing')['vcpus'] == 2
