"""[DEFAULT] servicegroup_driver and [servicegroup]: where services say
they are alive, and how readers learn who is down."""

from oslo_config import cfg

default_opts = [
    cfg.StrOpt('servicegroup_driver', default='db', choices=[
        ('db', 'Heartbeats are casts to the conductor, which stamps them '
               'as received and writes them in one UPDATE per '
               '[servicegroup] flush_interval. For an all-in-one and '
               'small clouds.'),
        ('redis', 'Each service heartbeats straight to Redis '
                  '([servicegroup] backend_url): a sorted set of '
                  'last-seen stamps per binary, so "who is down" is one '
                  'range query. No SQL write per heartbeat.')],
        help='Where services heartbeat and readers (the conductor, for the '
             'API and the scheduler) learn which are up. A service still '
             'registers through the conductor at start (its row in '
             'services). Every daemon must use the same driver.'),
]

opts = [
    cfg.StrOpt('backend_url', default='redis://127.0.0.1:6379',
               help='Redis URL of the redis driver.'),
    cfg.StrOpt('key_prefix', default='nova',
               help='Prefix of the redis driver\'s keys, so several clouds '
                    '(or test runs) can share one Redis.'),
    cfg.FloatOpt('flush_interval', default=1.0, min=0.1,
                 help='db driver: seconds a conductor worker gathers '
                      'heartbeats in memory before writing them in one '
                      'UPDATE. Each keeps the time it was received.'),
]


def register_opts(conf):
    conf.register_opts(default_opts)
    conf.register_opts(opts, group='servicegroup')


def list_opts():
    return {'DEFAULT': default_opts, 'servicegroup': opts}
