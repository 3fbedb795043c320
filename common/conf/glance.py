"""[glance]: the image service (records and data), the image API's limits.

The authentication and session options come from keystoneauth1, as in
Nova; with no auth_type the image API is called without a token, which
suits nova-api's own endpoint in noauth mode.
"""

from oslo_config import cfg

from common import service_session

GROUP = 'glance'

glance_opts = [
    cfg.ListOpt('api_servers', default=[],
                help='Image API (Glance v2) endpoints, tried in order, e.g. '
                     'a real Glance at http://glance:9292 or another '
                     'nova-lite\'s http://controller:8774/image. When set '
                     '(or, with this empty, when an auth_type is set and '
                     'the catalog has an image endpoint) this external '
                     'image service is used everywhere: nova-api reads '
                     'image records from it with the caller\'s token, the '
                     'conductor with these credentials, and compute hosts '
                     'download image data from it. Empty and no catalog '
                     'endpoint: the local registry, whose data compute '
                     'hosts download from this deployment\'s nova-api '
                     '(osapi_compute_listen and osapi_compute_listen_port, '
                     '127.0.0.1 when it listens on every address).'),
    cfg.BoolOpt('copy_from_local_store', default=True,
                help='Copy an image straight from [DEFAULT] '
                     'image_store_path when its file is readable on this '
                     'host (all-in-one, shared storage) instead of '
                     'downloading it through the image API.'),
    cfg.IntOpt('num_retries', default=3, min=0,
               help='Extra attempts at a download or an image record '
                    'lookup that failed to connect, cycling through '
                    'api_servers.'),
]

default_opts = [
    cfg.IntOpt('image_size_cap', default=1099511627776, min=1,
               help='Largest image upload the image API accepts, in bytes.'),
]


def register_opts(conf):
    conf.register_opts(glance_opts, group=GROUP)
    conf.register_opts(default_opts)
    service_session.register_opts(conf, GROUP)


def list_opts():
    return {
        GROUP: glance_opts + service_session.list_opts(),
        'DEFAULT': default_opts,
    }
