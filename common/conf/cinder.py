"""[cinder]: the block storage service (volumes and their attachments).

Option names are Nova's. The authentication and session options come
from keystoneauth1; requests made for a user carry that user's token.
"""

from oslo_config import cfg

from common import service_session

GROUP = 'cinder'

cinder_opts = [
    cfg.StrOpt('catalog_info', default='volumev3::publicURL',
               help='Where to find Cinder in the service catalog: '
                    '<service_type>:<service_name>:<interface>, the name '
                    'optional, the interface publicURL, internalURL or '
                    'adminURL.'),
    cfg.StrOpt('endpoint_template',
               help='Cinder\'s endpoint, bypassing the catalog, with '
                    '%(project_id)s for the caller\'s project, e.g. '
                    'http://cinder:8776/v3/%(project_id)s. Needed when '
                    'there is no catalog (noauth).'),
    cfg.StrOpt('os_region_name',
               help='The catalog region whose Cinder endpoint is used.'),
    cfg.IntOpt('http_retries', default=3, min=0,
               help='Extra attempts at a read that could not connect.'),
    cfg.BoolOpt('cross_az_attach', default=True,
                help='Whether an instance may use a volume of another '
                     'availability zone. False: boot from volume and '
                     'attach refuse a volume outside the instance\'s zone, '
                     'and volumes made for an instance are made in its '
                     'zone.'),
]


def register_opts(conf):
    conf.register_opts(cinder_opts, group=GROUP)
    service_session.register_opts(conf, GROUP)


def list_opts():
    return {GROUP: cinder_opts + service_session.list_opts()}
