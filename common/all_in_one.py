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

from common import context as nova_context
from common import daemon
from common import rpc
from common import service
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


def _prepare_database():
    from nova_conductor import images
    from nova_conductor import manage
    from nova_conductor.db import catalog
    from nova_conductor.db import migration
    from nova_conductor.db import session
    session.configure(CONF.database.connection)
    migration.db_sync()
    manage.seed_flavors()
    if not catalog.image_get_all({'name': 'demo-image'}):
        path = os.path.join(CONF.state_path, 'demo-image.qcow2')
        images.import_file(images.make_demo_image(path), 'demo-image',
                           CONF.image_store_path,
                           properties={'hw_architecture': 'x86_64'})
        os.unlink(path)


def _compute_hosts(count):
    base = CONF.host
    if count == 1:
        return [base]
    return ['%s-compute-%d' % (base, i + 1) for i in range(count)]


def start_services(compute_hosts):
    """Start every service in this process; returns them (API last)."""
    from nova_api import cmd as api_cmd
    from nova_compute import manager as compute_manager
    from nova_conductor import manager as conductor_manager
    from nova_conductor import rpcapi as conductor_rpcapi
    from nova_conductor.db import compute as compute_db
    from nova_scheduler import manager as scheduler_manager
    from nova_compute.virt import loader as virt_loader

    conductor = conductor_rpcapi.ConductorAPI()
    admin = nova_context.get_admin_context()

    def remote_heartbeat(host, binary, topic):
        conductor.service_heartbeat(admin, host, binary, topic)

    cmgr = conductor_manager.ConductorManager()
    started = [service.Service('nova-conductor', 'conductor', CONF.host,
                               cmgr, heartbeat=compute_db.service_heartbeat,
                               report_interval=CONF.report_interval)]
    started.append(service.Service(
        'nova-scheduler', 'scheduler', CONF.host,
        scheduler_manager.SchedulerManager(conductor),
        heartbeat=remote_heartbeat, report_interval=CONF.report_interval))
    for host in compute_hosts:
        mgr = compute_manager.ComputeManager(
            driver=virt_loader.load_driver(CONF), conductor_api=conductor,
            host=host)
        started.append(service.Service(
            'nova-compute', 'compute', host, mgr, heartbeat=remote_heartbeat,
            report_interval=CONF.report_interval))
    for svc in started:
        svc.start()
    api = api_cmd.make_server(conductor)
    api.start()
    started.append(api)
    return started


def _novalite():
    """The CLI beside this interpreter (in .venv/bin), by a path that works
    without activating the virtualenv."""
    path = os.path.join(os.path.dirname(sys.executable), 'novalite')
    return os.path.relpath(path) if path.startswith(os.getcwd()) else path


def _banner(port, listen):
    host = listen if listen not in ('0.0.0.0', '::') else socket.getfqdn()
    url = 'http://%s:%d' % (host, port)
    from nova_conductor.db import catalog
    image = catalog.image_get_all({'name': 'demo-image'})[0]['id']
    body = json.dumps({'server': {'name': 'demo', 'flavorRef': '1',
                                  'imageRef': image, 'networks': 'auto'}})
    print('\nnova-all-in-one is running.\n'
          '  Compute API: %s/v2.1/\n'
          '  Image API:   %s/image\n'
          '  Dashboard:   %s/dashboard/\n'
          '  State:       %s\n\n'
          'Boot a server:\n'
          '  curl -s -X POST %s/v2.1/servers -H "Content-Type: '
          'application/json" -d \'%s\'\n'
          'List servers:\n'
          '  curl -s %s/v2.1/servers/detail\n\n'
          'Or with the CLI:\n'
          '  %s --os-endpoint %s server create --image demo-image '
          '--flavor m1.tiny --wait demo\n\n'
          'Stop with Ctrl-C.\n' % (url, url, url, CONF.state_path, url, body,
                                   url, _novalite(), url),
          flush=True)


def main(argv=None):
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    _configure(args)
    _prepare_database()
    rpc.init(CONF, url=args.transport_url)
    started = start_services(_compute_hosts(args.compute_hosts))
    api = started[-1]
    _banner(api.port, args.listen)

    def stop():
        for svc in reversed(started):
            svc.stop()
    daemon.wait_for_signals(stop)
    rpc.cleanup()
    return 0


if __name__ == '__main__':
    sys.exit(main())
