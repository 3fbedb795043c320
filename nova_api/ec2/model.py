"""Requests and answers shaped by botocore's own model of EC2.

botocore ships the service model AWS's SDKs are generated from: every
action's input and output shape, and the names each member takes on the
wire. Reading requests and writing answers through it means an action
handles plain data in boto3's shape ({'InstanceIds': [...], 'Filters':
[{'Name': ..., 'Values': [...]}]}) and the XML it answers is what every
SDK parses, by construction rather than by hand-kept element names.
"""

import base64
import binascii
import datetime
import functools
import re

import botocore.session

from nova_api.ec2 import errors

API_VERSION = '2016-11-15'
NAMESPACE = 'http://ec2.amazonaws.com/doc/%s/' % API_VERSION
# A request's parameters: how many, how deep, how many items a list.
MAX_PARAMS = 2000
MAX_DEPTH = 8
MAX_LIST_ITEMS = 1000
MAX_VALUE_LENGTH = 64 * 1024


@functools.lru_cache(maxsize=1)
def service_model():
    return botocore.session.get_session().get_service_model('ec2')


def operation(action):
    """The operation model of `action`, or InvalidAction."""
    model = service_model()
    if action not in model.operation_names:
        raise errors.InvalidAction(
            'The action %s is not valid for this web service.'
            % _printable(action))
    return model.operation_model(action)


def _printable(text, limit=80):
    text = str(text)[:limit]
    return ''.join(c if c.isprintable() else '?' for c in text)


# Reading: flat Query parameters -> boto3-shaped input.

def _wire_name(shape, member_name):
    """The name a member takes in a Query request (botocore's
    EC2Serializer: queryName, else the capitalised locationName)."""
    if 'queryName' in shape.serialization:
        return shape.serialization['queryName']
    name = shape.serialization.get('name')
    if name:
        return name[0].upper() + name[1:]
    return member_name


def _tree(params):
    """{'Filter.1.Name': 'x'} -> {'Filter': {'1': {'Name': 'x'}}}."""
    if len(params) > MAX_PARAMS:
        raise errors.InvalidParameterValue(
            'A request takes at most %d parameters.' % MAX_PARAMS)
    root = {}
    for key, value in params.items():
        parts = key.split('.')
        if len(parts) > MAX_DEPTH or '' in parts:
            raise errors.UnknownParameter(
                'The parameter %s is not recognized.' % _printable(key))
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise errors.InvalidParameterValue(
                    'The parameter %s is given both as a value and as a '
                    'list or structure.' % _printable(key))
        if parts[-1] in node:
            raise errors.InvalidParameterValue(
                'The parameter %s is given both as a value and as a list or '
                'structure.' % _printable(key))
        node[parts[-1]] = value
    return root


def parse_input(op, params):
    """The input of operation `op` from its flat Query parameters (Action,
    Version and signature parameters already taken out)."""
    shape = op.input_shape
    tree = _tree(params)
    if shape is None:
        if tree:
            raise errors.UnknownParameter(
                'The parameter %s is not recognized.'
                % _printable(next(iter(params))))
        return {}
    return _read_structure(shape, tree, '')


def _read(shape, node, path):
    kind = shape.type_name
    if kind == 'structure':
        if not isinstance(node, dict):
            raise errors.InvalidParameterValue(
                'The parameter %s must be a structure.' % path)
        return _read_structure(shape, node, path + '.')
    if kind == 'list':
        return _read_list(shape, node, path)
    if isinstance(node, dict):
        raise errors.InvalidParameterValue(
            'The parameter %s must be a single value.' % path)
    return _scalar(shape, node, path)


def _read_structure(shape, node, prefix):
    out = {}
    node = dict(node)
    for member_name, member in shape.members.items():
        name = _wire_name(member, member_name)
        if name in node:
            out[member_name] = _read(member, node.pop(name), prefix + name)
    if node:
        raise errors.UnknownParameter(
            'The parameter %s is not recognized.'
            % _printable(prefix + sorted(node)[0]))
    return out


def _read_list(shape, node, path):
    if not isinstance(node, dict):
        raise errors.InvalidParameterValue(
            'The parameter %s must be a list: %s.1, %s.2...'
            % (path, path, path))
    try:
        items = sorted((int(index), value) for index, value in node.items())
    except ValueError:
        raise errors.InvalidParameterValue(
            'The items of %s are numbered from 1.' % path)
    if len(items) > MAX_LIST_ITEMS or (items and items[0][0] < 1):
        raise errors.InvalidParameterValue(
            'The parameter %s takes at most %d items, numbered from 1.'
            % (path, MAX_LIST_ITEMS))
    return [_read(shape.member, value, '%s.%d' % (path, index))
            for index, value in items]


def _scalar(shape, text, path):
    kind = shape.type_name
    if len(text) > MAX_VALUE_LENGTH:
        raise errors.InvalidParameterValue(
            'The value of %s is longer than %d characters.'
            % (path, MAX_VALUE_LENGTH))
    try:
        if kind in ('integer', 'long'):
            return int(text)
        if kind in ('double', 'float'):
            return float(text)
        if kind == 'boolean':
            if text.lower() not in ('true', 'false'):
                raise ValueError(text)
            return text.lower() == 'true'
        if kind == 'timestamp':
            return datetime.datetime.fromisoformat(text.replace('Z',
                                                                '+00:00'))
        if kind == 'blob':
            return base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error):
        raise errors.InvalidParameterValue(
            'Value (%s) for parameter %s is invalid: expected a %s.'
            % (_printable(text), path, kind))
    if not all(c.isprintable() or c in '\t\r\n' for c in text):
        raise errors.InvalidParameterValue(
            'The value of %s holds control characters.' % path)
    return text


# Writing: boto3-shaped output -> the XML SDKs parse. Strings are joined
# directly (an ElementTree of 1,000 instances cost 4x more), each
# structure's member names looked up once per process.

# Characters XML 1.0 cannot carry: a stored name holding one must not
# make an answer unparseable.
_XML_INVALID = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]')
_SPECIAL = re.compile('[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]')
_PLANS = {}


def _plan(shape):
    """{member: (its XML name, its shape)} of a structure shape."""
    plan = _PLANS.get(shape.name)
    if plan is None:
        plan = {key: (member.serialization.get('name', key), member)
                for key, member in shape.members.items()}
        _PLANS[shape.name] = plan
    return plan


def _escape(text):
    if _SPECIAL.search(text):
        text = _XML_INVALID.sub('\ufffd', text.replace('&', '&amp;')
                                .replace('<', '&lt;').replace('>', '&gt;'))
    return text


def _write(out, name, shape, value):
    kind = shape.type_name
    if kind == 'structure':
        out.append('<%s>' % name)
        plan = _plan(shape)
        for key, item in value.items():
            if item is not None:
                member_name, member = plan[key]
                _write(out, member_name, member, item)
        out.append('</%s>' % name)
    elif kind == 'list':
        member_name = shape.member.serialization.get('name', 'member')
        flat = shape.serialization.get('flattened')
        if not flat:
            out.append('<%s>' % name)
        for item in value:
            _write(out, member_name, shape.member, item)
        if not flat:
            out.append('</%s>' % name)
    else:
        out.append('<%s>%s</%s>' % (name, _text(kind, value), name))


def _text(kind, value):
    if kind == 'boolean':
        return 'true' if value else 'false'
    if kind == 'timestamp':
        if isinstance(value, str):
            value = datetime.datetime.fromisoformat(
                value.replace('Z', '+00:00'))
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc)
        return value.strftime('%Y-%m-%dT%H:%M:%S.000Z')
    if kind == 'blob':
        return base64.b64encode(value).decode()
    return _escape(str(value))


def output_xml(op, result, request_id):
    """The answer document of `op` with `result` (boto3's shape)."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n',
           '<%sResponse xmlns="%s">' % (op.name, NAMESPACE),
           '<requestId>%s</requestId>' % _escape(request_id)]
    shape = op.output_shape
    if shape is not None:
        plan = _plan(shape)
        for key, value in result.items():
            if value is not None:
                member_name, member = plan[key]
                _write(out, member_name, member, value)
    elif result:
        # Actions without an output shape (RebootInstances) say `return`.
        out.append('<return>true</return>')
    out.append('</%sResponse>' % op.name)
    return ''.join(out).encode()


def error_xml(code, message, request_id):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors>'
            '<Error><Code>%s</Code><Message>%s</Message></Error></Errors>'
            '<RequestID>%s</RequestID></Response>' % (
                _escape(code), _escape(message), _escape(request_id))
            ).encode()
