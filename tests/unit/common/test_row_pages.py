"""common.row_pages: a page's rows as lists, or as one JSON text."""

import datetime

import pytest

from common import row_pages


def test_a_page_as_text_unpacks_to_the_same_rows():
    page = row_pages.pack(['uuid', 'name', 'meta', 'n'], [
        ('u1', 'é 中 \U0001F600', {'a': [1, None]}, 2.5),
        ('u2', '', {}, -3)])
    text = row_pages.as_text(page)
    assert set(text) == {'columns', 'rows_text'}
    assert row_pages.unpack(text) == row_pages.unpack(page) == [
        {'uuid': 'u1', 'name': 'é 中 \U0001F600', 'meta': {'a': [1, None]},
         'n': 2.5},
        {'uuid': 'u2', 'name': '', 'meta': {}, 'n': -3}]


@pytest.mark.parametrize('value', [
    'x\ud800y',                                  # a lone surrogate
    2 ** 70,                                     # past 64 bits
    datetime.datetime(2026, 12, 5, 10, 0, 0),    # not plain JSON
])
def test_what_orjson_refuses_travels_as_plain_rows(value):
    page = row_pages.pack(['uuid', 'v'], [('u1', value)])
    assert row_pages.as_text(page) is page
    assert row_pages.unpack(page) == [{'uuid': 'u1', 'v': value}]
