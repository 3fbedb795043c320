"""A real deployment for functional tests: each daemon its own process.

Every deployment gets its own RabbitMQ vhost, database, state directory,
host names and API port, and removes them all when it stops, so runs never
see each other's leftovers.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid

import requests
import sqlalchemy as sa

from tests import services
from tests.functional import daemons

BIN = os.path.dirname(sys.executable)


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Deployment:
    """Start with `start()`, stop with `stop()`; `api` is the base URL."""

    def __init__(self, backend, compute_hosts=('compute1', 'compute2'),
                 host_vcpus=4, host_memory_mb=4096, host_local_gb=100,
                 extra_conf='', conductors=1, schedulers=1,
                 fixed_range_v4='10.11.0.0/24', metadata=False,
                 compute_conf=None, port=None, servicegroup_driver=None,
                 ec2=False):
        self.backend = backend
        self.servicegroup_driver = servicegroup_driver
        self.redis_group = None
        self.run_id = uuid.uuid4().hex[:8]
        self.compute_hosts = ['%s-%s' % (h, self.run_id)
                              for h in compute_hosts]
        # Config of one compute's own ([DEFAULT] lines first), by its
        # name in compute_hosts.
        self.compute_conf = {'%s-%s' % (h, self.run_id): conf
                             for h, conf in (compute_conf or {}).items()}
        self.host_vcpus = host_vcpus
        self.host_memory_mb = host_memory_mb
        self.host_local_gb = host_local_gb
        self.extra_conf = extra_conf
        self.conductors = conductors
        self.schedulers = schedulers
        self.fixed_range_v4 = fixed_range_v4
        self.dir = tempfile.mkdtemp(prefix='nova-func-')
        # `port`: the API's, when something else must know it beforehand
        # (a Cinder's glance_api_servers).
        self.port = port or _free_port()
        self.api = 'http://127.0.0.1:%d' % self.port
        # With `metadata`, nova-api-metadata runs too, at self.metadata.
        self.metadata_port = _free_port() if metadata else None
        self.metadata = 'http://127.0.0.1:%d' % self.metadata_port \
            if metadata else None
        # With `ec2`, nova-api-ec2 runs too, at self.ec2.
        self.ec2_port = _free_port() if ec2 else None
        self.ec2 = 'http://127.0.0.1:%d/' % self.ec2_port if ec2 else None
        self.procs = {}
        # name -> argv, so a killed daemon can be started again as it was.
        self.commands = {}
        self._cleanups = []

    # -- resources ---------------------------------------------------------

    def _make_transport(self):
        self.vhost = 'nova_test_%s' % self.run_id
        url, delete = services.create_vhost(self.vhost)
        self._cleanups.append(delete)
        return url

    def _make_database(self):
        if self.backend == 'sqlite':
            return 'sqlite:///%s/nova.sqlite' % self.dir
        url, drop = services.create_database(self.backend)
        self._cleanups.append(drop)
        return url

    def _write_conf(self, transport_url, db_url):
        self.conf = os.path.join(self.dir, 'nova.conf')
        with open(self.conf, 'w') as f:
            f.write(textwrap.dedent('''\
                [DEFAULT]
                transport_url = %(transport)s
                state_path = %(dir)s
                host = controller-%(run)s
                report_interval = 1
                service_down_time = 10
                reserved_host_memory_mb = 0
                osapi_compute_listen = 127.0.0.1
                osapi_compute_listen_port = %(port)d
                rpc_response_timeout = 30
                [database]
                connection = %(db)s
                [libvirt]
                test_node_vcpus = %(vcpus)d
                test_node_memory_mb = %(mem)d
                test_node_local_gb = %(disk)d
                [network]
                fixed_range_v4 = %(fixed_range)s
                ''') % {'fixed_range': self.fixed_range_v4,
                        'transport': transport_url, 'dir': self.dir,
                        'run': self.run_id, 'port': self.port, 'db': db_url,
                        'vcpus': self.host_vcpus,
                        'mem': self.host_memory_mb,
                        'disk': self.host_local_gb})
            f.write(self.extra_conf)
            f.write(self._servicegroup_conf())
            if self.metadata:
                f.write('\n[api]\nmetadata_listen = 127.0.0.1\n'
                        'metadata_listen_port = %d\n' % self.metadata_port)
            if self.ec2:
                f.write('\n[ec2]\nlisten = 127.0.0.1\nport = %d\n'
                        % self.ec2_port)
        self.db_url = db_url
        self.transport_url = transport_url

    def _servicegroup_conf(self):
        """NOVA_TEST_SERVICEGROUP_DRIVER=redis runs the deployment on the
        redis service-group driver, under a key prefix of its own that
        stop() removes."""
        driver = self.servicegroup_driver or os.environ.get(
            'NOVA_TEST_SERVICEGROUP_DRIVER', 'db')
        if driver != 'redis':
            return ''
        prefix = 'nova-test-%s' % self.run_id
        from common.servicegroup import redis_driver
        group = redis_driver.RedisGroup('redis://127.0.0.1:6379', prefix)
        group.client.ping()
        self._cleanups.append(group.clear)
        self.redis_group = group
        return ('\n[DEFAULT]\nservicegroup_driver = redis\n'
                '[servicegroup]\nbackend_url = redis://127.0.0.1:6379\n'
                'key_prefix = %s\n' % prefix)

    # -- processes ---------------------------------------------------------

    def _spawn(self, name, binary, *extra):
        self.commands[name] = [os.path.join(BIN, binary), '--config-file',
                               self.conf] + list(extra)
        return self.restart(name)

    def restart(self, name):
        """Start daemon `name` again with the command line it had (same
        host name and config), as systemd does after a crash; its log
        goes on in the same file."""
        assert name not in self.procs, '%s is still running' % name
        log = open(os.path.join(self.dir, '%s.log' % name), 'a')
        proc = subprocess.Popen(self.commands[name], stdout=log,
                                stderr=subprocess.STDOUT)
        self.procs[name] = (proc, log)
        return proc

    def manage(self, *args):
        return subprocess.run(
            [os.path.join(BIN, 'nova-manage'), '--config-file', self.conf] +
            list(args), check=True, capture_output=True, text=True).stdout

    def ec2_credentials(self, user, project):
        """{'access', 'secret', ...}: EC2 keys of `user` in `project`
        (noauth: nova-manage ec2 credentials create)."""
        import json
        return json.loads(self.manage('ec2', 'credentials', 'create',
                                      '--user', user, '--project', project))

    def _spawn_as(self, name, binary, host, extra_conf=''):
        """Run `binary` with its own [DEFAULT] host on top of nova.conf."""
        host_conf = os.path.join(self.dir, '%s.conf' % name)
        with open(host_conf, 'w') as f:
            f.write('[DEFAULT]\nhost = %s\n%s' % (host, extra_conf))
        return self._spawn(name, binary, '--config-file', host_conf)

    def start_compute(self, host, extra_conf=None):
        """Start nova-compute `host`, with `extra_conf` ([DEFAULT] lines
        first) or else its own compute_conf."""
        if extra_conf is None:
            extra_conf = self.compute_conf.get(host, '')
        return self._spawn_as(host, 'nova-compute', host, extra_conf)

    def prepare(self):
        """Everything but the daemons: vhost, database, config, flavors
        and an image (start() does this first; a test that starts the
        daemons itself, in its own order, calls it alone)."""
        self._write_conf(self._make_transport(), self._make_database())
        self.manage('db', 'sync')
        self.manage('flavor', 'seed')
        image_file = os.path.join(self.dir, 'disk.qcow2')
        subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2',
                        image_file, '1G'], check=True)
        import json
        self.image = json.loads(self.manage(
            'image', 'import', '--name', 'test-image', image_file))

    def start(self):
        try:
            self.prepare()
            self._spawn('conductor', 'nova-conductor')
            for i in range(1, self.conductors):
                self._spawn_as('conductor%d' % i, 'nova-conductor',
                               'controller%d-%s' % (i, self.run_id))
            self._spawn('scheduler', 'nova-scheduler')
            for i in range(1, self.schedulers):
                self._spawn_as('scheduler%d' % i, 'nova-scheduler',
                               'controller%d-%s' % (i, self.run_id))
            for host in self.compute_hosts:
                self.start_compute(host)
            self._spawn('api', 'nova-api')
            if self.metadata:
                self._spawn('metadata', 'nova-api-metadata')
            if self.ec2:
                self._spawn('ec2', 'nova-api-ec2')
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        engine = sa.create_engine(self.db_url)
        try:
            while time.monotonic() < deadline:
                self._check_alive()
                try:
                    with engine.connect() as conn:
                        nodes = conn.exec_driver_sql(
                            'SELECT COUNT(*) FROM compute_nodes').scalar()
                    up = requests.get(self.api + '/', timeout=2).ok
                    if self.metadata:
                        # Any answer (404 for an unknown caller) will do.
                        requests.get(self.metadata + '/', timeout=2)
                    if self.ec2:
                        # An unsigned request: AuthFailure, once it serves.
                        requests.get(self.ec2, timeout=2)
                except (sa.exc.DBAPIError, requests.RequestException):
                    nodes, up = 0, False
                if up and nodes == len(self.compute_hosts):
                    return
                time.sleep(0.2)
        finally:
            engine.dispose()
        raise AssertionError('deployment not ready in %ss:\n%s' % (
            timeout, self.logs()))

    def _check_alive(self):
        for name, (proc, _log) in self.procs.items():
            if proc.poll() is not None:
                raise AssertionError('%s exited with %s:\n%s' % (
                    name, proc.returncode, self.log(name)))

    def kill(self, name, sig=signal.SIGKILL, tree=False):
        """Signal daemon `name` and wait for it to end. `tree`: its worker
        processes get `sig` at the same moment (a crash of the whole
        unit, as systemd's KillMode=control-group does), instead of
        whatever their parent's death makes them do."""
        proc, log = self.procs.pop(name)
        workers = self.worker_pids(name, proc) if tree else []
        proc.send_signal(sig)
        for pid in workers:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        proc.wait(timeout=30)
        log.close()

    def worker_pids(self, name, proc=None):
        """The pids of the processes daemon `name` forked (the
        conductor's [conductor] workers)."""
        import psutil
        proc = proc or self.procs[name][0]
        try:
            return [child.pid for child in
                    psutil.Process(proc.pid).children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def signal_all(self, name, sig):
        """Send `sig` to a daemon and its worker processes (the conductor
        forks [conductor] workers), e.g. SIGSTOP to freeze all of it."""
        import psutil
        parent = psutil.Process(self.procs[name][0].pid)
        for proc in [parent] + parent.children(recursive=True):
            proc.send_signal(sig)

    def log(self, name):
        with open(os.path.join(self.dir, '%s.log' % name)) as f:
            return f.read()

    def logs(self):
        return '\n'.join('--- %s ---\n%s' % (n, self.log(n)[-3000:])
                         for n in self.procs)

    def stop(self):
        # Signal every daemon first, then wait: they drain in parallel.
        for proc, _log in self.procs.values():
            proc.terminate()
        for name in list(self.procs):
            proc, log = self.procs.pop(name)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()
        if os.environ.get('NOVA_TEST_KEEP_LOGS') != '1':
            # Logs and state go too; NOVA_TEST_KEEP_LOGS=1 keeps them.
            self._cleanups.insert(0, lambda: shutil.rmtree(
                self.dir, ignore_errors=True))
        daemons.run_cleanups(self._cleanups)

    # -- API helpers -------------------------------------------------------

    # Who request() is by default (noauth2 "user:project").
    token = 'admin:admin'

    def request(self, method, path, token=None, **kwargs):
        headers = kwargs.pop('headers', {})
        headers.setdefault('X-Auth-Token', token or self.token)
        return requests.request(method, self.api + path, headers=headers,
                                timeout=30, **kwargs)

    def boot(self, name, status='ACTIVE', show_headers=None, **server):
        """Create a server (flavor 1, the deployment's image, networks
        auto, unless `server` says otherwise), wait until it is ACTIVE or
        ERROR, assert it is `status`, and return it as GET shows it with
        `show_headers` (e.g. a microversion)."""
        body = {'name': name, 'flavorRef': '1', 'imageRef': self.image['id'],
                'networks': 'auto'}
        body.update(server)
        resp = self.request('POST', '/v2.1/servers', json={'server': body})
        assert resp.status_code == 202, resp.text
        done = self.wait_for_server(resp.json()['server']['id'])
        assert done['status'] == status, done
        return self.request('GET', '/v2.1/servers/%s' % done['id'],
                            headers=show_headers or {}).json()['server']

    def rebuild(self, server_id, version='2.57', **params):
        """Rebuild a server (on the deployment's image unless `params`
        name one) at microversion `version`, wait until it is ACTIVE
        again, and return the rebuild's answer."""
        params.setdefault('imageRef', self.image['id'])
        resp = self.request(
            'POST', '/v2.1/servers/%s/action' % server_id,
            headers={'X-OpenStack-Nova-API-Version': version},
            json={'rebuild': params})
        assert resp.status_code == 202, resp.text
        done = self.wait_for_server(server_id)
        assert done['status'] == 'ACTIVE', done
        return resp.json()['server']

    def create_keypair(self, name):
        """A new key pair `name` (the API makes its keys), as created."""
        resp = self.request('POST', '/v2.1/os-keypairs',
                            json={'keypair': {'name': name}})
        assert resp.status_code == 200, resp.text
        return resp.json()['keypair']

    def wait_for_server(self, server_id, statuses=('ACTIVE', 'ERROR'),
                        timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            body = self.request('GET', '/v2.1/servers/%s' % server_id).json()
            if body['server']['status'] in statuses:
                return body['server']
            time.sleep(0.05)
        raise AssertionError('server %s stuck in %s:\n%s' % (
            server_id, body, self.logs()))

    def wait_gone(self, server_id, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            resp = self.request('GET', '/v2.1/servers/%s' % server_id)
            if resp.status_code == 404:
                return
            time.sleep(0.05)
        raise AssertionError('server %s not deleted: %s\n%s' % (
            server_id, resp.text, self.logs()))

    def action(self, server_id, body, **kwargs):
        """POST a server action; the response."""
        return self.request('POST', '/v2.1/servers/%s/action' % server_id,
                            json=body, **kwargs)

    def settle(self, server_id, status, timeout=30):
        """Wait until the server is `status` with no task_state; it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            server = self.request('GET', '/v2.1/servers/%s' % server_id
                                  ).json()['server']
            if server['status'] == status and \
                    server['OS-EXT-STS:task_state'] is None:
                return server
            time.sleep(0.05)
        raise AssertionError('%s never settled in %s: %s\n%s' % (
            server_id, status, server, self.logs()))
