"""/v2.1/os-networks and /v2.1/os-tenant-networks (2.1 .. 2.35, 404
from 2.36): the networks servers can boot on, here the one flat network
fixed IPs come from ([network]).

Nova proxies these to Neutron and fills in the id and label alone; here
the network layer is local, so what it knows is shown too (cidr,
netmask, gateway, broadcast; the bridge and first address for admins)
and the rest stays null. Creating, deleting and (dis)associating
networks were nova-network's and answer 410 Gone, as in Nova.
"""

from common import exception
from common import flat_network as network_facts
from common.conf import CONF
from nova_api import microversion
from nova_api import policy
from nova_api import validation

MAX_VERSION = (2, 35)
FIELDS = ('id', 'cidr', 'netmask', 'gateway', 'broadcast', 'dns1', 'dns2',
          'cidr_v6', 'gateway_v6', 'label', 'netmask_v6')
ADMIN_FIELDS = ('created_at', 'updated_at', 'deleted_at', 'deleted',
                'injected', 'bridge', 'vlan', 'vpn_public_address',
                'vpn_public_port', 'vpn_private_address', 'dhcp_start',
                'project_id', 'host', 'bridge_interface', 'multi_host',
                'priority', 'rxtx_base', 'mtu', 'dhcp_server', 'enable_dhcp',
                'share_address')


def flat_network():
    """What the network layer knows of its one network."""
    net = network_facts.ip_network()
    hosts = net.hosts()
    gateway = next(hosts, None)
    first = next(hosts, None)
    return {'id': network_facts.network_id(),
            'label': CONF.network.network_name,
            'cidr': str(net), 'netmask': str(net.netmask),
            'gateway': str(gateway) if gateway else None,
            'broadcast': str(net.broadcast_address),
            'bridge': CONF.network.flat_network_bridge,
            'dhcp_start': str(first) if first else None, 'deleted': False}


def network_view(req, network):
    fields = FIELDS + (ADMIN_FIELDS if req.context.ctxt.is_admin else ())
    return {k: network.get(k) for k in fields}


def tenant_network_view(network):
    return {'id': network['id'], 'cidr': network['cidr'],
            'label': network['label']}


def _get(network_id):
    network = flat_network()
    if network_id != network['id']:
        raise exception.NetworkNotFound(network_id=network_id)
    return network


def _check(req, rule):
    microversion.require(req, microversion.MIN_VERSION, MAX_VERSION)
    policy.authorize(req, rule, {'project_id': req.context.ctxt.project_id})


class _Base:

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    @validation.no_body
    def on_post(self, req, resp):
        raise exception.NovaNetworkRemoved()


class _Member:

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    def on_delete(self, req, resp, network_id):
        raise exception.NovaNetworkRemoved()


class Networks(_Base):

    def on_get(self, req, resp):
        _check(req, 'os_compute_api:os-networks:list')
        resp.media = {'networks': [network_view(req, flat_network())]}


class Network(_Member):

    def on_get(self, req, resp, network_id):
        _check(req, 'os_compute_api:os-networks:view')
        resp.media = {'network': network_view(req, _get(network_id))}


class NetworksAdd(_Base):
    """POST /os-networks/add: associated networks with projects."""


class NetworkAction:
    """POST /os-networks/{id}/action: the disassociate actions."""

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    @validation.no_body
    def on_post(self, req, resp, network_id):
        raise exception.NovaNetworkRemoved()


class TenantNetworks(_Base):

    def on_get(self, req, resp):
        _check(req, 'os_compute_api:os-tenant-networks:list')
        resp.media = {'networks': [tenant_network_view(flat_network())]}


class TenantNetwork(_Member):

    def on_get(self, req, resp, network_id):
        _check(req, 'os_compute_api:os-tenant-networks:show')
        resp.media = {'network': tenant_network_view(_get(network_id))}
