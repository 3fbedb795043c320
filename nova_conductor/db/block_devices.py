"""Block device mappings: an instance's disks and each volume's progress.

A mapping's `status` says how far its volume has come, so that a build,
an attach or a delete interrupted half way is finished or undone from
what is recorded:

    new -> creating (volume_id known) -> attaching (attachment_id known)
        -> attached -> detaching -> (row deleted)

`update` is a compare-and-swap on that status: two workers finishing
the same step cannot both move it on.
"""

import sqlalchemy as sa

from common import exception
from nova_conductor.db import convert
from nova_conductor.db import models
from nova_conductor.db import session

STATUSES = ('new', 'creating', 'attaching', 'attached', 'detaching',
            'error')
# Columns a mapping is created with (normalised by nova_api.block_devices).
CREATE_FIELDS = ('source_type', 'destination_type', 'uuid', 'volume_size',
                 'volume_type', 'boot_index', 'device_name', 'disk_bus',
                 'device_type', 'guest_format', 'delete_on_termination',
                 'tag')
# Columns the compute records as a volume comes along.
PROGRESS_FIELDS = ('volume_id', 'attachment_id', 'connection_info',
                   'status', 'device_name', 'disk_bus')
# What its user may change (os-volume_attachments PUT, 2.85).
USER_FIELDS = ('delete_on_termination',)

_BDM = models.BlockDeviceMapping


def _as_dict(row):
    out = convert.row_to_dict(row)
    out['connection_info'] = convert.loads(out['connection_info'],
                                           default=None)
    return out


def _boot_order(row):
    return (row.boot_index is None, row.boot_index or 0, row.id)


def create_in(s, instance_uuid, mappings):
    """Add the instance's mappings in the caller's transaction (the one
    that creates the instance). A volume source's volume is known from
    the start. Returns the new rows."""
    rows = []
    for mapping in mappings:
        values = {key: mapping.get(key) for key in CREATE_FIELDS}
        values['delete_on_termination'] = bool(
            values['delete_on_termination'])
        if mapping['source_type'] == 'volume':
            values['volume_id'] = mapping['uuid']
        rows.append(_BDM(instance_uuid=instance_uuid, status='new',
                         **values))
    s.add_all(rows)
    s.flush()
    return [_as_dict(row) for row in rows]


def for_instances(s, instance_uuids):
    """{instance uuid: its mappings, boot disk first}."""
    rows = s.scalars(sa.select(_BDM).where(
        _BDM.instance_uuid.in_(list(instance_uuids))))
    out = {}
    for row in sorted(rows, key=_boot_order):
        out.setdefault(row.instance_uuid, []).append(_as_dict(row))
    return out


def get_all(instance_uuid):
    with session.reader() as s:
        return for_instances(s, [instance_uuid]).get(instance_uuid, [])


def add(instance_uuid, mapping):
    """One more mapping (a volume being attached to a live instance),
    new; the stored mapping."""
    with session.writer() as s:
        (row,) = create_in(s, instance_uuid, [mapping])
        return row


def update(bdm_id, values, expected_status=None):
    """Record a step; with `expected_status` (a status or a tuple), only
    from that status: UnexpectedBlockDeviceState else."""
    unknown = set(values) - set(PROGRESS_FIELDS + USER_FIELDS)
    if unknown:
        raise exception.Invalid(reason='cannot set %s of a block device '
                                       'mapping' % ', '.join(sorted(unknown)))
    if values.get('status', 'new') not in STATUSES:
        raise exception.Invalid(reason='unknown block device status %r'
                                % values['status'])
    values = dict(values)
    if 'connection_info' in values and values['connection_info'] is not None:
        values['connection_info'] = convert.dumps(values['connection_info'])
    with session.writer() as s:
        row = s.get(_BDM, bdm_id, with_for_update=True)
        if row is None:
            raise exception.NotFound('Block device mapping %s could not be '
                                     'found.' % bdm_id)
        if expected_status is not None:
            allowed = (expected_status,) if isinstance(
                expected_status, str) else tuple(expected_status)
            if row.status not in allowed:
                raise exception.UnexpectedBlockDeviceState(
                    bdm_id=bdm_id, expected=', '.join(allowed),
                    actual=row.status)
        for key, value in values.items():
            setattr(row, key, value)
        s.flush()
        return _as_dict(row)


def destroy(bdm_id):
    with session.writer() as s:
        s.execute(sa.delete(_BDM).where(_BDM.id == bdm_id))


def destroy_for_instance(s, instance_uuid):
    """Forget every mapping of a deleted instance (its volumes have been
    detached or deleted by then)."""
    s.execute(sa.delete(_BDM).where(_BDM.instance_uuid == instance_uuid))


def holders_of(volume_id):
    """Uuids of the instances a volume is mapped to."""
    with session.reader() as s:
        return sorted(set(s.scalars(sa.select(_BDM.instance_uuid).where(
            _BDM.volume_id == volume_id))))
