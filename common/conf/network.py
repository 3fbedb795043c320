"""[network]: the flat network that "auto" allocates fixed IPs from."""

from oslo_config import cfg

opts = [
    cfg.StrOpt('network_name', default='private',
               help='Name of the flat network, the key in a server\'s '
                    'addresses.'),
    cfg.StrOpt('fixed_range_v4', default='10.0.0.0/24',
               help='CIDR that fixed IPs are allocated from. The first '
                    'address (gateway) and the broadcast are never handed out.'),
    cfg.StrOpt('flat_network_bridge', default='br100',
               help='Host bridge instance interfaces are plugged into.'),
    cfg.ListOpt('dns_servers', default=[],
                help='DNS servers guests are told of (network_data.json '
                     'of the metadata service and the config drive). '
                     'Empty: the network\'s gateway.'),
    cfg.IntOpt('mtu', default=1500, min=68,
               help='MTU of the flat network, told to guests.'),
]


def register_opts(conf):
    conf.register_opts(opts, group='network')


def list_opts():
    return {'network': opts}
