"""Admin changes to services: by uuid, forced down, deleted."""

import sqlalchemy as sa

from common import exception
from nova_conductor import liveness
from nova_conductor.db import convert
from nova_conductor.db import models
from nova_conductor.db import session


def _row(s, service_id):
    """A service by uuid, or by integer id (microversions before 2.53)."""
    number = convert.integer_id(service_id)
    where = (models.Service.id == number if number is not None
             else models.Service.uuid == str(service_id))
    row = s.scalars(sa.select(models.Service).where(where)).first()
    if row is None:
        raise exception.ServiceNotFound(service_id=service_id)
    return row


def _by_host(s, host, binary):
    row = s.scalars(sa.select(models.Service).filter_by(
        host=host, binary=binary)).first()
    if row is None:
        raise exception.ServiceNotFound(
            service_id='%s on host %s' % (binary, host))
    return row


def _apply(s, row, values):
    if 'disabled' in values:
        row.disabled = bool(values['disabled'])
        row.disabled_reason = (values.get('disabled_reason')
                               if row.disabled else None)
    if 'forced_down' in values:
        row.forced_down = bool(values['forced_down'])
    # The scheduler's incremental refresh notices services whose row moved.
    row.updated_at = models.utcnow()
    s.flush()
    return liveness.fill([convert.row_to_dict(row)])[0]


def update(service_id, values):
    """Change disabled / disabled_reason / forced_down of one service."""
    with session.writer() as s:
        return _apply(s, _row(s, service_id), values)


def update_by_host(host, binary, values):
    with session.writer() as s:
        return _apply(s, _by_host(s, host, binary), values)


def delete(service_id):
    """Remove a service and, for a compute service, its idle nodes."""
    with session.writer() as s:
        row = _row(s, service_id)
        if row.binary == 'nova-compute':
            inst = models.Instance.__table__
            busy = s.execute(sa.select(inst.c.id).where(
                inst.c.host == row.host).where(
                inst.c.deleted == sa.false()).limit(1)).first()
            if busy is not None:
                raise exception.ServiceInUse()
            s.execute(sa.delete(models.ComputeNode).filter_by(
                host=row.host))
        host, binary = row.host, row.binary
        s.delete(row)
    liveness.forget(host, binary)


def servers_by_node(node_ids):
    """{compute node id: [{'name', 'uuid'}]} of live instances."""
    if not node_ids:
        return {}
    inst = models.Instance.__table__
    out = {}
    with session.reader() as s:
        for row in s.execute(
                sa.select(inst.c.compute_node_id, inst.c.display_name,
                          inst.c.uuid)
                .where(inst.c.compute_node_id.in_(list(node_ids)))
                .where(inst.c.deleted == sa.false())
                .order_by(inst.c.id)):
            out.setdefault(row.compute_node_id, []).append(
                {'name': row.display_name, 'uuid': row.uuid})
    return out
