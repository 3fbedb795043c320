"""PATCH /v2/images/{id}: Glance's JSON-patch ops turned into an update.

Glance accepts a narrow subset of RFC 6902 (add, replace and remove of one
top-level attribute), with its own rules on which attributes a caller may
touch, so the ops are read here rather than applied by a generic patcher.
"""

import json

import jsonschema

from common import exception
from nova_api.glance import view as glance_view
from nova_api import validation

MEDIA_TYPES = ('application/openstack-images-v2.1-json-patch',
               'application/openstack-images-v2.0-json-patch')

OPS_SCHEMA = {
    'type': 'array',
    'items': {
        'type': 'object',
        'properties': {
            'op': {'enum': ['add', 'replace', 'remove']},
            'path': {'type': 'string', 'minLength': 1},
            'value': {},
        },
        'required': ['op', 'path'],
    },
}

NAME = {'type': ['string', 'null'], 'maxLength': 255}
COUNT = {'type': 'integer', 'minimum': 0, 'maximum': validation.MAX_INT}
ATTR_SCHEMAS = {
    'name': NAME,
    'owner': NAME,
    'visibility': {'enum': glance_view.VISIBILITIES},
    'protected': {'type': 'boolean'},
    'min_disk': COUNT,
    'min_ram': COUNT,
    'disk_format': {'enum': glance_view.DISK_FORMATS + [None]},
    'container_format': {'enum': glance_view.CONTAINER_FORMATS + [None]},
    'tags': {'type': 'array', 'maxItems': 128,
             'items': {'type': 'string', 'minLength': 1, 'maxLength': 255}},
}
PROPERTY_SCHEMA = {'type': 'string', 'maxLength': 65535}
# Writable attributes that only an admin may set (owner), or only while
# no data is stored (the formats the data is checked against).
QUEUED_ONLY = ('disk_format', 'container_format')


def check_value(key, value, schema):
    if not jsonschema.Draft4Validator(schema).is_valid(value):
        raise exception.Invalid(invalid_value(key, value))
    return value


def invalid_value(key, value):
    return 'Invalid value %s for attribute %s.' % (
        json.dumps(value)[:200], key)


def describe_create(error):
    """A create body's schema violation, in Glance's words: the attribute
    at fault is the top-level key."""
    if not error.absolute_path:
        return 'The request body must be a JSON object.'
    return invalid_value(error.absolute_path[0], error.instance)


def describe_ops(_error):
    return ('The request body must be a list of add, replace or remove '
            'operations, each with a path.')


def check_settable(ctxt, image, key, value):
    """403 for attributes the caller may not set to this value."""
    if key in glance_view.RESERVED:
        raise exception.Forbidden("Attribute '%s' is reserved." % key)
    if key in glance_view.READ_ONLY or key in ('id', 'os_hidden'):
        raise exception.Forbidden("Attribute '%s' is read-only." % key)
    if key == 'owner' and value != ctxt.project_id and \
            not ctxt.is_admin_user:
        raise exception.Forbidden('Only an admin can give an image to '
                                  'another owner.')
    if key == 'visibility' and value == 'public' and \
            not ctxt.is_admin_user:
        raise exception.Forbidden('Only an admin can publicize an image.')
    if key in QUEUED_ONLY and image is not None and \
            image['status'] != 'queued':
        raise exception.Forbidden('Attribute %s can be only replaced for '
                                  'a queued image.' % key)


def _key(path):
    if path.startswith('/'):
        path = path[1:]
    if not path or '/' in path:
        raise exception.Invalid('Invalid JSON pointer for this resource: '
                                '/%s' % path)
    return path.replace('~1', '/').replace('~0', '~')


def changes(ctxt, image, ops):
    """The values to update `image` with after applying `ops` (which
    OPS_SCHEMA has checked)."""
    values = {}
    props = dict(image.get('properties') or {})
    for op in ops:
        key = _key(op['path'])
        if op['op'] != 'remove' and 'value' not in op:
            raise exception.Invalid('Operation %s on %s needs a value.'
                                    % (op['op'], op['path']))
        value = op.get('value')
        check_settable(ctxt, image, key, value)
        if key in ATTR_SCHEMAS:
            if op['op'] == 'remove':
                raise exception.Forbidden("Attribute '%s' cannot be "
                                          "removed." % key)
            values[key] = check_value(key, value, ATTR_SCHEMAS[key])
        elif op['op'] == 'add':
            props[key] = check_value(key, value, PROPERTY_SCHEMA)
        elif key not in props:
            raise exception.Conflict('Property %s does not exist.' % key)
        elif op['op'] == 'replace':
            props[key] = check_value(key, value, PROPERTY_SCHEMA)
        else:
            del props[key]
    if props != (image.get('properties') or {}):
        values['properties'] = props
    return values
