"""[quota]: default per-project limits (-1 means unlimited)."""

from oslo_config import cfg

opts = [
    cfg.IntOpt('instances', default=10, min=-1,
               help='Servers a project may have.'),
    cfg.IntOpt('cores', default=20, min=-1,
               help='vCPUs a project\'s servers may use in total.'),
    cfg.IntOpt('ram', default=50 * 1024, min=-1,
               help='MB of RAM a project\'s servers may use in total.'),
    cfg.IntOpt('metadata_items', default=128, min=-1,
               help='Metadata items a server may carry.'),
    cfg.IntOpt('injected_files', default=5, min=-1,
               help='Files that may be injected into a server.'),
    cfg.IntOpt('injected_file_content_bytes', default=10 * 1024, min=-1,
               help='Bytes an injected file may hold.'),
    cfg.IntOpt('injected_file_path_length', default=255, min=-1,
               help='Characters an injected file\'s path may have.'),
    cfg.IntOpt('key_pairs', default=100, min=-1,
               help='Key pairs a user may have.'),
    cfg.IntOpt('server_groups', default=10, min=-1,
               help='Server groups a project may have.'),
    cfg.IntOpt('server_group_members', default=10, min=-1,
               help='Servers one server group may hold.'),
]


def register_opts(conf):
    conf.register_opts(opts, group='quota')


def list_opts():
    return {'quota': opts}
