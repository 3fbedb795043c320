"""[DEFAULT] options every daemon uses: identity of this host, paths."""

import socket

from oslo_config import cfg

opts = [
    cfg.StrOpt('host', default=socket.gethostname(), sample_default='<hostname>',
               help='Name of this node. Compute services register under it; '
                    'it must be unique per nova-compute.'),
    cfg.StrOpt('state_path', default='/var/lib/nova',
               help='Top-level directory for state: the SQLite database, '
                    'the local image store and instance files.'),
    cfg.StrOpt('image_store_path', default='$state_path/images',
               help='Directory of the local image registry\'s files, '
                    'written by nova-api (image uploads) and nova-manage. '
                    'Compute hosts download images through the image API, '
                    'so it need not be shared.'),
    cfg.StrOpt('my_ip', default='127.0.0.1',
               help='IP address of this host, shown for its services.'),
    cfg.IntOpt('report_interval', default=10, min=1,
               help='Seconds between a service\'s heartbeats.'),
    cfg.IntOpt('service_down_time', default=60, min=1,
               help='A service whose last heartbeat is older than this many '
                    'seconds is considered down.'),
    cfg.FloatOpt('rpc_resend_after', default=3.0, min=0.1,
                 help='Seconds a call that is safe to repeat waits for its '
                      'answer before it is sent again; each further wait '
                      'is twice as long, all within rpc_response_timeout. '
                      'RabbitMQ hands a message over once: when the '
                      'daemon that took it is killed, only a new message '
                      'gets an answer. Calls safe to repeat are reads, a '
                      'create by instance uuid and a scheduler request '
                      '(each service\'s rpcapi.py names them); one '
                      'answered "database unavailable" is sent again '
                      'after 0.1 s, then twice as long each time up to '
                      'this value, within the same timeout. A heartbeat '
                      'waits this long once, and a failed one is sent '
                      'again after 1 s, then 2, 4... up to '
                      'report_interval.'),
    cfg.StrOpt('default_availability_zone', default='nova',
               help='Availability zone of compute hosts in no zone.'),
    cfg.IntOpt('graceful_shutdown_timeout', default=30, min=0,
               help='Seconds a daemon waits for in-flight requests on '
                    'SIGTERM before it exits.'),
]


def register_opts(conf):
    conf.register_opts(opts)


def list_opts():
    return {'DEFAULT': opts}
