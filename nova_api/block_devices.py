"""Block device mappings of a create request: their schema and their rules.

A server's disks are described by `block_device_mapping_v2` (or the
older `block_device_mapping`, converted here). Each mapping names a
source (image, volume, snapshot, blank) and a destination (local: a file
on the host; volume: a Cinder volume). `normalize` checks what Nova
checks before anything is created and returns the mappings in one shape,
the boot disk first:

    source_type, destination_type, uuid, boot_index, volume_size,
    device_name, disk_bus, device_type, guest_format,
    delete_on_termination, tag, volume_type

The counts and sizes are bounded before any per-item work, since a
tenant may send anything.
"""

from common import exception
from nova_api import validation

# Most mappings one server may have (Nova has no such bound; a request
# with thousands would cost a Cinder call each).
MAX_MAPPINGS = 32
# Most disks on the host itself, besides volumes (Nova's
# [DEFAULT] max_local_block_devices default).
MAX_LOCAL = 3
SOURCE_TYPES = ('image', 'volume', 'snapshot', 'blank')
DESTINATION_TYPES = ('local', 'volume')
DEVICE_TYPES = ('disk', 'cdrom', 'floppy', 'lun')
DISK_BUSES = ('virtio', 'scsi', 'ide', 'usb', 'sata', 'fdc', 'xen', 'uml',
              'lxc')

_ID = {'type': 'string', 'minLength': 1, 'maxLength': 255,
       'pattern': '^[a-zA-Z0-9._-]*$'}
_SIZE = {'type': ['integer', 'string', 'null'], 'pattern': '^[0-9]+$',
         'minimum': 0, 'maximum': 2 ** 31 - 1}
_DEVICE_NAME = {'type': ['string', 'null'], 'maxLength': 255,
                'pattern': '^[a-zA-Z0-9._/-]*$'}
_TAG = {'type': 'string', 'minLength': 1, 'maxLength': 60,
        'pattern': '^[^,/]*$'}

V2_ITEM = {
    'type': 'object',
    'properties': {
        'source_type': {'type': 'string', 'enum': list(SOURCE_TYPES)},
        'destination_type': {'type': 'string',
                             'enum': list(DESTINATION_TYPES)},
        'uuid': _ID,
        'boot_index': {'type': ['integer', 'string', 'null'],
                       'pattern': '^-?[0-9]+$',
                       'minimum': -1, 'maximum': MAX_MAPPINGS},
        'volume_size': _SIZE,
        'device_name': _DEVICE_NAME,
        'disk_bus': {'type': ['string', 'null'], 'enum':
                     list(DISK_BUSES) + [None]},
        'device_type': {'type': ['string', 'null'], 'enum':
                        list(DEVICE_TYPES) + [None]},
        'guest_format': {'type': ['string', 'null'], 'maxLength': 255,
                         'pattern': '^[a-z0-9]*$'},
        'delete_on_termination': validation.BOOLEAN,
        'no_device': {},
        'tag': _TAG,
        'volume_type': {'type': ['string', 'null'], 'maxLength': 255},
    },
    'required': ['source_type'],
    'additionalProperties': False,
}
V2_SCHEMA = {'type': 'array', 'maxItems': MAX_MAPPINGS, 'items': V2_ITEM}

LEGACY_ITEM = {
    'type': 'object',
    'properties': {
        'device_name': _DEVICE_NAME,
        'volume_id': _ID,
        'snapshot_id': _ID,
        'volume_size': _SIZE,
        'delete_on_termination': validation.BOOLEAN,
        'no_device': {},
        'virtual_name': {'type': 'string', 'maxLength': 255},
    },
    'additionalProperties': False,
}
LEGACY_SCHEMA = {'type': 'array', 'maxItems': MAX_MAPPINGS,
                 'items': LEGACY_ITEM}


class _Invalid(exception.Invalid):
    msg_fmt = 'Block device mapping is invalid: %(reason)s'


def normalize(server, image_ref=None):
    """The create body's mappings, checked, the boot disk first; [] when
    it has none (the image named by imageRef is the root disk).

    A request with no boot_index 0 mapping boots the image of `image_ref`
    as Nova does: a local image disk is added first.
    """
    v2 = server.get('block_device_mapping_v2') or []
    legacy = server.get('block_device_mapping') or []
    if v2 and legacy:
        raise _Invalid(reason='give block_device_mapping_v2 or '
                              'block_device_mapping, not both')
    if len(v2) + len(legacy) > MAX_MAPPINGS:
        raise _Invalid(reason='at most %d mappings' % MAX_MAPPINGS)
    mappings = [_from_legacy(item) for item in legacy] or \
        [_from_v2(item) for item in v2]
    mappings = [m for m in mappings if m is not None]
    if not mappings:
        return []
    if not any(m['boot_index'] == 0 for m in mappings):
        if not image_ref:
            raise _Invalid(reason='no boot device: give imageRef, or a '
                                  'mapping with boot_index 0')
        mappings.insert(0, _image_root(image_ref))
    _check_boot_sequence(mappings)
    _check_counts_and_names(mappings)
    return sorted(mappings, key=_boot_order)


def is_volume_backed(mappings):
    """Whether the boot disk is a volume (imageRef may then be empty)."""
    return any(m['boot_index'] == 0 and m['destination_type'] == 'volume'
               for m in mappings)


def _from_v2(item):
    if item.get('no_device') not in (None, False):
        # "Suppress this device": nothing to make.
        return None
    source = item['source_type']
    destination = item.get('destination_type') or \
        ('volume' if source in ('volume', 'snapshot') else 'local')
    mapping = {
        'source_type': source, 'destination_type': destination,
        'uuid': item.get('uuid'),
        'boot_index': _int(item.get('boot_index'), 'boot_index'),
        'volume_size': _int(item.get('volume_size'), 'volume_size'),
        'device_name': item.get('device_name') or None,
        'disk_bus': item.get('disk_bus'),
        'device_type': item.get('device_type') or 'disk',
        'guest_format': item.get('guest_format') or None,
        'delete_on_termination': _bool(item.get('delete_on_termination',
                                                False)),
        'tag': item.get('tag'),
        'volume_type': item.get('volume_type'),
    }
    if mapping['boot_index'] is not None and mapping['boot_index'] < 0:
        mapping['boot_index'] = None  # -1: not bootable
    _check_one(mapping)
    return mapping


def _from_legacy(item):
    """A block_device_mapping (v1) item as v2: a volume, or a volume made
    from a snapshot, attached at its device name."""
    if item.get('no_device') not in (None, False):
        return None
    if item.get('volume_id') and item.get('snapshot_id'):
        raise _Invalid(reason='a mapping names a volume_id or a '
                              'snapshot_id, not both')
    if item.get('volume_id'):
        source, uuid = 'volume', item['volume_id']
    elif item.get('snapshot_id'):
        source, uuid = 'snapshot', item['snapshot_id']
    else:
        raise _Invalid(reason='a block_device_mapping needs volume_id or '
                              'snapshot_id')
    device = item.get('device_name') or None
    # The old API boots from the mapping at the root device name.
    root = device in ('vda', '/dev/vda', 'sda', '/dev/sda')
    return _from_v2({'source_type': source, 'destination_type': 'volume',
                     'uuid': uuid, 'device_name': device,
                     'boot_index': 0 if root else None,
                     'volume_size': item.get('volume_size'),
                     'delete_on_termination':
                         item.get('delete_on_termination', False)})


def _image_root(image_ref):
    return {'source_type': 'image', 'destination_type': 'local',
            'uuid': image_ref, 'boot_index': 0, 'volume_size': None,
            'device_name': None, 'disk_bus': None, 'device_type': 'disk',
            'guest_format': None, 'delete_on_termination': True,
            'tag': None, 'volume_type': None}


def _check_one(m):
    source, destination = m['source_type'], m['destination_type']
    if source in ('image', 'volume', 'snapshot') and not m['uuid']:
        raise _Invalid(reason='a %s mapping needs the %s\'s uuid'
                       % (source, source))
    if source == 'blank' and m['uuid']:
        raise _Invalid(reason='a blank mapping has no uuid')
    if source in ('volume', 'snapshot') and destination != 'volume':
        raise _Invalid(reason='a %s can only be mapped to a volume'
                       % source)
    if source == 'image' and destination == 'local' and \
            m['boot_index'] != 0:
        raise _Invalid(reason='an image maps to a local disk only as the '
                              'boot disk (boot_index 0)')
    if source in ('image', 'blank') and destination == 'volume' and \
            not m['volume_size']:
        raise _Invalid(reason='a volume made from an %s needs a '
                              'volume_size above 0' % source)
    if source == 'blank' and destination == 'local':
        if m['boot_index'] == 0:
            raise _Invalid(reason='a blank local disk cannot be the boot '
                                  'disk')
        if m['guest_format'] not in (None, 'swap', 'ext2', 'ext3', 'ext4',
                                     'xfs', 'vfat', 'ntfs'):
            raise _Invalid(reason='guest_format %r is not a file system '
                                  'or swap' % m['guest_format'])


def _check_boot_sequence(mappings):
    """Boot indexes are 0, 1, 2... with no gap and no repeat."""
    indexes = sorted(m['boot_index'] for m in mappings
                     if m['boot_index'] is not None)
    if indexes != list(range(len(indexes))):
        raise _Invalid(reason='boot indexes %s are not 0, 1, 2... without '
                       'gaps or repeats' % indexes)


def _check_counts_and_names(mappings):
    local = [m for m in mappings if m['destination_type'] == 'local']
    if len(local) > MAX_LOCAL:
        raise _Invalid(reason='at most %d local disks (the image\'s, '
                              'ephemeral and swap)' % MAX_LOCAL)
    if sum(1 for m in local if m['guest_format'] == 'swap') > 1:
        raise _Invalid(reason='at most one swap disk')
    names = [_short(m['device_name']) for m in mappings if m['device_name']]
    if len(names) != len(set(names)):
        raise _Invalid(reason='device names repeat: %s'
                       % ', '.join(sorted(names)))


def _boot_order(m):
    # Bootable disks in their order, then the others as given (sorted
    # is stable).
    return (m['boot_index'] is None, m['boot_index'] or 0)


def _short(name):
    return name[5:] if name.startswith('/dev/') else name


def _int(value, field):
    if value is None or value == '':
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _Invalid(reason='%s %r is not a whole number' % (field, value))


def _bool(value):
    # The API's own boolean words; normalize may run before the schema.
    if value not in validation.BOOLEAN['enum']:
        raise _Invalid(reason='delete_on_termination %r is not true or '
                              'false' % (value,))
    return validation.as_bool(value)
