"""[healthcheck]: nova-api's /healthcheck (nova_api/healthcheck.py).

oslo.middleware's own options (detailed, backends, allowed_source_ranges,
ignore_proxied_requests, disable_by_file_path) live in this group too,
with nova's two checks as the default backends.
"""

from oslo_config import cfg
from oslo_middleware.healthcheck import opts as oslo_opts

# The checks nova-api registers (setup.cfg, oslo.middleware.healthcheck).
NOVA_BACKENDS = ['conductor', 'message_broker']

cfg.set_defaults(oslo_opts.HEALTHCHECK_OPTS, backends=NOVA_BACKENDS)

healthcheck_opts = [
    cfg.FloatOpt('timeout', default=3.0, min=0.1,
                 help='Seconds a check waits for the conductor to answer, '
                      'or for a connection to the message broker to open, '
                      'before it reports that part unavailable.'),
    cfg.FloatOpt('cache_seconds', default=2.0, min=0.0,
                 help='Seconds a check\'s result is reused: however often '
                      'load balancers poll, each check runs at most once '
                      'per period (and one at a time).'),
]

OSLO_OPTS = oslo_opts.HEALTHCHECK_OPTS + oslo_opts.DISABLE_BY_FILE_OPTS


def register_opts(conf):
    conf.register_opts(OSLO_OPTS + healthcheck_opts, group='healthcheck')


def list_opts():
    return {'healthcheck': OSLO_OPTS + healthcheck_opts}
