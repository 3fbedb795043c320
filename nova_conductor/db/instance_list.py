"""Server list pages: only the fields the list views show, as compact rows.

GET /servers and /servers/detail are polled all day (dashboards,
monitoring scripts paging through everything), so a page must cost what
its view shows and no more: the caller names its fields, the query reads
only those columns, each related table is read once for the whole page
(never per server), and the rows travel as lists under one header rather
than as a dict per server, so RPC encodes and decodes each key once.
"""

import json

import sqlalchemy as sa

from common import exception
from common import states
from nova_conductor.db import actions
from nova_conductor.db import instances
from nova_conductor.db import models
from nova_conductor.db import session

# Instance columns a list view may ask for.
COLUMNS = frozenset((
    'uuid', 'display_name', 'display_description', 'hostname',
    'project_id', 'user_id', 'image_ref', 'vm_state', 'task_state',
    'power_state', 'host', 'node', 'availability_zone', 'key_name',
    'user_data', 'config_drive', 'reservation_id', 'launch_index',
    'access_ip_v4', 'access_ip_v6', 'auto_disk_config', 'flavorid',
    'locked_by', 'locked_reason', 'created_at', 'updated_at',
    'launched_at', 'terminated_at', 'deleted'))
# JSON columns, decoded (request_spec only to the parts a view shows).
JSON_COLUMNS = ('metadata', 'flavor', 'tags', 'request_spec')
# One query each for the whole page.
RELATED = frozenset(('fixed_ips', 'fault', 'block_device_mappings'))
FIELDS = COLUMNS | frozenset(JSON_COLUMNS) | RELATED

_ips = models.FixedIp.__table__
_faults = models.InstanceFault.__table__
_bdms = models.BlockDeviceMapping.__table__


def page(filters=None, limit=None, marker=None, sort=None,
         fields=('uuid',)):
    """The page instances.get_all would return, with only `fields` of
    each instance (and vm_state with fault, whose query needs it), as a
    common.row_pages page."""
    unknown = set(fields) - FIELDS
    if unknown:
        raise exception.Invalid(reason='Unknown list fields: %s'
                                % ', '.join(sorted(unknown)))
    fields = list(dict.fromkeys(['uuid'] + list(fields)))
    related = [f for f in fields if f in RELATED]
    # The fault query looks only at servers in error.
    read = [f for f in fields if f not in RELATED] + (
        ['vm_state'] if 'fault' in related and 'vm_state' not in fields
        else [])
    converters = [(i, _CONVERTERS[name]) for i, name in enumerate(read)
                  if name in _CONVERTERS]
    with session.reader() as s:
        rows = []
        for row in instances.page_rows(s, filters, limit, marker, sort,
                                       read):
            row = list(row)
            for i, convert in converters:
                row[i] = convert(row[i])
            rows.append(row)
        uuids = [row[0] for row in rows]
        for field in related:
            if field == 'fault':
                vm_state = read.index('vm_state')
                found = actions.latest_faults(
                    s, [row[0] for row in rows
                        if row[vm_state] == states.ERROR])
                for row in rows:
                    row.append(found.get(row[0]))
            else:
                found = _RELATED_QUERIES[field](s, uuids)
                for row in rows:
                    row.append(found.get(row[0], []))
    return {'columns': read + related, 'rows': rows}


def _iso(value):
    # Naive UTC, shown with its offset (as convert.iso).
    return None if value is None else value.isoformat() + '+00:00'


def _json(default):
    def decode(text):
        return json.loads(text) if text else type(default)()
    return decode


def _spec_shown(text):
    """The parts of a request spec server bodies show (2.96, 2.98 and
    2.100): a spec carries the whole flavor and image besides."""
    spec = json.loads(text) if text else {}
    image = spec.get('image') or {}
    return {'availability_zone': spec.get('availability_zone'),
            'scheduler_hints': spec.get('scheduler_hints') or {},
            'image': {'properties': image.get('properties') or {}}}


# Column -> what turns its stored value into the one sent.
_CONVERTERS = dict(
    {name: _iso for name in ('created_at', 'updated_at', 'launched_at',
                             'terminated_at')},
    metadata=_json({}), flavor=_json({}), tags=_json([]),
    request_spec=_spec_shown)


_IPS = (sa.select(_ips.c.instance_uuid, _ips.c.address, _ips.c.mac,
                  _ips.c.network)
        .where(_ips.c.instance_uuid.in_(sa.bindparam('uuids',
                                                     expanding=True)))
        .order_by(_ips.c.id))


def _fixed_ips(s, uuids):
    out = {}
    if uuids:
        for uuid, address, mac, network in s.execute(_IPS,
                                                     {'uuids': uuids}):
            out.setdefault(uuid, []).append(
                {'address': address, 'mac': mac, 'network': network})
    return out


# Only volumes show in a list (os-extended-volumes:volumes_attached), in
# the mappings' boot order (block_devices.for_instances).
_VOLUMES = (sa.select(_bdms.c.instance_uuid, _bdms.c.volume_id,
                      _bdms.c.destination_type,
                      _bdms.c.delete_on_termination)
            .where(_bdms.c.instance_uuid.in_(sa.bindparam(
                'uuids', expanding=True)))
            .where(_bdms.c.destination_type == 'volume')
            .order_by(_bdms.c.boot_index.is_(None),
                      sa.func.coalesce(_bdms.c.boot_index, 0), _bdms.c.id))


def _volumes(s, uuids):
    out = {}
    if uuids:
        for uuid, volume_id, destination, delete in s.execute(
                _VOLUMES, {'uuids': uuids}):
            out.setdefault(uuid, []).append({
                'volume_id': volume_id, 'destination_type': destination,
                'delete_on_termination': delete})
    return out


_RELATED_QUERIES = {'fixed_ips': _fixed_ips,
                    'block_device_mappings': _volumes}
