"""Options of resize and cold migration ([DEFAULT], as in Nova, and the
libvirt driver's disk transport)."""

from oslo_config import cfg

default_opts = [
    cfg.BoolOpt('allow_resize_to_same_host', default=False,
                help='Let the scheduler choose the instance\'s own host for '
                     'a resize (a cold migration always moves). Useful on '
                     'a one-host cloud.'),
    cfg.IntOpt('resize_confirm_window', default=0, min=0,
               help='Seconds after which a resize or cold migration left '
                    'in VERIFY_RESIZE is confirmed automatically (a '
                    'conductor periodic task); 0 disables it.'),
]

libvirt_opts = [
    cfg.StrOpt('remote_filesystem_transport', default='ssh',
               choices=[('ssh', 'scp over ssh'),
                        ('rsync', 'rsync over ssh')],
               help='How a resize or cold migration copies an instance\'s '
                    'disks from a source host whose instances_path this '
                    'host cannot read (ssh keys between computes are the '
                    'operator\'s). A source directory this host can read '
                    '(same host, or shared instances_path) is copied '
                    'locally.'),
]


def register_opts(conf):
    conf.register_opts(default_opts)
    conf.register_opts(libvirt_opts, group='libvirt')


def list_opts():
    return {'DEFAULT': default_opts, 'libvirt': libvirt_opts}
