"""Fixed IP allocation from the flat network's range."""

import ipaddress
import random

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from common import exception
from nova_conductor.db import convert
from nova_conductor.db import models
from nova_conductor.db import session

MAX_RACE_RETRIES = 10


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


def allocate_fixed_ip(instance_uuid, network, cidr):
    """Give the instance the lowest free address; idempotent per network.

    The unique (network, address) constraint settles races between
    conductors: the loser picks again.
    """
    net = ipaddress.ip_network(cidr, strict=False)
    gateway = next(net.hosts(), None)
    for _attempt in range(MAX_RACE_RETRIES):
        try:
            with session.writer() as s:
                mine = s.scalars(sa.select(models.FixedIp).filter_by(
                    network=network, instance_uuid=instance_uuid)).first()
                if mine is not None:
                    return convert.row_to_dict(mine)
                used = set(s.scalars(sa.select(models.FixedIp.address)
                                     .filter_by(network=network)))
                address = next((str(ip) for ip in net.hosts()
                                if ip != gateway and str(ip) not in used),
                               None)
                if address is None:
                    raise exception.FixedIpsExhausted(network=network)
                row = models.FixedIp(network=network, address=address,
                                     mac=_random_mac(),
                                     instance_uuid=instance_uuid)
                s.add(row)
                s.flush()
                return convert.row_to_dict(row)
        except sa_exc.IntegrityError:
            continue
    raise exception.FixedIpsExhausted(network=network)


def deallocate_fixed_ips(s, instance_uuid):
    s.execute(sa.delete(models.FixedIp).filter_by(
        instance_uuid=instance_uuid))
