"""Host aggregates: hosts, metadata, and the availability zones they make."""

import uuid as uuidlib

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from common import exception
from common.conf import CONF
from nova_conductor.db import convert
from nova_conductor.db import models
from nova_conductor.db import session

AZ_KEY = 'availability_zone'


def _dicts(s, rows):
    ids = [r.id for r in rows]
    hosts, meta = {}, {}
    if ids:
        for h in s.scalars(sa.select(models.AggregateHost).where(
                models.AggregateHost.aggregate_id.in_(ids))
                .order_by(models.AggregateHost.id)):
            hosts.setdefault(h.aggregate_id, []).append(h.host)
        for m in s.scalars(sa.select(models.AggregateMetadata).where(
                models.AggregateMetadata.aggregate_id.in_(ids))):
            meta.setdefault(m.aggregate_id, {})[m.key] = m.value
    out = []
    for row in rows:
        d = convert.row_to_dict(row)
        d['hosts'] = hosts.get(row.id, [])
        d['metadata'] = meta.get(row.id, {})
        d['availability_zone'] = d['metadata'].get(AZ_KEY)
        out.append(d)
    return out


def _saved(s, row):
    """The aggregate's dict once what this session changed is written."""
    s.flush()
    return _dicts(s, [row])[0]


def _get_row(s, aggregate_id):
    number = convert.integer_id(aggregate_id)
    row = s.get(models.Aggregate, number) if number is not None else None
    if row is None:
        raise exception.NotFound('Aggregate %s could not be found.'
                                 % aggregate_id)
    return row


def get(aggregate_id):
    with session.reader() as s:
        return _dicts(s, [_get_row(s, aggregate_id)])[0]


def get_all():
    with session.reader() as s:
        rows = list(s.scalars(sa.select(models.Aggregate)
                              .order_by(models.Aggregate.id)))
        return _dicts(s, rows)


def by_host(s, hosts=None):
    """{host: [aggregate dict, ...]} for the given hosts (all if None)."""
    query = sa.select(models.AggregateHost)
    if hosts is not None:
        query = query.where(models.AggregateHost.host.in_(list(hosts)))
    links = list(s.scalars(query))
    ids = sorted({link.aggregate_id for link in links})
    rows = list(s.scalars(sa.select(models.Aggregate).where(
        models.Aggregate.id.in_(ids)))) if ids else []
    aggs = {a['id']: {'id': a['id'], 'name': a['name'],
                      'metadata': a['metadata']}
            for a in _dicts(s, rows)}
    out = {}
    for link in links:
        out.setdefault(link.host, []).append(aggs[link.aggregate_id])
    return out


_agg_hosts = models.AggregateHost.__table__
_agg_metadata = models.AggregateMetadata.__table__
# Every placement reads its host's zone: one join, prepared once.
_ZONES_OF_HOSTS = (
    sa.select(_agg_hosts.c.host, _agg_metadata.c.value)
    .join(_agg_metadata,
          _agg_metadata.c.aggregate_id == _agg_hosts.c.aggregate_id)
    .where(_agg_metadata.c.key == AZ_KEY)
    .where(_agg_hosts.c.host.in_(sa.bindparam('hosts', expanding=True))))


def zones_of(s, hosts):
    """{host: availability zone} for `hosts` (the default zone for a host
    in none); the same answer as host_az(by_host(...)), in one query."""
    zones = dict.fromkeys(hosts, CONF.default_availability_zone)
    for host, zone in s.execute(_ZONES_OF_HOSTS,
                                {'hosts': sorted(zones)}):
        if zone:
            zones[host] = zone
    return zones


def host_az(aggregates):
    for agg in aggregates:
        if agg['metadata'].get(AZ_KEY):
            return agg['metadata'][AZ_KEY]
    return CONF.default_availability_zone


def _check_az_conflict(s, aggregate_id, hosts, new_az):
    """A host may be in one AZ at most: refuse what would put it in two."""
    if not new_az:
        return
    for host, aggs in by_host(s, hosts).items():
        for agg in aggs:
            other = agg['metadata'].get(AZ_KEY)
            if agg['id'] != aggregate_id and other and other != new_az:
                raise exception.Conflict(
                    reason='host %s is already in availability zone %s; it '
                           'cannot also be in %s' % (host, other, new_az))


def create(name, availability_zone=None):
    try:
        with session.writer() as s:
            row = models.Aggregate(uuid=str(uuidlib.uuid4()), name=name)
            s.add(row)
            s.flush()
            if availability_zone:
                s.add(models.AggregateMetadata(aggregate_id=row.id,
                                               key=AZ_KEY,
                                               value=availability_zone))
            return _saved(s, row)
    except sa_exc.IntegrityError:
        raise exception.Conflict(reason='an aggregate named %s exists'
                                 % name)


def update(aggregate_id, name=None, availability_zone=None):
    try:
        with session.writer() as s:
            row = _get_row(s, aggregate_id)
            if name:
                row.name = name
            if availability_zone is not None:
                _set_metadata(s, row, {AZ_KEY: availability_zone})
            return _saved(s, row)
    except sa_exc.IntegrityError:
        # A rename onto another aggregate's name, as create refuses it.
        raise exception.Conflict(reason='an aggregate named %s exists'
                                 % name)


def delete(aggregate_id):
    with session.writer() as s:
        row = _get_row(s, aggregate_id)
        if s.scalars(sa.select(models.AggregateHost).filter_by(
                aggregate_id=row.id)).first() is not None:
            raise exception.Invalid(reason='Cannot remove aggregate %s: it '
                                    'still has hosts' % aggregate_id)
        s.execute(sa.delete(models.AggregateMetadata).filter_by(
            aggregate_id=row.id))
        s.delete(row)


def add_host(aggregate_id, host):
    with session.writer() as s:
        row = _get_row(s, aggregate_id)
        known = s.scalars(sa.select(models.ComputeNode).filter_by(
            host=host)).first()
        if known is None:
            raise exception.ComputeHostNotFound(host=host)
        if s.scalars(sa.select(models.AggregateHost).filter_by(
                aggregate_id=row.id, host=host)).first() is not None:
            raise exception.Conflict(reason='host %s is already in '
                                     'aggregate %s' % (host, aggregate_id))
        az = _dicts(s, [row])[0]['availability_zone']
        _check_az_conflict(s, row.id, [host], az)
        s.add(models.AggregateHost(aggregate_id=row.id, host=host))
        _touch_nodes(s, [host])
        return _saved(s, row)


def remove_host(aggregate_id, host):
    with session.writer() as s:
        row = _get_row(s, aggregate_id)
        link = s.scalars(sa.select(models.AggregateHost).filter_by(
            aggregate_id=row.id, host=host)).first()
        if link is None:
            raise exception.NotFound('Cannot remove host %s from aggregate '
                                     '%s: host not found in it'
                                     % (host, aggregate_id))
        s.delete(link)
        _touch_nodes(s, [host])
        return _saved(s, row)


def set_metadata(aggregate_id, metadata):
    """Set keys; a None value deletes the key."""
    with session.writer() as s:
        row = _get_row(s, aggregate_id)
        _set_metadata(s, row, metadata)
        return _saved(s, row)


def _set_metadata(s, row, metadata):
    hosts = list(s.scalars(sa.select(models.AggregateHost.host).filter_by(
        aggregate_id=row.id)))
    if metadata.get(AZ_KEY):
        _check_az_conflict(s, row.id, hosts, metadata[AZ_KEY])
    for key, value in metadata.items():
        existing = s.scalars(sa.select(models.AggregateMetadata).filter_by(
            aggregate_id=row.id, key=key)).first()
        if value is None:
            if existing is not None:
                s.delete(existing)
        elif existing is not None:
            existing.value = str(value)
        else:
            s.add(models.AggregateMetadata(aggregate_id=row.id, key=key,
                                           value=str(value)))
    row.updated_at = models.utcnow()
    _touch_nodes(s, hosts)


def _touch_nodes(s, hosts):
    """Mark the hosts' nodes changed, so schedulers reload them."""
    if hosts:
        s.execute(sa.update(models.ComputeNode)
                  .where(models.ComputeNode.host.in_(hosts))
                  .values(updated_at=models.utcnow()))


def request_image_cache(aggregate_id, image_ids):
    """Record images to pre-cache on the aggregate's hosts (2.81)."""
    with session.writer() as s:
        row = _get_row(s, aggregate_id)
        known = set(s.scalars(sa.select(models.AggregateImageCache.image_id)
                              .filter_by(aggregate_id=row.id)))
        now = models.utcnow()
        for image_id in image_ids:
            if image_id in known:
                s.execute(sa.update(models.AggregateImageCache)
                          .filter_by(aggregate_id=row.id, image_id=image_id)
                          .values(requested_at=now))
            else:
                s.add(models.AggregateImageCache(
                    aggregate_id=row.id, image_id=image_id,
                    requested_at=now))
                known.add(image_id)


def cached_images(aggregate_id):
    with session.reader() as s:
        row = _get_row(s, aggregate_id)
        return sorted(s.scalars(sa.select(
            models.AggregateImageCache.image_id).filter_by(
            aggregate_id=row.id)))
