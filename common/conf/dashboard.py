"""[dashboard]: the web dashboard nova-api serves at /dashboard."""

from oslo_config import cfg

dashboard_opts = [
    cfg.BoolOpt('enabled', default=True,
                help='Serve the web dashboard at /dashboard on nova-api.'),
    cfg.StrOpt('identity_url', default='',
               help='Keystone URL the dashboard logs in against when '
                    '[api] auth_strategy is keystone, e.g. '
                    'http://controller:5000. The browser POSTs to '
                    '<identity_url>/v3/auth/tokens, so Keystone must allow '
                    'this origin (CORS) when it is on another one.'),
    cfg.StrOpt('user_domain', default='Default',
               help='Keystone domain of users and projects at login.'),
    cfg.DictOpt('regions', default={},
                help='Regions the dashboard offers, as name:compute_url '
                     'pairs (e.g. RegionOne:http://a:8774,RegionTwo:'
                     'http://b:8774). Empty means this API only. Other '
                     'origins must allow this one (CORS).'),
    cfg.StrOpt('image_url', default='',
               help='Image service (Glance v2) base URL used for image '
                    'upload; empty means this origin.'),
    cfg.StrOpt('volume_url', default='',
               help='Block storage (Cinder v3) endpoint the browser calls '
                    'for the Volumes page and boot from volume, with '
                    '%(project_id)s for the logged-in project, e.g. '
                    'http://cinder:8776/v3/%(project_id)s. Empty: no '
                    'Volumes page. The same in noauth and keystone mode '
                    '(the catalog\'s volumev3 endpoint is not used: the '
                    'page\'s Content-Security-Policy allows only origins '
                    'named here). Cinder must allow this origin (CORS: '
                    'cinder.conf [cors] allowed_origin).'),
]


def register_opts(conf):
    conf.register_opts(dashboard_opts, group='dashboard')


def list_opts():
    return {'dashboard': dashboard_opts}
