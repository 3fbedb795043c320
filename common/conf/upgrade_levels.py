"""[upgrade_levels]: the newest RPC version to send each service during a
rolling upgrade, while some of its daemons still run the older code."""

from oslo_config import cfg

upgrade_levels_opts = [
    cfg.StrOpt('compute',
               help='The newest nova-compute RPC version this daemon may '
                    'send (e.g. 1.1), while some computes still run older '
                    'code; unset sends the newest this code knows. Set it '
                    'on the conductors before upgrading them, and remove '
                    'it once every compute is upgraded: until then builds '
                    'are cast one message each instead of one per host and '
                    'moment.'),
]


def register_opts(conf):
    conf.register_opts(upgrade_levels_opts, group='upgrade_levels')


def list_opts():
    return {'upgrade_levels': upgrade_levels_opts}
