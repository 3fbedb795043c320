"""Fixed IP allocation from the flat network's range."""

import ipaddress
import random

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite

from common import exception
from nova_conductor.db import convert
from nova_conductor.db import models
from nova_conductor.db import session


def _random_mac():
    return 'fa:16:3e:%02x:%02x:%02x' % tuple(random.randint(0, 255)
                                             for _ in range(3))


def fixed_ips_for(s, instance_uuids):
    rows = s.scalars(sa.select(models.FixedIp)
                     .where(models.FixedIp.instance_uuid.in_(instance_uuids))
                     .order_by(models.FixedIp.id))
    out = {}
    for row in rows:
        out.setdefault(row.instance_uuid, []).append(convert.row_to_dict(row))
    return out


_ips = models.FixedIp.__table__
_MINE = (sa.select(_ips).where(_ips.c.network == sa.bindparam('network'))
         .where(_ips.c.instance_uuid.in_(
             sa.bindparam('uuids', expanding=True))))
_USED = sa.select(_ips.c.address).where(
    _ips.c.network == sa.bindparam('network'))


def _insert_unless_taken_statements():
    """Per dialect, an INSERT that writes nothing (rowcount 0) when the
    address is taken, even by a transaction not committed yet: the loser
    of a race picks again and its transaction goes on."""
    return {
        'postgresql': postgresql.insert(_ips).on_conflict_do_nothing(),
        'sqlite': sqlite.insert(_ips).on_conflict_do_nothing(),
        'mysql': _ips.insert().prefix_with('IGNORE'),
    }


_INSERT_UNLESS_TAKEN = _insert_unless_taken_statements()


def _free_addresses(s, network, cidr):
    """The network's free addresses, lowest first (not the gateway)."""
    net = ipaddress.ip_network(cidr, strict=False)
    hosts = net.hosts()
    next(hosts, None)  # the gateway
    used = set(s.execute(_USED, {'network': network}).scalars())
    return (address for address in map(str, hosts) if address not in used)


def allocate_in(s, instance_uuids, network, cidr):
    """Give each instance the lowest free address, in the caller's
    transaction; idempotent per network. Returns {uuid: fixed IP dict}.

    Addresses are taken in ascending order, so two transactions that
    each take several never wait on each other in a cycle.
    """
    out = {row['instance_uuid']: _as_dict(row) for row in s.execute(
        _MINE, {'network': network,
                'uuids': list(instance_uuids)}).mappings()}
    waiting = [u for u in dict.fromkeys(instance_uuids) if u not in out]
    if not waiting:
        return out
    insert = _INSERT_UNLESS_TAKEN[s.get_bind().dialect.name]
    # An address taken meanwhile by another transaction is skipped: only
    # running out of addresses ends the walk.
    free = _free_addresses(s, network, cidr)
    for uuid in waiting:
        values = {'network': network, 'mac': _random_mac(),
                  'instance_uuid': uuid, 'created_at': models.utcnow()}
        for address in free:
            values['address'] = address
            result = s.execute(insert, values)
            if result.rowcount == 1:
                out[uuid] = _as_dict(dict(
                    values, id=result.inserted_primary_key[0]))
                break
        else:
            raise exception.FixedIpsExhausted(network=network)
    return out


def _as_dict(row):
    out = dict(row)
    out['created_at'] = convert.iso(out['created_at'])
    return out


def allocate_fixed_ip(instance_uuid, network, cidr):
    """allocate_in() in a transaction of its own."""
    with session.writer() as s:
        return allocate_in(s, [instance_uuid], network, cidr)[instance_uuid]


def deallocate_fixed_ips(s, instance_uuid):
    s.execute(sa.delete(models.FixedIp).filter_by(
        instance_uuid=instance_uuid))
