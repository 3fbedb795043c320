"""Schema checks answer 400 in Nova's words."""

import pytest

from nova_api import errors
from nova_api import validation

SCHEMA = {'type': 'object',
          'properties': {'name': validation.NAME},
          'required': ['name'], 'additionalProperties': False}


def _message(schema, body):
    with pytest.raises(errors.HTTPError) as caught:
        validation.validate(schema, body)
    assert caught.value.code == 400
    return caught.value.message


def test_valid_body_comes_back():
    assert validation.validate(SCHEMA, {'name': 'vm'}) == {'name': 'vm'}


def test_errors_name_the_field_in_novas_words():
    assert _message(SCHEMA, {}) == (
        "Invalid input for field/attribute body. Value: {}. 'name' is a "
        "required property")
    assert _message(SCHEMA, {'name': 'vm', 'x': 1}) == (
        "Invalid input for field/attribute body. Additional properties "
        "are not allowed ('x' was unexpected)")

