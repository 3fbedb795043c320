"""Two libvirt "hosts" on this machine, for live-migration tests.

Each host is a libvirtd (and its virtlogd) in a network namespace of its
own, the two joined by a veth pair: 10.250.0.1 and 10.250.0.2, reachable
from nowhere else. libvirtd listens on qemu+tcp (no auth, no TLS) on its
veth address only, so a peer-to-peer migration goes from one daemon to
the other over the pair, as between two machines. nova-compute (on this
machine's own namespace) reaches each daemon through its UNIX socket:
`Host.uri`.

A privileged libvirtd keeps its state in fixed places (/run/libvirt,
/var/lib/libvirt, /var/cache/libvirt, /var/log/libvirt, /etc/libvirt),
so each daemon runs in a mount namespace too (`ip netns exec` makes one)
where those five are bind mounts of the host's own directories under
`Host.dir`: two daemons never share a pid file, socket, domain
definition or log. Each host also has its own instances_path there, so
a migration between them copies the disks (block migration): nothing is
shared.

QEMU runs as root with no security driver and no cgroups: the test
namespaces have neither a systemd nor their own cgroup mounts.

start() raises Unavailable (with the command and its error) when this
machine refuses a step, e.g. `ip netns add` without CAP_SYS_ADMIN;
stop() destroys the domains left, stops the daemons, and deletes the
namespaces (the veth pair goes with them) and the directories.
"""

import os
import shutil
import subprocess
import time
import uuid

import libvirt

ADDRESSES = ('10.250.0.1', '10.250.0.2')
PREFIX = 24
# The bind mounts each daemon gets: system path -> subdirectory of Host.dir.
STATE_DIRS = {'/run/libvirt': 'run', '/var/lib/libvirt': 'lib',
              '/var/cache/libvirt': 'cache', '/var/log/libvirt': 'log',
              '/etc/libvirt': 'etc'}
LIBVIRTD_CONF = '''\
listen_tls = 0
listen_tcp = 1
listen_addr = "%(addr)s"
auth_tcp = "none"
auth_unix_rw = "none"
unix_sock_group = "root"
'''
QEMU_CONF = '''
user = "root"
group = "root"
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
'''


class Unavailable(Exception):
    """A step this machine refused; the message names it."""


def _run(*args):
    proc = subprocess.run(args, capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        raise Unavailable('%s: %s' % (' '.join(args), proc.stderr.strip()
                                      or 'exit %d' % proc.returncode))
    return proc.stdout


class Host:
    """One libvirtd in its namespace."""

    def __init__(self, root, run_id, index):
        self.name = 'lm%s-%d' % (run_id, index)
        self.netns = 'nova-%s' % self.name
        self.veth = 'v%s' % self.name      # at most 15 characters
        self.addr = ADDRESSES[index]
        self.dir = os.path.join(root, self.name)
        self.instances_path = os.path.join(self.dir, 'instances')
        self.socket = os.path.join(self.dir, 'run', 'libvirt-sock')
        self.uri = 'qemu+unix:///system?socket=%s' % self.socket
        # The URI a peer's libvirtd reaches this one at.
        self.tcp_uri = 'qemu+tcp://%s/system' % self.addr
        self.procs = []

    def prepare(self):
        for sub in list(STATE_DIRS.values()) + ['instances']:
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        # The machine's libvirt configuration files, not its domains,
        # networks or hooks (its own libvirtd's).
        etc = os.path.join(self.dir, 'etc')
        for name in os.listdir('/etc/libvirt'):
            path = os.path.join('/etc/libvirt', name)
            if name.endswith('.conf') and os.path.isfile(path):
                shutil.copy(path, etc)
        with open(os.path.join(etc, 'libvirtd.conf'), 'w') as f:
            f.write(LIBVIRTD_CONF % {'addr': self.addr})
        with open(os.path.join(etc, 'qemu.conf'), 'a') as f:
            f.write(QEMU_CONF)
        # The QEMU capabilities the machine's libvirtd probed already,
        # so this one need not probe again (seconds).
        cache = '/var/cache/libvirt/qemu'
        if os.path.isdir(cache):
            shutil.copytree(cache, os.path.join(self.dir, 'cache', 'qemu'),
                            dirs_exist_ok=True)

    def _spawn(self, daemon, *args):
        binds = ' && '.join(
            'mkdir -p %s && mount --bind %s %s' % (
                path, os.path.join(self.dir, sub), path)
            for path, sub in STATE_DIRS.items())
        pid_file = os.path.join(self.dir, '%s.pid' % daemon)
        log = open(os.path.join(self.dir, '%s.log' % daemon), 'w')
        command = '%s && exec %s -p %s %s' % (binds, daemon, pid_file,
                                              ' '.join(args))
        proc = subprocess.Popen(
            ['ip', 'netns', 'exec', self.netns, 'sh', '-c', command],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.procs.append(proc)
        return proc

    def start(self):
        self._spawn('virtlogd')
        self._spawn('libvirtd', '--listen')

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            for proc in self.procs:
                if proc.poll() is not None:
                    raise Unavailable('%s exited (%s): %s' % (
                        proc.args[-1].split('exec ')[-1], proc.returncode,
                        self.log('libvirtd')[-2000:]))
            try:
                libvirt.open(self.uri).close()
                return
            except libvirt.libvirtError:
                if time.monotonic() > deadline:
                    raise Unavailable('libvirtd of %s did not answer on %s'
                                      % (self.name, self.socket))
                time.sleep(0.3)

    def log(self, daemon):
        try:
            with open(os.path.join(self.dir, '%s.log' % daemon)) as f:
                return f.read()
        except OSError:
            return ''

    def connect(self):
        return libvirt.open(self.uri)

    def domains(self):
        """{uuid: libvirt state} of this daemon's domains."""
        conn = self.connect()
        try:
            return {d.UUIDString(): d.state()[0]
                    for d in conn.listAllDomains()}
        finally:
            conn.close()

    def stop(self):
        try:
            conn = self.connect()
        except libvirt.libvirtError:
            conn = None
        if conn is not None:
            for dom in conn.listAllDomains():
                for step in (dom.destroy, dom.undefine):
                    try:
                        step()
                    except libvirt.libvirtError:
                        pass
            conn.close()
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


class Hosts:
    """Both hosts; `with Hosts(root) as (a, b):` starts and stops them."""

    def __init__(self, root):
        self.root = root
        run_id = uuid.uuid4().hex[:6]
        self.hosts = [Host(root, run_id, 0), Host(root, run_id, 1)]

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self.hosts

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        if os.geteuid() != 0:
            raise Unavailable('network namespaces need root')
        for tool in ('ip', 'libvirtd', 'virtlogd', 'qemu-system-x86_64'):
            if shutil.which(tool) is None:
                raise Unavailable('missing %s' % tool)
        a, b = self.hosts
        for host in self.hosts:
            _run('ip', 'netns', 'add', host.netns)
        _run('ip', 'link', 'add', a.veth, 'type', 'veth', 'peer', 'name',
             b.veth)
        for host in self.hosts:
            _run('ip', 'link', 'set', host.veth, 'netns', host.netns)
            _run('ip', '-n', host.netns, 'addr', 'add',
                 '%s/%d' % (host.addr, PREFIX), 'dev', host.veth)
            _run('ip', '-n', host.netns, 'link', 'set', host.veth, 'up')
            _run('ip', '-n', host.netns, 'link', 'set', 'lo', 'up')
        os.makedirs(self.root, exist_ok=True)
        os.chmod(self.root, 0o755)
        for host in self.hosts:
            host.prepare()
            host.start()
        for host in self.hosts:
            host.wait_ready()

    def stop(self):
        for host in self.hosts:
            host.stop()
        for host in self.hosts:
            # The veth pair goes with the namespace that holds its end.
            subprocess.run(['ip', 'netns', 'del', host.netns],
                           capture_output=True, timeout=30)
        shutil.rmtree(self.root, ignore_errors=True)
