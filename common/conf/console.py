"""[consoleauth], [serial_console], [vnc]: remote consoles, their one-time
tokens and the proxies (nova_console) that carry them to the browser."""

from oslo_config import cfg

consoleauth_opts = [
    cfg.IntOpt('token_ttl', default=600, min=1, max=86400,
               help='Seconds a console token stays valid. A token is used '
                    'at most once: a proxy consumes it on connect.'),
]

serial_opts = [
    cfg.BoolOpt('enabled', default=True,
                help='Give guests a TCP serial port (besides the console '
                     'log) that nova-serialproxy connects browsers to.'),
    cfg.StrOpt('port_range', default='10000:20000',
               regex=r'^\d+:\d+$',
               help='Host ports (min:max) a guest\'s serial port listens '
                    'on, one per guest.'),
    cfg.StrOpt('base_url', default='ws://127.0.0.1:6083/',
               help='The URL nova-serialproxy is reached at by clients; '
                    'a console URL is this with ?token=...'),
    cfg.StrOpt('proxyclient_address', default='127.0.0.1',
               help='Address on the compute host a guest\'s serial port '
                    'listens on, and the proxy connects to.'),
    cfg.StrOpt('serialproxy_host', default='0.0.0.0',
               help='Address nova-serialproxy listens on.'),
    cfg.PortOpt('serialproxy_port', default=6083,
                help='Port nova-serialproxy listens on.'),
]

vnc_opts = [
    cfg.BoolOpt('enabled', default=True,
                help='Give guests a VNC display that nova-novncproxy '
                     'connects browsers to.'),
    cfg.StrOpt('server_listen', default='127.0.0.1',
               help='Address on the compute host guests\' VNC servers '
                    'listen on.'),
    cfg.StrOpt('server_proxyclient_address', default='127.0.0.1',
               help='Address nova-novncproxy connects to for a guest\'s '
                    'VNC server on this compute host.'),
    cfg.StrOpt('novncproxy_base_url',
               default='http://127.0.0.1:6080/vnc_auto.html',
               help='The noVNC page clients open; a console URL is this '
                    'with ?path=%3Ftoken%3D...'),
    cfg.StrOpt('novncproxy_host', default='0.0.0.0',
               help='Address nova-novncproxy listens on.'),
    cfg.PortOpt('novncproxy_port', default=6080,
                help='Port nova-novncproxy listens on.'),
    cfg.StrOpt('web', default='/usr/share/novnc',
               help='Directory of the noVNC files nova-novncproxy serves '
                    '(Debian package novnc).'),
]

console_opts = [
    cfg.ListOpt('allowed_origins', default=[],
                help='Host names, besides the proxy\'s own, a browser '
                     'page may open a console websocket from (its Origin '
                     'header). Others are refused.'),
]


def register_opts(conf):
    conf.register_opts(consoleauth_opts, group='consoleauth')
    conf.register_opts(serial_opts, group='serial_console')
    conf.register_opts(vnc_opts, group='vnc')
    conf.register_opts(console_opts, group='console')


def list_opts():
    return {'consoleauth': consoleauth_opts, 'serial_console': serial_opts,
            'vnc': vnc_opts, 'console': console_opts}
