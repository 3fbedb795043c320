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
