"""The Glance v2 image representation, and who may see or change an image."""

from common import exception
from common import glance_client
from nova_api import timestamps

# Attributes the image API owns; every other key is a custom property.
BASE_ATTRS = glance_client.BASE_ATTRS
READ_ONLY = ('status', 'checksum', 'os_hash_algo', 'os_hash_value', 'size',
             'virtual_size', 'created_at', 'updated_at', 'self', 'file',
             'schema')
RESERVED = glance_client.RESERVED
DISK_FORMATS = ['ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2',
                'vdi', 'iso', 'ploop']
CONTAINER_FORMATS = ['ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker',
                     'compressed']
VISIBILITIES = ['public', 'private', 'shared', 'community']


def view(image):
    out = {key: str(value) for key, value in
           (image.get('properties') or {}).items() if key not in BASE_ATTRS}
    out.update({
        'id': image['id'], 'name': image['name'], 'status': image['status'],
        'visibility': image['visibility'],
        'protected': bool(image['protected']), 'os_hidden': False,
        'checksum': image['checksum'],
        'os_hash_algo': image.get('os_hash_algo'),
        'os_hash_value': image.get('os_hash_value'),
        'owner': image['owner'], 'size': image['size'],
        'virtual_size': image['virtual_size'],
        'min_disk': image['min_disk'] or 0, 'min_ram': image['min_ram'] or 0,
        'disk_format': image['disk_format'],
        'container_format': image['container_format'],
        'tags': list(image.get('tags') or []),
        'created_at': timestamps.seconds(image['created_at']),
        'updated_at': timestamps.seconds(image['updated_at']),
        'self': '/v2/images/%s' % image['id'],
        'file': '/v2/images/%s/file' % image['id'],
        'schema': '/v2/schemas/image',
    })
    return out


def can_see(ctxt, image):
    return (ctxt.is_admin_user or image['owner'] == ctxt.project_id or
            image['visibility'] in ('public', 'community'))


def check_visible(ctxt, image):
    """404 for an image the caller may not see, as if it did not exist."""
    if not can_see(ctxt, image):
        raise exception.ImageNotFound('No image found with ID %s'
                                      % image['id'])
    return image


def check_owner(ctxt, image):
    """403 unless the caller owns the image or is an admin."""
    if not (ctxt.is_admin_user or image['owner'] == ctxt.project_id):
        raise exception.ImageChangeForbidden(image_id=image['id'])
    return image
