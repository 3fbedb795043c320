"""A running libvirtd on qemu:///system, for tests that boot real guests.

ensure_running() returns at once when `virsh -c qemu:///system version`
answers. Otherwise (a machine without systemd, where nothing starts the
daemons) it starts virtlogd and libvirtd itself, each only if its socket
does not answer, and waits for libvirtd to answer. Daemons it starts are
left running after the tests (they are cheap, and the next run then skips
the first start, which takes seconds); it never stops or kills one.

It also fixes /dev/kvm when udev never set it up (root:root 0600, as in a
container): then libvirt decides on every domain start that the cached
QEMU capabilities (probed with KVM) are stale, because its qemu user
cannot open /dev/kvm, and probes QEMU again, which adds about 4 s to each
start. ensure_running() gives /dev/kvm the group kvm and mode 0660, what
udev does on a normal Debian host. Guests still use TCG (virt_type qemu).
"""

import grp
import os
import shutil
import socket
import stat
import subprocess
import time

import pytest

URI = 'qemu:///system'
# Files QEMU opens (disks, kernels, console logs) must be reachable by
# libvirt's qemu user, which a 0700 tempfile.mkdtemp() directory is not.
WORK_ROOT = '/var/lib/nova-lite-test'
RUN_DIR = '/run/libvirt'
SOCKETS = {'virtlogd': os.path.join(RUN_DIR, 'virtlogd-sock'),
           'libvirtd': os.path.join(RUN_DIR, 'libvirt-sock')}


def unavailable(message):
    """Fail under NOVA_TEST_REQUIRE_SERVICES=1 (CI), else skip."""
    if os.environ.get('NOVA_TEST_REQUIRE_SERVICES') == '1':
        pytest.fail(message + ' (NOVA_TEST_REQUIRE_SERVICES=1)')
    pytest.skip(message)


class Unavailable(Exception):
    """libvirtd cannot be had here; the message says why."""


def work_dir(name):
    """A new directory WORK_ROOT/name that libvirt's qemu user can reach;
    skips (or fails, see unavailable()) when it cannot be made."""
    path = os.path.join(WORK_ROOT, name)
    try:
        os.makedirs(path)
        os.chmod(WORK_ROOT, 0o755)
    except OSError as err:
        unavailable('cannot create %s: %s' % (path, err))
    return path


def remove_leftovers(server_ids, path):
    """After a deployment stopped: the domains a failed test may have
    left of these servers, and the work directory `path`."""
    for server_id in server_ids:
        name = 'instance-%s' % server_id
        virsh('destroy', name)
        virsh('undefine', '--nvram', name)
    shutil.rmtree(path, ignore_errors=True)


def virsh(*args, timeout=30):
    """Run `virsh -c qemu:///system ARGS`; return the CompletedProcess."""
    return subprocess.run(['virsh', '-c', URI] + list(args),
                          capture_output=True, text=True, timeout=timeout)


def _answers():
    try:
        return virsh('version', timeout=15).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def _socket_answers(path):
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(2)
        try:
            s.connect(path)
            return True
        except OSError:
            return False


def _fix_kvm_device(path='/dev/kvm'):
    try:
        st = os.stat(path)
        kvm_gid = grp.getgrnam('kvm').gr_gid
    except (OSError, KeyError):
        return
    untouched = (st.st_uid == 0 and st.st_gid == 0 and
                 stat.S_IMODE(st.st_mode) == 0o600)
    if untouched and os.geteuid() == 0:
        os.chown(path, 0, kvm_gid)
        os.chmod(path, 0o660)


def ensure_running(timeout=60):
    """Make qemu:///system answer; return the daemons this call started."""
    missing = [tool for tool in ('virsh', 'virtlogd', 'libvirtd',
                                 'qemu-system-x86_64')
               if shutil.which(tool) is None]
    if missing:
        raise Unavailable('missing %s (packages libvirt-daemon-system, '
                          'qemu-system-x86)' % ', '.join(missing))
    _fix_kvm_device()
    if _answers():
        return []
    if os.geteuid() != 0:
        raise Unavailable('libvirtd does not answer on %s and only root '
                          'can start it' % URI)
    started = []
    for daemon in ('virtlogd', 'libvirtd'):
        if _socket_answers(SOCKETS[daemon]):
            continue
        # -d: daemonize, so the daemon outlives the test process.
        proc = subprocess.run([daemon, '-d'], capture_output=True,
                              text=True, timeout=60)
        if proc.returncode != 0:
            raise Unavailable('%s -d failed: %s' % (
                daemon, proc.stderr.strip() or proc.returncode))
        started.append(daemon)
    deadline = time.monotonic() + timeout
    while not _answers():
        if time.monotonic() >= deadline:
            raise Unavailable('libvirtd did not answer on %s within %ss '
                              '(started: %s)' % (URI, timeout,
                                                 ', '.join(started)))
        time.sleep(0.5)
    return started
