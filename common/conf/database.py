"""[database]: where the conductor keeps all state (oslo.db's option names)."""

from oslo_config import cfg

opts = [
    cfg.StrOpt('connection', secret=True,
               default='sqlite:///$state_path/nova.sqlite',
               help='SQLAlchemy URL of the database, e.g. '
                    'postgresql+psycopg2://nova:secret@db/nova or '
                    'mysql+pymysql://nova:secret@db/nova.'),
    cfg.IntOpt('max_pool_size', default=10, min=1,
               help='Connections the conductor keeps open per process.'),
    cfg.IntOpt('max_overflow', default=20, min=0,
               help='Extra connections allowed beyond max_pool_size.'),
    cfg.BoolOpt('connection_debug', default=False,
                help='Log every SQL statement.'),
]


def register_opts(conf):
    conf.register_opts(opts, group='database')


def list_opts():
    return {'database': opts}
