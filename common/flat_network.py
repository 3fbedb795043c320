"""The one flat network's facts every service derives alike from
[network]: its id, netmask, gateway and DNS servers."""

import ipaddress
import uuid

from common.conf import CONF


def network_id():
    """Stable id of the flat network, derived from its name."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL,
                          'nova-lite/network/' + CONF.network.network_name))


def ip_network():
    return ipaddress.ip_network(CONF.network.fixed_range_v4, strict=False)


def gateway():
    """The range's first address (never handed out), or None for a range
    too small to have one."""
    first = next(ip_network().hosts(), None)
    return str(first) if first else None


def dns_servers():
    """[network] dns_servers, or the gateway when none are set (the
    bridge's host usually answers DNS on a flat network)."""
    servers = list(CONF.network.dns_servers)
    if not servers and gateway():
        servers = [gateway()]
    return servers
