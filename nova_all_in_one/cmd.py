"""nova-all-in-one: api, conductor, scheduler and compute in one process.

Embedded defaults: SQLite in the state directory, in-process messaging,
the libvirt test driver (one simulated host per compute, sized like this
machine unless told otherwise) and noauth. Seeds flavors and a demo image
so a server can be booted right away.
"""

import argparse
import json
import logging
import os
import socket
import sys

from common import daemon
from common import metrics
from common import flat_network
from common import rpc
from common.conf import CONF

LOG = logging.getLogger(__name__)


def build_parser():
    parser = argparse.ArgumentParser(
        prog='nova-all-in-one',
        description='Run the whole compute controller in one process.')
    parser.add_argument('--listen', default='127.0.0.1',
                        help='API listen address (default %(default)s)')
    parser.add_argument('--port', type=int, default=8774,
                        help='API port; 0 picks a free one '
                             '(default %(default)s)')
    parser.add_argument('--metadata-port', type=int, default=8775,
                        help='metadata service port; 0 picks a free one '
                             '(default %(default)s)')
    parser.add_argument('--ec2-port', type=int, default=8788,
                        help='EC2 API port; 0 picks a free one '
                             '(default %(default)s)')
    parser.add_argument('--serial-proxy-port', type=int, default=6083,
                        help='nova-serialproxy port; 0 picks a free one '
                             '(default %(default)s)')
    parser.add_argument('--novnc-proxy-port', type=int, default=6080,
                        help='nova-novncproxy port; 0 picks a free one '
                             '(default %(default)s)')
    parser.add_argument('--state-dir', default='./state',
                        help='database, images and instance files '
                             '(default %(default)s)')
    parser.add_argument('--compute-hosts', type=int, default=1,
                        help='simulated compute hosts to run '
                             '(default %(default)s)')
    parser.add_argument('--host-vcpus', type=int, default=0,
                        help='CPUs of each simulated host (0: this '
                             'machine\'s)')
    parser.add_argument('--host-memory-mb', type=int, default=0,
                        help='RAM of each simulated host (0: this '
                             'machine\'s)')
    parser.add_argument('--transport-url', default='inproc://',
                        help='messaging URL (default: in-process)')
    parser.add_argument('--database', default=None,
                        help='SQLAlchemy URL (default: SQLite in the state '
                             'directory)')
    parser.add_argument('--config-file', action='append', default=[],
                        help='nova.conf to read as well (repeatable)')
    return parser


def _configure(args):
    conf_args = []
    for path in args.config_file:
        conf_args += ['--config-file', path]
    daemon.parse_config(conf_args, 'all-in-one')
    state = os.path.abspath(args.state_dir)
    os.makedirs(state, exist_ok=True)
    CONF.set_override('state_path', state)
    if args.database:
        CONF.set_override('connection', args.database, group='database')
    if args.host_vcpus:
        CONF.set_override('test_node_vcpus', args.host_vcpus, 'libvirt')
    if args.host_memory_mb:
        CONF.set_override('test_node_memory_mb', args.host_memory_mb,
                          'libvirt')
    CONF.set_override('osapi_compute_listen', args.listen)
    CONF.set_override('osapi_compute_listen_port', args.port)
    CONF.set_override('metadata_listen', args.listen, 'api')
    CONF.set_override('metadata_listen_port', args.metadata_port, 'api')
    CONF.set_override('listen', args.listen, 'ec2')
    CONF.set_override('port', args.ec2_port, 'ec2')
    CONF.set_override('serialproxy_host', args.listen, 'serial_console')
    CONF.set_override('serialproxy_port', args.serial_proxy_port,
                      'serial_console')
    CONF.set_override('novncproxy_host', args.listen, 'vnc')
    CONF.set_override('novncproxy_port', args.novnc_proxy_port, 'vnc')
    # So a newcomer can ask as a guest would: curl from this machine
    # with X-Forwarded-For: <fixed IP> (the default trusts no one).
    if not CONF.api.trusted_proxies:
        CONF.set_override('trusted_proxies', ['127.0.0.1', '::1'], 'api')
    # Metrics on by default here, at /metrics on the API port (loopback
    # callers only unless [metrics] listen says otherwise).
    CONF.set_default('enabled', True, group='metrics')
    metrics.setup()


def _prepare_database():
    """The demo image's id, once the embedded database is ready."""
    from nova_conductor import first_run
    return first_run.prepare(CONF.database.connection, CONF.state_path,
                             CONF.image_store_path)


def _compute_hosts(count):
    base = CONF.host
    if count == 1:
        return [base]
    return ['%s-compute-%d' % (base, i + 1) for i in range(count)]


def start_services(compute_hosts):
    """Start every service in this process, each made as its own daemon
    makes it; returns them (the metadata service, then the API, last)."""
    from nova_api import cmd as api_cmd
    from nova_api.metadata import cmd as metadata_cmd
    from nova_compute import cmd as compute_cmd
    from nova_conductor import cmd as conductor_cmd
    from nova_scheduler import cmd as scheduler_cmd

    started = [conductor_cmd.make_service(), scheduler_cmd.make_service()]
    started += [compute_cmd.make_service(host) for host in compute_hosts]
    started += _console_proxies()
    started += [metadata_cmd.make_server(),
                api_cmd.make_server(metrics_route=True)]
    for svc in started:
        svc.start()
    return started


def _ec2_server():
    """nova-api-ec2's server, started where it could listen (a port in
    use costs the EC2 API, not the all-in-one), or None."""
    from nova_api.ec2 import cmd as ec2_cmd
    server = ec2_cmd.make_server()
    try:
        server.start()
    except OSError as err:
        LOG.warning('%s not started: %s', ec2_cmd.BINARY, err)
        return None
    return server


def _console_proxies():
    """nova-serialproxy and nova-novncproxy, each where it could listen
    (a port in use costs that console, not the all-in-one); the console
    URLs handed out name the ports they got."""
    from nova_console import novncproxy
    from nova_console import serialproxy

    host = CONF.serial_console.serialproxy_host
    if host in ('0.0.0.0', '::'):
        host = socket.getfqdn()
    proxies = []
    for module, group, option, url in (
            (serialproxy, 'serial_console', 'base_url', 'ws://%s:%d/'),
            (novncproxy, 'vnc', 'novncproxy_base_url',
             'http://%s:%d/vnc_auto.html')):
        try:
            proxy = module.make_server()
        except OSError as err:
            LOG.warning('%s not started: %s', module.BINARY, err)
            continue
        CONF.set_override(option, url % (host, proxy.port), group)
        proxies.append(proxy)
    return proxies


def _novalite():
    """The CLI beside this interpreter (in .venv/bin), by a path that works
    without activating the virtualenv."""
    path = os.path.join(os.path.dirname(sys.executable), 'novalite')
    return os.path.relpath(path) if path.startswith(os.getcwd()) else path


def _first_guest_ip():
    """The fixed IP the first server gets: the one after the gateway."""
    hosts = flat_network.ip_network().hosts()
    next(hosts, None)
    return str(next(hosts, ''))


def _ec2_keys():
    """The admin's EC2 access key and secret without Keystone: made at
    the first start, the same ones after."""
    from common import context
    from nova_conductor import rpcapi as conductor_rpcapi
    conductor = conductor_rpcapi.ConductorAPI()
    ctxt = context.get_admin_context()
    found = conductor.ec2_credential_list(ctxt, project_id='admin',
                                          user_id='admin')
    return found[0] if found else conductor.ec2_credential_create(
        ctxt, 'admin', 'admin')


def _ec2_lines(host, ec2_port):
    if ec2_port is None:
        return ('  EC2 API: not started (port %d in use; see --ec2-port)\n'
                % CONF.ec2.port), ''
    ec2_url = 'http://%s:%d/' % (host, ec2_port)
    lines = '  EC2 API: %s\n' % ec2_url
    if CONF.api.auth_strategy == 'keystone':
        return lines, ''
    keys = _ec2_keys()
    env = ('AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s '
           'AWS_DEFAULT_REGION=%s' % (keys['access'], keys['secret'],
                                      CONF.ec2.region_name))
    lines += '  EC2 keys:    %s\n' % env
    usage = ('Or with the AWS CLI (the admin project\'s keys):\n'
             '  %s aws --endpoint-url %s ec2 describe-instances\n\n'
             % (env, ec2_url))
    return lines, usage


def _banner(port, metadata_port, listen, image, ec2_port):
    host = listen if listen not in ('0.0.0.0', '::') else socket.getfqdn()
    url = 'http://%s:%d' % (host, port)
    metadata_url = 'http://%s:%d' % (host, metadata_port)
    ec2_lines, ec2_usage = _ec2_lines(host, ec2_port)
    body = json.dumps({'server': {'name': 'demo', 'flavorRef': '1',
                                  'imageRef': image, 'networks': 'auto'}})
    print('\nnova-all-in-one is running.\n'
          '  Compute API: %s/v2.1/\n'
          '  Image API:   %s/image\n'
          '  Dashboard:   %s/dashboard/\n'
          '  Metadata API: %s/\n'
          '%s'
          '  Consoles:    %s (serial), %s (noVNC)\n'
          '  Health:      %s/healthcheck\n'
          '%s'
          '  State:       %s\n\n'
          'Boot a server:\n'
          '  curl -s -X POST %s/v2.1/servers -H "Content-Type: '
          'application/json" -d \'%s\'\n'
          'List servers:\n'
          '  curl -s %s/v2.1/servers/detail\n\n'
          'Or with the CLI:\n'
          '  %s --os-endpoint %s server create --image demo-image '
          '--flavor m1.tiny --wait demo\n\n'
          '%s'
          'What a guest sees (its fixed IP as X-Forwarded-For):\n'
          '  curl -s -H "X-Forwarded-For: %s" '
          '%s/openstack/latest/meta_data.json\n\n'
          'Stop with Ctrl-C.\n' % (url, url, url, metadata_url, ec2_lines,
                                   CONF.serial_console.base_url,
                                   CONF.vnc.novncproxy_base_url, url,
                                   ('  Metrics:     %s/metrics\n' % url
                                    if metrics.enabled() else ''),
                                   CONF.state_path, url, body, url,
                                   _novalite(), url, ec2_usage,
                                   _first_guest_ip(),
                                   metadata_url),
          flush=True)


def main(argv=None):
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    _configure(args)
    demo_image = _prepare_database()
    rpc.init(CONF, url=args.transport_url)
    started = start_services(_compute_hosts(args.compute_hosts))
    metadata, api = started[-2:]
    ec2 = _ec2_server()
    if ec2:
        started.append(ec2)
    # With --port 0 the API's port is known only now: the computes upload
    # snapshots to its /image (common/glance_client.local_image_endpoint).
    CONF.set_override('osapi_compute_listen_port', api.port)
    _banner(api.port, metadata.port, args.listen, demo_image,
            ec2.port if ec2 else None)

    def stop():
        for svc in reversed(started):
            svc.stop()
    daemon.wait_for_signals(stop)
    rpc.cleanup()
    return 0


if __name__ == '__main__':
    sys.exit(main())
