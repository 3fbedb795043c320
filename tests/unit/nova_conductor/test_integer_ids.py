"""Ids from URLs that no Integer primary key can hold are not found, never
a driver error (found by the API fuzzer: DELETE
/os-services/9223372036854775808 raised SQLite's OverflowError, a 500)."""

import pytest

from common import exception
from nova_conductor.db import aggregates
from nova_conductor.db import convert
from nova_conductor.db import services
from tests.unit.nova_conductor import dbhelpers

HOSTILE = ['9223372036854775808', '2147483648', '1' * 5000, '\u00b2',
           '\u0663', '-1', '1.0', ' 1', '']


def test_integer_id_takes_ascii_digits_within_the_column():
    assert convert.integer_id('7') == 7
    assert convert.integer_id(7) == 7
    assert convert.integer_id('2147483647') == 2 ** 31 - 1
    for text in HOSTILE:
        assert convert.integer_id(text) is None, text


@pytest.mark.parametrize('text', HOSTILE)
def test_an_aggregate_id_no_row_can_have_is_not_found(db, text):
    aggregates.create('a')
    with pytest.raises(exception.NotFound):
        aggregates.get(text)


@pytest.mark.parametrize('text', HOSTILE)
def test_a_service_id_no_row_can_have_is_not_found(db, text):
    dbhelpers.make_node('h1')
    with pytest.raises(exception.ServiceNotFound):
        services.delete(text)
    with pytest.raises(exception.ServiceNotFound):
        services.update(text, {'disabled': True})


def test_services_are_found_by_id_and_uuid(db):
    dbhelpers.make_node('h1')
    found = services.update('1', {'disabled': True})
    assert found['disabled']
    assert services.update(found['uuid'], {'disabled': False})['id'] == 1
