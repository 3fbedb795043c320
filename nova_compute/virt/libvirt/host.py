"""A compute node's libvirt connection, and the simulated node it may open."""

import contextlib
import json
import os
import platform
import re
import shutil
import tempfile
import threading
import xml.etree.ElementTree as ET

import libvirt
from oslo_log import log as logging

from common import exception
from nova_compute.virt.libvirt import timing

LOG = logging.getLogger(__name__)

# The URI used when connection_uri is empty: both kvm and qemu (TCG) guests
# are run by the system-wide QEMU driver.
DEFAULT_REAL_URI = 'qemu:///system'
# The exact value that asks for a node file generated from the test_node_*
# options; any other test:... URI is used as written.
GENERATED_TEST_URI = 'test:///'

# libvirt reports a connection it has lost through these codes; the next
# get_connection() then opens a fresh one.
_CONNECTION_LOST = (libvirt.VIR_ERR_SYSTEM_ERROR,
                    libvirt.VIR_ERR_INTERNAL_ERROR, libvirt.VIR_ERR_RPC,
                    libvirt.VIR_ERR_NO_CONNECT, libvirt.VIR_ERR_INVALID_CONN)

_quiet_lock = threading.Lock()
_quieted = False


def _quiet_libvirt():
    """Stop libvirt printing every error to stderr: we raise them instead."""
    global _quieted
    with _quiet_lock:
        if not _quieted:
            libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
            _quieted = True


def is_test_uri(uri):
    """True for URIs served by libvirt's in-process test driver."""
    return uri.startswith('test:')


def host_memory_kib():
    """Physical RAM of this machine in KiB."""
    try:
        with open('/proc/meminfo') as f:
            for line in f:
                if line.startswith('MemTotal:'):
                    return int(line.split()[1])
    except OSError:
        pass
    return os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') // 1024


def make_test_node_xml(vcpus, memory_kib):
    """The test driver's node file for a one-socket host of this size."""
    node = ET.Element('node')
    cpu = ET.SubElement(node, 'cpu')
    # The test driver reports <model> as the node's CPU "model", which real
    # drivers fill with the architecture name; do the same.
    fields = (('mhz', 2000), ('model', platform.machine() or 'x86_64'),
              ('active', vcpus), ('nodes', 1), ('sockets', 1),
              ('cores', vcpus), ('threads', 1))
    for tag, value in fields:
        ET.SubElement(cpu, tag).text = str(value)
    ET.SubElement(node, 'memory').text = str(memory_kib)
    return ET.tostring(node, encoding='unicode')


def write_test_node(state_path, nodename, vcpus, memory_mb):
    """Write <state_path>/libvirt/test-node-<nodename>.xml; return its path.

    vcpus/memory_mb of 0 mean "as big as this machine".
    """
    vcpus = vcpus or os.cpu_count() or 1
    memory_kib = memory_mb * 1024 if memory_mb else host_memory_kib()
    directory = os.path.abspath(os.path.join(state_path, 'libvirt'))
    os.makedirs(directory, exist_ok=True)
    safe_name = re.sub(r'[^A-Za-z0-9._-]', '_', nodename)
    path = os.path.join(directory, 'test-node-%s.xml' % safe_name)
    # Write then rename so a concurrent reader never sees half a file.
    fd, tmp = tempfile.mkstemp(dir=directory, suffix='.tmp')
    with os.fdopen(fd, 'w') as f:
        f.write(make_test_node_xml(vcpus, memory_kib))
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
    return path


def hypervisor_error(err, action):
    """A HypervisorError carrying libvirt's own message."""
    msg = err.get_error_message() if isinstance(err, libvirt.libvirtError) \
        else str(err)
    return exception.HypervisorError(reason='%s: %s' % (action, msg))


class Host:
    """Opens the libvirt connection on first use and reopens it if lost.

    libvirt connections are thread-safe, so one is shared by all threads;
    the lock only keeps two threads from opening it at the same moment.
    """

    def __init__(self, conf, nodename):
        self._conf = conf
        self.nodename = nodename
        self._conn = None
        self._lock = threading.Lock()
        configured = conf.libvirt.connection_uri
        self.configured_uri = configured or DEFAULT_REAL_URI
        self.is_test = is_test_uri(self.configured_uri)

    def _resolve_uri(self):
        """The URI to open; for test:/// that of a freshly written node."""
        if self.configured_uri != GENERATED_TEST_URI:
            return self.configured_uri
        path = write_test_node(self._conf.state_path, self.nodename,
                               self._conf.libvirt.test_node_vcpus,
                               self._conf.libvirt.test_node_memory_mb)
        return 'test://' + path

    def get_connection(self):
        conn = self._conn
        if conn is not None and self._alive(conn):
            return conn
        with self._lock:
            if self._conn is None or not self._alive(self._conn):
                self._conn = self._open()
            return self._conn

    def close(self):
        """Close the connection (for the test driver this drops its state)."""
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except libvirt.libvirtError:
                pass

    @staticmethod
    def _alive(conn):
        try:
            return conn.isAlive() == 1
        except libvirt.libvirtError:
            return False

    def _open(self):
        _quiet_libvirt()
        if self._conn is not None and self.is_test:
            # A test driver's domains live in its connection; say so when a
            # reopen makes them vanish.
            LOG.warning('Reopening test libvirt connection: its domains are '
                        'lost')
        uri = self._resolve_uri()
        try:
            conn = libvirt.open(uri)
        except libvirt.libvirtError as err:
            raise hypervisor_error(err, 'Cannot connect to %s' % uri)
        LOG.info('Connected to libvirt at %s', uri)
        return timing.timed_connection(conn)

    @contextlib.contextmanager
    def errors(self, action):
        """Turn libvirt errors raised inside into HypervisorError."""
        try:
            yield
        except libvirt.libvirtError as err:
            if err.get_error_code() in _CONNECTION_LOST:
                # isAlive() now reports the loss, so the next
                # get_connection() reconnects; this call still fails.
                LOG.warning('libvirt error during %s: %s', action,
                            err.get_error_message())
            raise hypervisor_error(err, action)

    def call(self, action, func):
        """func(connection), with libvirt errors as HypervisorError."""
        with self.errors(action):
            return func(self.get_connection())

    def lookup(self, uuid):
        """The domain with this UUID, or None when there is none."""
        conn = self.get_connection()
        try:
            return conn.lookupByUUIDString(uuid)
        except libvirt.libvirtError as err:
            if err.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN:
                return None
            raise hypervisor_error(err, 'Looking up domain %s' % uuid)

    def hypervisor_version(self):
        return self.call('Reading hypervisor version',
                         lambda c: c.getVersion())

    def hypervisor_type(self):
        # Callers expect 'QEMU' for kvm/qemu hosts and 'test' when simulated.
        kind = self.call('Reading hypervisor type', lambda c: c.getType())
        return 'test' if kind.upper() == 'TEST' else kind

    def node_info(self):
        """(arch, memory_mb, cpus, mhz, nodes, sockets, cores, threads)."""
        return self.call('Reading node info', lambda c: c.getInfo())

    def cpu_info(self):
        """JSON text describing the host CPU: arch, model, vendor, topology."""
        arch, _mem, _cpus, _mhz, _nodes, sockets, cores, threads = \
            self.node_info()
        model = vendor = None
        features = []
        if not self.is_test:
            # The test driver's capabilities describe an imaginary i686, so
            # only real hosts are asked.
            caps = ET.fromstring(self.call('Reading capabilities',
                                           lambda c: c.getCapabilities()))
            cpu = caps.find('./host/cpu')
            if cpu is not None:
                arch = cpu.findtext('arch') or arch
                model = cpu.findtext('model')
                vendor = cpu.findtext('vendor')
                features = sorted(f.get('name')
                                  for f in cpu.findall('feature'))
        return json.dumps({
            'arch': arch, 'model': model or arch, 'vendor': vendor,
            'topology': {'sockets': sockets, 'cores': cores,
                         'threads': threads},
            'features': features,
        }, sort_keys=True)

    def local_gb(self):
        """GB for instances: test_node_local_gb, or the real disk size."""
        if self.is_test and self._conf.libvirt.test_node_local_gb:
            return self._conf.libvirt.test_node_local_gb
        path = self._conf.instances_path
        # The directory may not exist yet: measure its nearest existing
        # parent.
        while not os.path.exists(path) and os.path.dirname(path) != path:
            path = os.path.dirname(path)
        return shutil.disk_usage(path).total // (1024 ** 3)
