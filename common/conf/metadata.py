"""The metadata service: where nova-api-metadata listens, whom it
believes about who is asking, what it caches and what vendor data it
hands out ([api], [neutron] and [DEFAULT] as in Nova)."""

from oslo_config import cfg

api_opts = [
    cfg.StrOpt('metadata_listen', default='0.0.0.0',
               help='Address nova-api-metadata listens on.'),
    cfg.PortOpt('metadata_listen_port', default=8775,
                help='Port nova-api-metadata listens on.'),
    cfg.IntOpt('metadata_workers', default=8, min=1,
               help='Threads serving metadata requests.'),
    cfg.IntOpt('metadata_cache_expiration', default=15, min=0,
               help='Seconds the metadata service reuses what it read of '
                    'one instance: a guest crawling its tree costs one '
                    'conductor call per period, not one per path. 0 '
                    'reads every time. A change (new key, rebuilt user '
                    'data) shows to the guest within this time.'),
    cfg.ListOpt('trusted_proxies', default=[],
                help='Addresses whose X-Forwarded-For header is believed: '
                     'a request from one is answered for the instance '
                     'holding the forwarded fixed IP. From any other '
                     'address the header is ignored and the source '
                     'address itself is looked up.'),
    cfg.StrOpt('vendordata_jsonfile_path',
               help='A JSON object file given to every guest as '
                    'vendor_data.json and as the "static" key of '
                    'vendor_data2.json. Unset: {}.'),
]

neutron_opts = [
    cfg.BoolOpt('service_metadata_proxy', default=False,
                help='Believe X-Instance-ID / X-Tenant-ID from a proxy in '
                     'front of the metadata service (Neutron\'s metadata '
                     'agent), checked by their X-Instance-ID-Signature.'),
    cfg.StrOpt('metadata_proxy_shared_secret', default='', secret=True,
               help='Key of the proxy\'s X-Instance-ID-Signature: '
                    'HMAC-SHA256 of the instance id, in hex. A request '
                    'whose signature is missing or wrong is refused '
                    '(403) and logged.'),
]

default_opts = [
    cfg.ListOpt('enabled_apis', default=['osapi_compute'],
                item_type=cfg.types.String(
                    choices=['osapi_compute', 'metadata', 'ec2']),
                help='APIs nova-api serves: osapi_compute (the Compute '
                     'API), metadata (the metadata service, on its '
                     'own port, as nova-api-metadata would) and ec2 (the '
                     'EC2 Query API on [ec2] port, as nova-api-ec2 '
                     'would).'),
]


def register_opts(conf):
    conf.register_opts(api_opts, group='api')
    conf.register_opts(neutron_opts, group='neutron')
    conf.register_opts(default_opts)


def list_opts():
    return {'api': api_opts, 'neutron': neutron_opts,
            'DEFAULT': default_opts}
