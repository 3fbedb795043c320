"""[api] and the API listener options."""

from oslo_config import cfg

api_opts = [
    cfg.StrOpt('auth_strategy', default='noauth2',
               choices=[('noauth2', 'no authentication; user and project come '
                         'from the token text "user:project" or defaults'),
                        ('keystone', 'Keystone tokens via keystonemiddleware')],
               help='How the API authenticates requests.'),
    cfg.IntOpt('max_limit', default=1000, min=1,
               help='Most items a list call returns in one page.'),
    cfg.IntOpt('max_request_body_size', default=114688, min=1,
               help='Largest JSON request body accepted, in bytes (413 '
                    'above it), whether sent with a Content-Length or '
                    'chunked. Image data uploads are bounded by '
                    '[DEFAULT] image_size_cap instead. Also the most of '
                    'an unread request body nova-api reads and discards '
                    'to keep a connection open; a longer one closes it.'),
    cfg.IntOpt('max_servers_per_request', default=1000, min=1,
               help='Most servers one create request (min_count, '
                    'max_count) may make. A min_count above it is a 400; '
                    'a max_count above it creates this many, as a '
                    'max_count above the quota\'s headroom does. Nova has '
                    'no such limit beyond quotas; this one bounds the '
                    'work and memory of a single request for projects '
                    'with unlimited quotas.'),
    cfg.FloatOpt('lookup_cache_ttl', default=1.0, min=0,
                 help='Seconds nova-api may reuse a flavor or an active '
                      'image it read from the conductor (every server '
                      'create reads both). A change made through this API '
                      'process clears the cache at once; one made through '
                      'another shows within this time. Images from an '
                      'external Glance are never cached. 0 reads every '
                      'time.'),
    cfg.BoolOpt('enable_instance_password', default=True,
                help='Whether rescue (and the other actions that set one) '
                     'answer with the server\'s new adminPass. Nova\'s '
                     'option of the same name.'),
]

listen_opts = [
    cfg.StrOpt('osapi_compute_listen', default='0.0.0.0',
               help='Address nova-api listens on.'),
    cfg.PortOpt('osapi_compute_listen_port', default=8774,
                help='Port nova-api listens on.'),
    cfg.IntOpt('osapi_compute_workers', default=8, min=1,
               help='Threads serving API requests: the most requests '
                    'nova-api works on at once. Idle keep-alive '
                    'connections hold none.'),
]


def register_opts(conf):
    conf.register_opts(api_opts, group='api')
    conf.register_opts(listen_opts)


def list_opts():
    return {'api': api_opts, 'DEFAULT': listen_opts}
