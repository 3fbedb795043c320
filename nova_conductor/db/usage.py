"""What instances ran within a period, for /os-simple-tenant-usage."""

import sqlalchemy as sa

from nova_conductor.db import convert
from nova_conductor.db import models
from nova_conductor.db import paginate
from nova_conductor.db import session

_inst = models.Instance.__table__
_COLUMNS = (_inst.c.uuid, _inst.c.display_name, _inst.c.project_id,
            _inst.c.vm_state, _inst.c.launched_at, _inst.c.terminated_at,
            _inst.c.vcpus, _inst.c.memory_mb, _inst.c.root_gb,
            _inst.c.ephemeral_gb, _inst.c.flavor)


def instances_in_window(start, stop, project_id=None, limit=None,
                        marker=None):
    """Instances, deleted ones too, that were launched before `stop` and
    not terminated before `start` (ISO 8601 text), oldest first; one that
    never launched ran for no time and is not among them. `marker`: the
    uuid of the last instance seen (MarkerNotFound)."""
    begin, end = convert.parse_iso(start), convert.parse_iso(stop)
    query = (sa.select(*_COLUMNS)
             .where(_inst.c.launched_at < end)
             .where(sa.or_(_inst.c.terminated_at.is_(None),
                           _inst.c.terminated_at > begin)))
    if project_id is not None:
        query = query.where(_inst.c.project_id == project_id)
    order = [(models.Instance.created_at, 'asc'), (models.Instance.id, 'asc')]
    with session.reader() as s:
        ref = paginate.marker_row(s, models.Instance, marker)
        query = paginate.apply(query, order, ref)
        if limit:
            query = query.limit(limit)
        out = []
        for row in s.execute(query).mappings():
            item = dict(row)
            item['launched_at'] = convert.iso(item['launched_at'])
            item['terminated_at'] = convert.iso(item['terminated_at'])
            item['flavor_name'] = convert.loads(
                item.pop('flavor')).get('name', '')
            out.append(item)
        return out
