"""[wsgi]: how nova-api's HTTP server treats connections and requests."""

from oslo_config import cfg

GROUP = 'wsgi'

wsgi_opts = [
    cfg.IntOpt('client_socket_timeout', default=60, min=1,
               help='Seconds nova-api waits on a client connection: for '
                    'each read or write while a request is served, and '
                    'for the next request on an idle keep-alive '
                    'connection, which is then closed. A request that '
                    'stalls holds one of the osapi_compute_workers '
                    'threads for this long, so keep it short (Nova\'s '
                    'eventlet server used 900).'),
    cfg.BoolOpt('keep_alive', default=True,
                help='Keep client connections open for further requests. '
                     'False closes each connection after its response. '
                     'Either way a connection whose request body was not '
                     'read to its end is closed, so its bytes are never '
                     'read as another request.'),
    cfg.IntOpt('max_request_header_size', default=65536, min=1024,
               help='Largest request line and headers together, in bytes; '
                    'a larger request is refused with 413 (414 for a long '
                    'request line) and its connection closed. Nova\'s '
                    'eventlet server limited each header line instead '
                    '(max_header_line, 16384); raise this for very large '
                    'tokens.'),
]


def register_opts(conf):
    conf.register_opts(wsgi_opts, group=GROUP)


def list_opts():
    return {GROUP: wsgi_opts}
