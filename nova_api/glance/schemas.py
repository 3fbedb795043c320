"""GET /image/v2/schemas/image: the image schema Glance publishes.

glanceclient (Cinder's way to Glance) reads it before every image it
fetches, to tell the image API's own attributes from custom properties.
Written from the attributes view.py shows; custom properties are
strings, as in Glance.
"""

from nova_api.glance import view

_STRING = {'type': ['null', 'string']}
_INTEGER = {'type': ['null', 'integer']}


def image_schema():
    properties = {
        'id': {'type': 'string', 'pattern': '^[0-9a-fA-F-]{36}$'},
        'name': {'type': ['null', 'string'], 'maxLength': 255},
        'status': {'type': 'string', 'readOnly': True},
        'visibility': {'type': 'string', 'enum': view.VISIBILITIES},
        'protected': {'type': 'boolean'},
        'os_hidden': {'type': 'boolean'},
        'checksum': dict(_STRING, readOnly=True),
        'os_hash_algo': dict(_STRING, readOnly=True),
        'os_hash_value': dict(_STRING, readOnly=True),
        'owner': _STRING,
        'size': dict(_INTEGER, readOnly=True),
        'virtual_size': dict(_INTEGER, readOnly=True),
        'min_ram': {'type': 'integer'},
        'min_disk': {'type': 'integer'},
        'disk_format': {'type': ['null', 'string'],
                        'enum': [None] + view.DISK_FORMATS},
        'container_format': {'type': ['null', 'string'],
                             'enum': [None] + view.CONTAINER_FORMATS},
        'tags': {'type': 'array', 'items': {'type': 'string'}},
        'created_at': {'type': 'string', 'readOnly': True},
        'updated_at': {'type': 'string', 'readOnly': True},
        'direct_url': dict(_STRING, readOnly=True),
        'locations': {'type': 'array', 'items': {'type': 'object'}},
        'self': {'type': 'string', 'readOnly': True},
        'file': {'type': 'string', 'readOnly': True},
        'schema': {'type': 'string', 'readOnly': True},
    }
    return {'name': 'image', 'properties': properties,
            'additionalProperties': {'type': 'string'},
            'links': [{'rel': 'self', 'href': '{self}'},
                      {'rel': 'enclosure', 'href': '{file}'},
                      {'rel': 'describedby', 'href': '{schema}'}]}


class ImageSchema:

    def on_get(self, req, resp):
        resp.media = image_schema()
