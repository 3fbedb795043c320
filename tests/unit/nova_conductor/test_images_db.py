"""The image registry's queries: status compare-and-swap, create, delete."""

import concurrent.futures

import pytest

from common import exception
from nova_conductor.db import catalog


def test_only_one_of_racing_uploads_moves_queued_to_saving(db):
    image = catalog.image_create({'name': 'i', 'status': 'queued'})

    def start_upload(_):
        try:
            catalog.image_update(image['id'], {'status': 'saving'},
                                 expected_status='queued')
            return 'won'
        except exception.ImageStatusConflict:
            return 'lost'
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = sorted(pool.map(start_upload, range(4)))
    assert results == ['lost', 'lost', 'lost', 'won']
    assert catalog.image_get(image['id'])['status'] == 'saving'


def test_update_of_a_missing_image_is_not_found(db):
    with pytest.raises(exception.ImageNotFound):
        catalog.image_update('nope', {'name': 'x'}, expected_status='queued')


def test_create_with_a_taken_id_conflicts(db):
    image = catalog.image_create({'name': 'i', 'tags': ['b', 'a', 'b']})
    assert image['tags'] == ['a', 'b']
    with pytest.raises(exception.ImageExists):
        catalog.image_create({'id': image['id'], 'name': 'j'})


def test_protected_image_is_kept(db):
    image = catalog.image_create({'name': 'i', 'protected': True})
    with pytest.raises(exception.ImageProtected):
        catalog.image_delete(image['id'])
    assert catalog.image_get(image['id'])['name'] == 'i'


def test_property_changes_merge_replace_and_remove(db):
    image = catalog.image_create({'name': 'i',
                                  'properties': {'a': '1', 'b': '2'}})
    merged = catalog.image_properties_update(image['id'], {'b': '3',
                                                          'c': '4'})
    assert merged['properties'] == {'a': '1', 'b': '3', 'c': '4'}
    removed = catalog.image_properties_update(image['id'], {}, ['a'])
    assert removed['properties'] == {'b': '3', 'c': '4'}
    replaced = catalog.image_properties_update(image['id'], {'z': '9'},
                                               replace=True)
    assert replaced['properties'] == {'z': '9'}
    assert catalog.image_get(image['id'])['properties'] == {'z': '9'}
    assert replaced['updated_at'] >= image['updated_at']


def test_removing_an_absent_property_changes_nothing(db):
    image = catalog.image_create({'name': 'i', 'properties': {'a': '1'}})
    with pytest.raises(exception.ImageMetadataKeyNotFound):
        catalog.image_properties_update(image['id'], {'b': '2'}, ['x'])
    assert catalog.image_get(image['id'])['properties'] == {'a': '1'}
    with pytest.raises(exception.ImageNotFound):
        catalog.image_properties_update('nope', {'a': '2'})


def test_properties_past_the_limit_are_refused(db):
    image = catalog.image_create({'name': 'i', 'properties': {'a': '1'}})
    with pytest.raises(exception.ImageMetadataLimitExceeded):
        catalog.image_properties_update(image['id'], {'b': '2', 'c': '3'},
                                        max_items=2)
    assert catalog.image_get(image['id'])['properties'] == {'a': '1'}
    # Within the limit, or unlimited (-1), it is taken.
    catalog.image_properties_update(image['id'], {'b': '2'}, max_items=2)
    catalog.image_properties_update(image['id'], {'c': '3'}, max_items=-1)
    # A replace counts only what it leaves.
    left = catalog.image_properties_update(image['id'], {'d': '4'},
                                           replace=True, max_items=1)
    assert left['properties'] == {'d': '4'}


def test_concurrent_property_changes_keep_every_key(db):
    image = catalog.image_create({'name': 'i'})

    def set_one(n):
        catalog.image_properties_update(image['id'], {'k%d' % n: str(n)})
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(set_one, range(24)))
    assert catalog.image_get(image['id'])['properties'] == {
        'k%d' % n: str(n) for n in range(24)}
