"""[metrics]: each daemon's Prometheus endpoint (common/metrics.py)."""

from oslo_config import cfg

metrics_opts = [
    cfg.BoolOpt('enabled', default=False,
                help='Serve Prometheus metrics: each daemon at '
                     'http://<listen>:<its port>/metrics; the all-in-one '
                     'at /metrics on its API port.'),
    cfg.HostAddressOpt('listen', default='127.0.0.1',
                       help='Address the daemons\' metrics endpoints listen '
                            'on (loopback by default: the metrics name '
                            'hosts and routes; open them to your '
                            'Prometheus only). The all-in-one answers '
                            'callers other than loopback only when this '
                            'is not a loopback address.'),
    cfg.PortOpt('api_port', default=9891,
                help='nova-api\'s metrics port.'),
    cfg.PortOpt('conductor_port', default=9892,
                help='nova-conductor\'s metrics port (its parent process '
                     'adds up the workers\' values).'),
    cfg.PortOpt('scheduler_port', default=9893,
                help='nova-scheduler\'s metrics port.'),
    cfg.PortOpt('compute_port', default=9894,
                help='nova-compute\'s metrics port.'),
]


def register_opts(conf):
    conf.register_opts(metrics_opts, group='metrics')


def list_opts():
    return {'metrics': metrics_opts}
