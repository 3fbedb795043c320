"""A real Cinder on the RBD backend of a test Ceph, for functional tests.

tools/install.sh installs Cinder from PyPI into .venv-cinder (its pins
clash with ours; it sees Debian's rados/rbd bindings through the system
site-packages). Each `Cinder` gets a temp directory with its cinder.conf
and logs, a fresh RabbitMQ vhost, a fresh database (PostgreSQL by
default, or SQLite in the directory), and a free port; it runs
cinder-api, cinder-scheduler and cinder-volume (one backend, `ceph`, on
the given `Ceph`'s volumes pool) with `auth_strategy = noauth`. `start()`
returns once the scheduler knows the backend's capacity, so a volume
create succeeds at once; `stop()` ends every process it started (each
daemon runs in a process group of its own, with its workers) and removes
the vhost, the database and the directory.

noauth: requests carry `X-Auth-Token: <user>:<project>`, and the project
id in the URL must look like one (hex), so `/v3/admin/...` is a 404.
Deleting an attachment in use is for services only (Cinder asks Nova
otherwise, and noauth gives it no catalog to find Nova in: a 500), so
such a request carries `X-Service-Roles: service`, see `headers()`.

Optional: `cors_origins` lets pages from those origins (the dashboard)
call it from a browser; `image_api` is the image API (Glance v2) that
volumes are created from.
"""

import os
import shutil
import signal
import subprocess
import tempfile
import textwrap
import time
import uuid

import requests

from tests import services
from tests.functional import daemons
from tests.functional import deployment

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
VENV = os.environ.get('NOVA_TEST_CINDER_VENV',
                      os.path.join(ROOT, '.venv-cinder'))
DAEMONS = ('cinder-api', 'cinder-scheduler', 'cinder-volume')
BACKEND = 'ceph'
# Copied from the venv's etc/cinder: the API's WSGI pipeline, and the
# filters the API allows on list calls.
ETC_FILES = ('api-paste.ini', 'resource_filters.json')


class CinderError(Exception):
    """Cinder could not be started; the message says why."""


def missing():
    """Why Cinder cannot run here, or None."""
    lacking = [name for name in DAEMONS + ('cinder-manage',)
               if not os.access(os.path.join(VENV, 'bin', name), os.X_OK)]
    if lacking:
        return 'Cinder is not installed in %s, no %s (run tools/install.sh)' \
            % (VENV, ', '.join(lacking))
    return None


class Cinder:
    """Start with `start()`, stop with `stop()`.

    `endpoint` is the volume API of `project_id` (what a client uses);
    `endpoint_template` the same with `%(project_id)s`, as Nova's
    `[cinder] endpoint_template` takes it; `headers()` the noauth token.
    """

    def __init__(self, ceph, database='postgresql', pool='volumes',
                 rbd_secret_uuid=None, cors_origins=(), image_api=None):
        self.ceph = ceph
        # Web origins whose pages may call this Cinder (the dashboard's).
        self.cors_origins = list(cors_origins)
        # The image API (Glance v2) volumes are made from, e.g. a
        # deployment's http://127.0.0.1:PORT/image; noauth has no catalog.
        self.image_api = image_api
        self.database = database
        self.pool = pool
        # The libvirt secret holding the Ceph client's key; Cinder only
        # passes it on in connection_info.
        self.rbd_secret_uuid = rbd_secret_uuid or str(uuid.uuid4())
        self.run_id = uuid.uuid4().hex[:8]
        self.host = 'cinder-%s' % self.run_id
        self.backend_host = '%s@%s' % (self.host, BACKEND)
        self.project_id = uuid.uuid4().hex
        self.dir = tempfile.mkdtemp(prefix='cinder-func-')
        self.conf = os.path.join(self.dir, 'cinder.conf')
        self.port = deployment._free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.endpoint = '%s/v3/%s' % (self.url, self.project_id)
        self.endpoint_template = self.url + '/v3/%(project_id)s'
        # Where Cinder finds images: the Glance v2 API a nova-api serves
        # under /image. A Deployment started with port=glance_port is it
        # (one at a time); volumes made from images need one running.
        self.glance_port = deployment._free_port()
        self.vhost = 'cinder_test_%s' % self.run_id
        self.database_url = None
        self.procs = {}
        self.timings = {}
        self._cleanups = []

    def headers(self, project_id=None, microversion=None, service=False):
        """noauth headers; `service`: as a service (Nova) calls, which
        Cinder requires to delete an attachment in use."""
        headers = {'X-Auth-Token': 'admin:%s' % (project_id or
                                                 self.project_id)}
        if microversion:
            headers['OpenStack-API-Version'] = 'volume %s' % microversion
        if service:
            # With keystone, keystonemiddleware sets this from a validated
            # service token; noauth takes it as it comes.
            headers['X-Service-Roles'] = 'service'
        return headers

    def request(self, method, path, microversion=None, service=False,
                **kwargs):
        """A request to this project's volume API, e.g. ('GET', '/volumes')."""
        return requests.request(
            method, self.endpoint + path, timeout=30,
            headers=self.headers(microversion=microversion, service=service),
            **kwargs)

    # -- bootstrap ----------------------------------------------------------

    def start(self):
        began = time.monotonic()
        try:
            problem = missing()
            if problem:
                raise CinderError(problem)
            self._write_conf()
            self._manage('db', 'sync')
            self.timings['db_sync'] = time.monotonic() - began
            for name in DAEMONS:
                self._spawn(name)
            daemons.wait_until(self._not_ready, self.procs, 90, CinderError,
                               self.logs, interval=0.3)
            self.timings['ready'] = time.monotonic() - began
        except BaseException:
            self.stop()
            raise
        return self

    def _database_url(self):
        if self.database == 'sqlite':
            return 'sqlite:///%s/cinder.sqlite' % self.dir
        url, drop = services.create_database(self.database, 'cinder_test')
        self._cleanups.append(drop)
        return url

    def _write_conf(self):
        transport_url, delete_vhost = services.create_vhost(self.vhost)
        self._cleanups.append(delete_vhost)
        self.database_url = self._database_url()
        for name in ETC_FILES:
            shutil.copy(os.path.join(VENV, 'etc', 'cinder', name), self.dir)
        if self.cors_origins:
            self._cors_reads_this_conf()
        os.mkdir(os.path.join(self.dir, 'log'))
        with open(self.conf, 'w') as f:
            f.write(textwrap.dedent('''\
                [DEFAULT]
                transport_url = %(transport)s
                auth_strategy = noauth
                host = %(host)s
                state_path = %(dir)s
                log_dir = %(dir)s/log
                api_paste_config = %(dir)s/api-paste.ini
                resource_query_filters_file = %(dir)s/resource_filters.json
                osapi_volume_listen = 127.0.0.1
                osapi_volume_listen_port = %(port)d
                osapi_volume_workers = 1
                enabled_backends = %(backend)s
                default_volume_type = __DEFAULT__
                # Services count as up from their first report; a stopped
                # one is seen down within seconds.
                report_interval = 2
                service_down_time = 10
                # cinder-volume tells the scheduler its capacity when it
                # starts, and the scheduler asks for it when it starts; both
                # are fanout casts, lost when the other is not listening
                # yet (seen: the scheduler then knew no backend for 60 s).
                # Publishing every 3 s makes up for a lost one; on an
                # exclusive pool (the default) that is two monitor commands.
                periodic_interval = 3
                periodic_fuzzy_delay = 0
                backend_stats_polling_interval = 3
                [database]
                connection = %(database)s
                [oslo_concurrency]
                lock_path = %(dir)s/locks
                [%(backend)s]
                volume_driver = cinder.volume.drivers.rbd.RBDDriver
                volume_backend_name = %(backend)s
                rbd_pool = %(pool)s
                rbd_ceph_conf = %(ceph_conf)s
                rbd_user = %(rbd_user)s
                rbd_secret_uuid = %(secret)s
                ''') % {
                'transport': transport_url, 'host': self.host,
                'dir': self.dir, 'port': self.port, 'backend': BACKEND,
                'database': self.database_url, 'pool': self.pool,
                'ceph_conf': self.ceph.conf, 'rbd_user': self.ceph.client,
                'secret': self.rbd_secret_uuid})
            f.write(self._optional_conf())

    def _optional_conf(self):
        # Cinder's privileged helpers (qemu-img checks of an image being
        # made a volume, os-brick) start as `sudo cinder-rootwrap
        # /etc/cinder/rootwrap.conf privsep-helper`, which is not
        # installed; the tests run as root, so start the helper directly.
        helper = '%s --config-file %s' % (
            os.path.join(VENV, 'bin', 'privsep-helper'), self.conf)
        lines = ['[%s]' % section + '\nhelper_command = %s' % helper
                 for section in ('cinder_sys_admin', 'privsep_osbrick')]
        lines += ['[DEFAULT]', 'glance_api_servers = %s' % (
            self.image_api or 'http://127.0.0.1:%d/image' % self.glance_port)]
        if self.cors_origins:
            # Cinder's own CORS defaults already allow X-Auth-Token and
            # OpenStack-API-Version.
            lines += ['[cors]',
                      'allowed_origin = %s' % ','.join(self.cors_origins)]
        return ''.join(line + '\n' for line in lines)

    def _cors_reads_this_conf(self):
        # The CORS filter loads the configuration again by itself, from
        # /etc/cinder unless the pipeline names the file.
        paste = os.path.join(self.dir, 'api-paste.ini')
        with open(paste) as f:
            text = f.read()
        marker = 'oslo_config_project = cinder\n'
        if marker not in text:
            raise CinderError('%s: no CORS filter to configure' % paste)
        with open(paste, 'w') as f:
            f.write(text.replace(marker, marker + 'oslo_config_file = %s\n'
                                 % self.conf))

    def _manage(self, *args):
        argv = [os.path.join(VENV, 'bin', 'cinder-manage'), '--config-file',
                self.conf] + list(args)
        done = subprocess.run(argv, capture_output=True, text=True,
                              timeout=120)
        if done.returncode:
            raise CinderError('%s exited %d:\n%s' % (
                ' '.join(args), done.returncode, done.stderr[-3000:]))

    def _spawn(self, name):
        # A process group of its own: cinder-api forks its API worker and
        # cinder-volume a process per backend, and stop() ends them all.
        log = open(os.path.join(self.dir, 'log', name + '.out'), 'w')
        try:
            self.procs[name] = subprocess.Popen(
                [os.path.join(VENV, 'bin', name), '--config-file', self.conf],
                stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True)
        finally:
            log.close()

    def _not_ready(self):
        """What Cinder still lacks to create a volume, or None."""
        try:
            return self._lacking()
        except requests.RequestException as e:
            return 'cinder-api to answer (%s)' % e

    def _lacking(self):
        found = self.request('GET', '/os-services')
        if found.status_code != 200:
            return 'os-services, answered %d %s' % (found.status_code,
                                                    found.text[:200])
        up = {(s['binary'], s['host']) for s in found.json()['services']
              if s['state'] == 'up' and s['status'] == 'enabled'}
        for binary, host in (('cinder-scheduler', self.host),
                             ('cinder-volume', self.backend_host)):
            if (binary, host) not in up:
                return '%s on %s to be up' % (binary, host)
        # The scheduler places volumes only on backends whose capacity it
        # has heard of.
        pools = self.request('GET', '/scheduler-stats/get_pools',
                             params={'detail': 'true'}).json()['pools']
        for pool in pools:
            free = pool.get('capabilities', {}).get('free_capacity_gb')
            if pool['name'].startswith(self.backend_host) and \
                    isinstance(free, (int, float)):
                return None
        return 'the scheduler to know the capacity of %s' % self.backend_host

    # -- volumes --------------------------------------------------------------

    def wait_for_volume(self, volume_id, statuses=('available', 'error'),
                        timeout=60):
        """The volume once its status is one of `statuses`."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.request('GET', '/volumes/%s' % volume_id)
            if found.status_code == 404 and 'deleted' in statuses:
                return None
            found.raise_for_status()
            volume = found.json()['volume']
            if volume['status'] in statuses:
                return volume
            if time.monotonic() > deadline:
                raise AssertionError('volume %s still %s after %ss' % (
                    volume_id, volume['status'], timeout))
            time.sleep(0.1)

    # -- processes --------------------------------------------------------

    def pids(self):
        return [p.pid for p in self.procs.values() if p.poll() is None]

    def logs(self):
        """The end of each daemon's log, to explain a failure."""
        return daemons.log_tails(os.path.join(self.dir, 'log'))

    def stop(self):
        # Signal every group first, then wait: they shut down in parallel.
        for proc in self.procs.values():
            _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            # Workers outliving their parent, or a parent stuck draining.
            _signal_group(proc, signal.SIGKILL)
            proc.wait()
        self.procs = {}
        if os.environ.get('NOVA_TEST_KEEP_LOGS') != '1':
            self._cleanups.insert(0, lambda: shutil.rmtree(
                self.dir, ignore_errors=True))
        daemons.run_cleanups(self._cleanups)


def _signal_group(proc, sig):
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass
