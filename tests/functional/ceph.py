"""A single-node Ceph cluster for functional tests, from Debian's packages.

tools/install.sh installs ceph-mon, ceph-osd, ceph-mgr and the ceph/rbd
tools. Each `Ceph` bootstraps a fresh cluster in a temp directory, as
Ceph's own vstart.sh does: one monitor on free ports picked for this run,
one OSD on memstore (data in RAM, so no disk image to make or remove),
and a mgr. RBD pools and images work without a mgr, but the pool
statistics (`ceph df`) come from it, and without them Cinder's RBD
driver reports no capacity and its scheduler places no volume. The mgr
loads none of its Python modules (MGR_MODULES_OFF): that takes its RSS
from ~300 MB to ~60 MB, and the statistics are its own C++ part.
Every run dir, admin socket, pid file and log is under the temp
directory, so runs never share a file. Each daemon runs in the
foreground (`-f`) as our child process, so `stop()` can end exactly the
processes it started, then removes the directory.

`start()` returns once the pools answer RBD writes. A cluster that does
not come up raises CephError with the tail of each daemon's log.
"""

import json
import os
import shutil
import subprocess
import tempfile
import textwrap
import time
import uuid

from tests.functional import daemons
from tests.functional import deployment

TOOLS = ('ceph-mon', 'ceph-mgr', 'ceph-osd', 'ceph-authtool', 'monmaptool',
         'ceph', 'rbd')
MON_ID = 'a'
MGR_ID = 'x'
OSD_ID = 0
MGR_MODULES_OFF = (
    'alerts balancer crash devicehealth diskprediction_local influx insights '
    'iostat localpool mirroring nfs orchestrator osd_perf_query osd_support '
    'pg_autoscaler progress prometheus restful selftest snap_schedule stats '
    'status telegraf telemetry test_orchestrator volumes zabbix').split()
# Capacity the memstore OSD reports; memory is used only by data written.
MEMSTORE_BYTES = 16 << 30


class CephError(Exception):
    """The cluster could not be started; the message says why."""


def missing_tools():
    """The Ceph programs this machine lacks (empty when all are there)."""
    return [name for name in TOOLS if shutil.which(name) is None]


class Ceph:
    """Start with `start()`, stop with `stop()`.

    `conf` and `admin_keyring` are what the ceph/rbd tools and librados
    need; `client`/`client_key` name a cephx user limited to RBD on
    `pools` (what Cinder and libvirt are given); `mon_host`/`mon_port`
    are the monitor's v1 address, the one librbd clients such as QEMU
    dial.
    """

    def __init__(self, pools=('volumes', 'vms'), client='openstack'):
        self.pools = tuple(pools)
        self.client = client
        self.client_key = None
        self.fsid = str(uuid.uuid4())
        self.dir = tempfile.mkdtemp(prefix='ceph-func-')
        self.conf = os.path.join(self.dir, 'ceph.conf')
        self.admin_keyring = os.path.join(self.dir, 'keyring')
        self.mon_host = '127.0.0.1'
        self.mon_port = deployment._free_port()
        self.mon_v2_port = deployment._free_port()
        self.procs = {}
        self.timings = {}

    # -- commands -----------------------------------------------------------

    def _run(self, *argv, timeout=60, input=None):
        """Run a Ceph tool against this cluster; its stdout, or CephError."""
        try:
            done = subprocess.run(argv, capture_output=True, text=True,
                                  timeout=timeout, input=input)
        except subprocess.TimeoutExpired:
            raise CephError('%s timed out after %ss\n%s'
                            % (' '.join(argv), timeout, self.logs()))
        if done.returncode:
            raise CephError('%s exited %d: %s\n%s' % (
                ' '.join(argv), done.returncode, done.stderr.strip(),
                self.logs()))
        return done.stdout

    def ceph(self, *args, timeout=60):
        """`ceph ARGS` as client.admin; its stdout."""
        return self._run('ceph', '-c', self.conf, '--connect-timeout', '20',
                         *args, timeout=timeout)

    def rbd(self, *args, timeout=60):
        """`rbd ARGS` as client.admin; its stdout."""
        return self._run('rbd', '-c', self.conf, *args, timeout=timeout)

    def rbd_images(self, pool):
        """Names of the RBD images in `pool`."""
        return json.loads(self.rbd('ls', '--format', 'json', pool))

    # -- bootstrap ------------------------------------------------------------

    def start(self):
        began = time.monotonic()
        try:
            lacking = missing_tools()
            if lacking:
                raise CephError('Ceph is not installed, no %s (run '
                                'tools/install.sh)' % ', '.join(lacking))
            self._write_conf()
            self._start_mon()
            self.timings['mon'] = time.monotonic() - began
            self._start_mgr()
            self._start_osd()
            self.timings['osd'] = time.monotonic() - began
            self._make_pools()
            self.timings['ready'] = time.monotonic() - began
        except BaseException:
            self.stop()
            raise
        return self

    def _write_conf(self):
        for sub in ('run', 'log', 'mon.' + MON_ID, 'osd.%d' % OSD_ID,
                    'mgr.' + MGR_ID):
            os.mkdir(os.path.join(self.dir, sub))
        with open(self.conf, 'w') as f:
            f.write(textwrap.dedent('''\
                [global]
                fsid = %(fsid)s
                mon host = [v2:127.0.0.1:%(v2)d,v1:127.0.0.1:%(v1)d]
                public addr = 127.0.0.1
                auth cluster required = cephx
                auth service required = cephx
                auth client required = cephx
                keyring = %(dir)s/keyring
                # Admin sockets and pid files go in the run dir.
                run dir = %(dir)s/run
                pid file = %(dir)s/run/$name.pid
                log file = %(dir)s/log/$name.log
                crash dir = %(dir)s/crash
                # One OSD: pools of one replica, placed on this host.
                osd pool default size = 1
                osd pool default min size = 1
                osd pool default pg num = 8
                osd pool default pgp num = 8
                osd crush chooseleaf type = 0
                mon allow pool size one = true
                mon allow pool delete = true
                mon warn on pool no redundancy = false
                mon warn on insecure global id reclaim allowed = false
                # The disk is shared with everything else on the machine.
                mon data avail warn = 1
                mon data avail crit = 0
                # Each pool create and `rbd pool init` waits out this
                # interval (1 s by default) a few times: 11 s to ready
                # becomes 3 s.
                paxos propose interval = 0.1
                # Each daemon reads its own key from its own keyring (the
                # mgr fails with "failed to decode CephXAuthenticate" when
                # it is only in the global one).
                [mon]
                mon data = %(dir)s/mon.$id
                keyring = %(dir)s/keyring
                [mgr]
                mgr data = %(dir)s/mgr.$id
                mgr disabled modules = %(mgr_off)s
                keyring = %(dir)s/mgr.$id/keyring
                [osd]
                osd data = %(dir)s/osd.$id
                keyring = %(dir)s/osd.$id/keyring
                osd objectstore = memstore
                memstore device bytes = %(bytes)d
                ''') % {'fsid': self.fsid, 'dir': self.dir,
                        'v1': self.mon_port, 'v2': self.mon_v2_port,
                        'bytes': MEMSTORE_BYTES,
                        'mgr_off': ' '.join(MGR_MODULES_OFF)})

    def _start_mon(self):
        keyring = self.admin_keyring
        self._run('ceph-authtool', '--create-keyring', keyring, '--gen-key',
                  '-n', 'mon.', '--cap', 'mon', 'allow *')
        self._run('ceph-authtool', keyring, '--gen-key', '-n',
                  'client.admin', '--cap', 'mon', 'allow *', '--cap', 'osd',
                  'allow *', '--cap', 'mgr', 'allow *', '--cap', 'mds',
                  'allow *')
        monmap = os.path.join(self.dir, 'monmap')
        self._run('monmaptool', '--create', '--fsid', self.fsid, '--addv',
                  MON_ID, '[v2:127.0.0.1:%d,v1:127.0.0.1:%d]' % (
                      self.mon_v2_port, self.mon_port), monmap)
        self._run('ceph-mon', '-c', self.conf, '--mkfs', '-i', MON_ID,
                  '--monmap', monmap, '--keyring', keyring)
        self._spawn('ceph-mon', '-i', MON_ID)
        # `ceph` retries its connection until the monitor answers.
        self.ceph('mon', 'stat')

    def _daemon_key(self, name, *caps):
        """A cephx key for daemon `name`, in a keyring file of its own."""
        kind, ident = name.split('.', 1)
        keyring = os.path.join(self.dir, '%s.%s' % (kind, ident), 'keyring')
        key = self.ceph('auth', 'get-or-create', name, *caps)
        with open(keyring, 'w') as f:
            f.write(key)
        return keyring

    def _start_mgr(self):
        self._daemon_key('mgr.' + MGR_ID, 'mon', 'allow profile mgr', 'osd',
                         'allow *', 'mds', 'allow *')
        self._spawn('ceph-mgr', '-i', MGR_ID)
        # The always-on modules among MGR_MODULES_OFF count as failed.
        self.ceph('health', 'mute', 'MGR_MODULE_ERROR', '--sticky')

    def _start_osd(self):
        osd_uuid = str(uuid.uuid4())
        secret = self._run('ceph-authtool', '--gen-print-key').strip()
        made = self._run('ceph', '-c', self.conf, 'osd', 'new', osd_uuid,
                         '-i', '-', input=json.dumps(
                             {'cephx_secret': secret})).strip()
        if made != str(OSD_ID):
            raise CephError('ceph osd new made osd.%s, not osd.%d'
                            % (made, OSD_ID))
        keyring = os.path.join(self.dir, 'osd.%d' % OSD_ID, 'keyring')
        self._run('ceph-authtool', '--create-keyring', keyring, '-n',
                  'osd.%d' % OSD_ID, '--add-key', secret)
        self._run('ceph-osd', '-c', self.conf, '-i', str(OSD_ID), '--mkfs',
                  '--osd-uuid', osd_uuid)
        self._spawn('ceph-osd', '-i', str(OSD_ID))
        daemons.wait_until(self._osd_down, self.procs, 60, CephError,
                           self.logs)

    def _osd_down(self):
        stat = json.loads(self.ceph('osd', 'stat', '--format', 'json'))
        return None if stat.get('num_up_osds') == 1 else 'osd.%d up' % OSD_ID

    def _make_pools(self):
        for pool in self.pools:
            self.ceph('osd', 'pool', 'create', pool)
            # Writes rbd_info, so it returns only once the pool's PGs take
            # writes.
            self.rbd('pool', 'init', pool, timeout=120)
        caps = ','.join('profile rbd pool=%s' % p for p in self.pools) or \
            'profile rbd'
        self.client_key = self.ceph(
            'auth', 'get-or-create-key', 'client.' + self.client, 'mon',
            'profile rbd', 'osd', caps).strip()
        # The client's key beside the admin's, where librados finds it by
        # the conf's keyring line when told --id <client>.
        self._run('ceph-authtool', self.admin_keyring, '-n',
                  'client.' + self.client, '--add-key', self.client_key)

    # -- processes --------------------------------------------------------

    def _spawn(self, program, *args):
        name = '%s.%s' % (program.split('-')[1], args[-1])
        # What a daemon says before its log is open (a bad option).
        with open(os.path.join(self.dir, 'log', name + '.out'), 'w') as out:
            self.procs[name] = subprocess.Popen(
                [program, '-f', '-c', self.conf] + list(args),
                stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL)

    def pids(self):
        return [p.pid for p in self.procs.values() if p.poll() is None]

    def logs(self):
        """The end of each daemon's log, to explain a failure."""
        return daemons.log_tails(os.path.join(self.dir, 'log'))

    def stop(self):
        # OSD first, monitor last: an OSD whose monitor is gone waits 5 s
        # to report its own shutdown.
        for proc in reversed(list(self.procs.values())):
            if proc.poll() is None:
                proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs = {}
        if os.environ.get('NOVA_TEST_KEEP_LOGS') != '1':
            shutil.rmtree(self.dir, ignore_errors=True)
