"""Schema checks answer 400 in Nova's words; read_json refuses at the
edge what no later step could handle."""

import falcon.testing
import pytest

from common import exception
from nova_api import validation

SCHEMA = {'type': 'object',
          'properties': {'name': validation.NAME},
          'required': ['name'], 'additionalProperties': False}


def _message(schema, body):
    with pytest.raises(exception.NovaException) as caught:
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


# -- read_json: what no later step could handle is refused at the edge --


def _read(raw, headers=None):
    req = falcon.testing.create_req(
        method='POST', body=raw,
        headers=dict({'Content-Type': 'application/json'}, **(headers or {})))
    return validation.read_json(req)


def _refused(raw, code=400, headers=None):
    with pytest.raises(exception.NovaException) as caught:
        _read(raw, headers)
    assert caught.value.code == code
    return caught.value.message


@pytest.mark.parametrize('raw, field', [
    (b'{"server": {"metadata": {"a": "\\ud800"}}}', 'server.metadata.a'),
    (b'{"tags": ["ok", "x\\udfffy"]}', 'tags.1'),
    (b'"\\udc00"', 'body'),
])
def test_a_lone_surrogate_value_is_400_naming_its_field(raw, field):
    message = _refused(raw)
    assert message.startswith('Invalid input for field/attribute %s. '
                              % field)
    assert 'lone surrogate' in message
    # The message itself must be encodable (it is escaped).
    message.encode('utf-8')


def test_a_lone_surrogate_key_is_400_naming_the_object():
    message = _refused(b'{"server": {"metadata": {"\\ud83d": "v"}}}')
    assert message.startswith('Invalid input for field/attribute '
                              'server.metadata. The key')


def test_utf8_encoded_surrogate_bytes_are_malformed_not_stored():
    # json.loads(bytes) would decode these with surrogatepass.
    assert _refused(b'{"a": "\xed\xa0\x80"}') == 'Malformed request body'


def test_a_valid_surrogate_pair_and_other_text_pass():
    body = _read('{"a": "\\ud83d\\ude00 é 中", "b": ["[{"]}'.encode())
    assert body == {'a': '\U0001F600 é 中', 'b': ['[{']}


def test_nesting_deeper_than_the_limit_is_400():
    depth = validation.MAX_DEPTH
    assert _read(b'[' * depth + b']' * depth) is not None
    message = _refused(b'[' * (depth + 1) + b']' * (depth + 1))
    assert 'nested more than %d levels deep' % depth in message
    # So deep that json itself gives up (RecursionError): still a 400.
    message = _refused(b'[' * 50000 + b']' * 50000)
    assert 'nested more than' in message


def test_nan_and_infinity_are_malformed():
    for raw in (b'{"a": NaN}', b'{"a": Infinity}', b'[-Infinity]'):
        assert _refused(raw) == 'Malformed request body'


def test_a_chunked_body_is_read_without_content_length():
    req = falcon.testing.create_req(
        method='POST', body=b'{"a": 1}',
        headers={'Content-Type': 'application/json',
                 'Transfer-Encoding': 'chunked'})
    req.env.pop('CONTENT_LENGTH', None)
    assert req.content_length is None
    assert validation.read_json(req) == {'a': 1}


def test_a_body_over_the_limit_is_413_and_closes_the_connection():
    with pytest.raises(exception.NovaException) as caught:
        _read(b' ' * 200000)
    assert caught.value.code == 413
    assert caught.value.headers == {'Connection': 'close'}


def test_base64_format_refuses_non_ascii_text_with_400():
    schema = {'type': 'object', 'properties': {
        'user_data': {'type': 'string', 'format': 'base64'}}}
    message = _message(schema, {'user_data': 'é'})
    assert message.startswith('Invalid input for field/attribute user_data.')
    assert validation.validate(schema, {'user_data': 'aGk='})


def test_user_data_is_at_most_65535_bytes_once_decoded():
    import base64
    schema = {'type': 'object',
              'properties': {'user_data': validation.USER_DATA}}
    most = base64.b64encode(b'x' * 65535).decode()
    assert validation.validate(schema, {'user_data': most})
    message = _message(schema, {
        'user_data': base64.b64encode(b'x' * 65536).decode()})
    assert message.startswith('Invalid input for field/attribute user_data.')
    assert message.endswith('decoded, it is 65536 bytes; the most is 65535')
    assert _message(schema, {'user_data': 'not base64!'}).endswith(
        'Only base64 data is allowed')


INT_SCHEMA = {'type': 'object', 'properties': {
    'n': validation.NON_NEGATIVE_INT, 'p': validation.POSITIVE_INT}}


@pytest.mark.parametrize('value', [
    2 ** 31, '2147483648', 9223372036854775808, '9' * 5000])
def test_integers_past_the_columns_range_are_400(value):
    message = _message(INT_SCHEMA, {'n': value})
    assert message.startswith('Invalid input for field/attribute n.')
    assert 'is greater than the maximum of 2147483647' in message


def test_integers_as_text_are_checked_against_their_bounds():
    assert validation.validate(INT_SCHEMA,
                               {'n': '2147483647', 'p': 2147483647})
    assert 'less than the minimum of 1' in _message(INT_SCHEMA, {'p': 0})
    assert "does not match" in _message(INT_SCHEMA, {'p': '00'})


@pytest.mark.parametrize('name', [
    # Found by the API fuzzer: a server named with a vertical tab was
    # stored, and its build failed in libvirt ("PCDATA invalid Char
    # value 11"), counting against the host.
    'a\x0bb', 'a\x00b', 'tab\there', 'line\nbreak', 'a\u2028b', 'a\u202eb',
    'a\x7fb', 'a\ue000b', 'a\U000e0001b'])
def test_names_refuse_what_is_not_printable(name):
    message = _message(SCHEMA, {'name': name})
    assert message.startswith('Invalid input for field/attribute name.')
    assert 'is not a printable character' in message


def test_names_take_printable_text_of_any_script():
    for name in ('vm', 'a b', 'caf\u00e9 \u4e2d \U0001F600', 'a\u00a0b',
                 '\u0627\u0644\u0627\u0633\u0645'):
        assert validation.validate(SCHEMA, {'name': name})
