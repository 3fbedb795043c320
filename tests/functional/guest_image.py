"""A tiny real guest for the functional tests: Debian's kernel + busybox.

The guest is three files:
- vmlinuz: the kernel of the package linux-image-amd64 depends on (e.g.
  linux-image-6.1.0-56-amd64). Its .deb is fetched with `apt-get download`
  and only unpacked here: nothing is installed into the host's /boot.
- initrd.cpio.gz: an initramfs (written by this module, no cpio tool needed)
  holding busybox-static's /bin/busybox, the kernel modules of MODULES from
  the same .deb with their dependencies (resolved by kernel_modules.py), and
  an /init that prints MARKER and the boot id to the serial console, runs
  busybox acpid so an ACPI power-button press powers the guest off, looks
  for a config drive (below), and then sleeps forever.
- disk.qcow2: a blank 1 GiB root disk, the image servers boot from; the
  kernel and initramfs are its kernel_id / ramdisk_id.

The build takes a few seconds and is cached under
$NOVA_TEST_GUEST_CACHE (default /var/cache/nova-lite-test-guest, or
~/.cache/nova-lite-test-guest when that is not writable), in a directory
named after a hash of the kernel package version, the busybox binary and
the init script, so a new kernel or busybox builds a new guest. Downloaded
.debs are kept in <cache>/debs.

The config drive: /init looks (for 2 s, as the drivers probe) for a file
system labelled config-2 (an ISO 9660 CD-ROM, or a vfat disk) with busybox
findfs, mounts it read-only and prints

    CONFIG-DRIVE device=/dev/sr0 type=iso9660 label=config-2
    CONFIG-DRIVE uuid=<"uuid" of openstack/latest/meta_data.json>
    CONFIG-DRIVE user_data=<first line of openstack/latest/user_data>

or `CONFIG-DRIVE none` when there is none, after MARKER, so a test reads
from the console what the guest found (config_drive_report() parses it).
A device findfs misses (/dev/sr*, hd*, sd*, vd*) that mounts and holds
openstack/latest/meta_data.json is reported too, with label=unknown.

Volumes: /init then watches (every 0.5 s) for virtio disks with a serial
(a Cinder volume's id, its first 20 characters: virtio-blk's limit) and
prints, when one appears,

    VOLUME dev=vdb serial=<volume id> sectors=<size in 512-byte sectors>
    VOLUME dev=vdb wrote=NOVA-LITE-MARK serial=<volume id> boot_id=<uuid>

writing that mark at the start of a blank volume (and syncing it), or
`found=<the mark>` when the volume holds one already, a mark an earlier
boot (or the same guest on another host) wrote; `VOLUME dev=vdb gone`
when it is unplugged. volume_report() parses these lines.
"""

import collections
import contextlib
import fcntl
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import stat
import subprocess
import tarfile
import tempfile

from tests.functional import kernel_modules

MARKER = 'NOVA-LITE-GUEST-BOOTED'
# Kernel command line for the disk image's os_command_line property.
CMDLINE = 'console=ttyS0 quiet'
# Bump when the layout of the built guest changes.
FORMAT = 2

BUSYBOX = '/bin/busybox'
KERNEL_META = 'linux-image-amd64'
# Modules /init loads (all =m in Debian's kernel), their dependencies added
# by kernel_modules: the ACPI power button (evdev, button); the config
# drive as an IDE CD-ROM (ata_piix on QEMU's i440fx, sr_mod) or a disk
# (sd_mod, virtio_blk); its file system (isofs, or vfat with the code page
# and charset vfat mounts with by default: cp437, ascii).
MODULES = ('evdev', 'button', 'sr_mod', 'sd_mod', 'ata_piix', 'virtio_blk',
           'virtio_pci', 'isofs', 'vfat', 'nls_cp437', 'nls_ascii',
           'nls_utf8')
# The initramfs lists the module files in load order in this file.
LOAD_ORDER = 'lib/modules/load-order'

CONFIG_DRIVE = 'CONFIG-DRIVE'
# What /init prints about the config drive: "device=... type=... label=...",
# "uuid=...", then "user_data=..." or "no user_data"; or only "none".
CONFIG_DRIVE_LINE = re.compile(r'^CONFIG-DRIVE (.*?)\r?$', re.M)

VOLUME = 'VOLUME'
# What /init writes at the start of a blank volume (then the volume's
# serial and the boot id).
VOLUME_MARK = 'NOVA-LITE-MARK'
VOLUME_LINE = re.compile(r'^VOLUME dev=(\w+) (.*?)\r?$', re.M)
# The counter /init prints every second when the kernel command line has
# TICK_ARG (TICK_CMDLINE): "TICK 1", "TICK 2"...
TICK = 'TICK'
TICK_ARG = 'nova_tick'
TICK_CMDLINE = CMDLINE + ' ' + TICK_ARG
# Whole lines only: a log read while the guest writes may end in half of
# one ("TICK 1" of "TICK 12").
TICK_LINE = re.compile(r'^TICK (\d+)\r?\n', re.M)

INIT = r"""#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin
export PATH=/bin
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# Dependencies come first in load-order. insmod returns once a driver has
# probed its devices (the kernel waits for a module's async probing), so
# the CD-ROM and disks exist when the config drive is looked for.
for module in $(cat /%(load_order)s); do
    insmod /lib/modules/$module
done
# An ACPI power-button press (virDomainShutdown) powers the guest off:
# acpid (logging to the console) runs /etc/acpi/PWRF/00000080.
for i in 1 2 3 4 5 6 7 8 9 10; do
    [ -e /dev/input/event0 ] && break
    sleep 0.1
done
acpid -d &
echo "%(marker)s boot_id=$(cat /proc/sys/kernel/random/boot_id)"
# With nova_tick on the kernel command line, a counter on the console
# every second: a test sees the guest run on (across a live migration).
case " $(cat /proc/cmdline) " in *" %(tick_arg)s "*)
    (n=0; while :; do n=$((n+1)); echo "%(tick)s $n"; sleep 1; done) & ;;
esac

# The config drive: findfs knows labels; a device it does not report is
# still tried by mounting it and looking for the OpenStack tree, and then
# reported with label=unknown.
mount_config_drive() {
    labelled=$(findfs LABEL=config-2 2>/dev/null ||
               findfs LABEL=CONFIG-2 2>/dev/null)
    for dev in $labelled /dev/sr* /dev/hd? /dev/sd? /dev/vd?; do
        [ -b "$dev" ] || continue
        for fstype in iso9660 vfat; do
            mount -t $fstype -o ro "$dev" /mnt 2>/dev/null || continue
            if [ -f /mnt/openstack/latest/meta_data.json ]; then
                label=unknown
                [ "$dev" = "$labelled" ] && label=config-2
                echo "%(cd)s device=$dev type=$fstype label=$label"
                return 0
            fi
            umount /mnt
        done
    done
    return 1
}
report_config_drive() {
    # meta_data.json may be one line or pretty-printed: join its lines.
    uuid=$(tr -d '\r\n' < /mnt/openstack/latest/meta_data.json |
           grep -o '"uuid"[[:space:]]*:[[:space:]]*"[^"]*"' | head -n 1 |
           sed 's/.*"\([^"]*\)"$/\1/')
    echo "%(cd)s uuid=$uuid"
    if [ -f /mnt/openstack/latest/user_data ]; then
        line=$(head -n 1 /mnt/openstack/latest/user_data | tr -d '\r' |
               cut -c 1-200)
        echo "%(cd)s user_data=$line"
    else
        echo "%(cd)s no user_data"
    fi
    umount /mnt
}
found=
for i in $(seq 20); do
    if mount_config_drive; then
        report_config_drive
        found=1
        break
    fi
    sleep 0.1
done
[ -n "$found" ] || echo "%(cd)s none"

# Commands from the serial port, as a getty's shell would run them: what
# is typed through a console proxy runs (test_consoles_real_guest.py); the
# terminal echoes it. No interactive shell: no prompt or job control
# message lands in front of the lines this script prints.
sh -c 'while read -r line; do eval "$line"; done' \
    </dev/ttyS0 >/dev/ttyS0 2>&1 &

# Volumes: virtio disks with a serial (the volume id; local disks have
# none), reported when they appear and when they go. A blank one gets a
# mark at its start, one with a mark has it printed: a test sees what a
# guest wrote outlive it (a new boot, another host).
boot_id=$(cat /proc/sys/kernel/random/boot_id)
report_volume() {
    dev=$1
    echo "%(vol)s dev=$dev serial=$2 sectors=$(cat /sys/block/$dev/size)"
    mark=$(dd if=/dev/$dev bs=512 count=1 2>/dev/null | tr -d '\0' |
           head -c 200)
    case "$mark" in
    %(mark)s*) echo "%(vol)s dev=$dev found=$mark" ;;
    '') mark="%(mark)s serial=$2 boot_id=$boot_id"
        printf '%%s' "$mark" |
            dd of=/dev/$dev bs=512 count=1 conv=sync,fsync 2>/dev/null &&
            echo "%(vol)s dev=$dev wrote=$mark" ;;
    *) echo "%(vol)s dev=$dev holds other data" ;;
    esac
}
seen=
while :; do
    now=
    for sys in /sys/block/vd*; do
        serial=$(cat $sys/serial 2>/dev/null)
        [ -n "$serial" ] || continue
        dev=${sys##*/}
        now="$now $dev"
        case "$seen " in *" $dev "*) ;; *) report_volume $dev $serial ;; esac
    done
    for dev in $seen; do
        case "$now " in *" $dev "*) ;; *) echo "%(vol)s dev=$dev gone" ;; esac
    done
    seen=$now
    sleep 0.5
done
""" % {'marker': MARKER, 'cd': CONFIG_DRIVE, 'load_order': LOAD_ORDER,
       'vol': VOLUME, 'mark': VOLUME_MARK, 'tick': TICK,
       'tick_arg': TICK_ARG}

POWER_BUTTON = '#!/bin/sh\nexec poweroff -f\n'

Guest = collections.namedtuple('Guest', 'kernel ramdisk disk directory')


def config_drive_report(console):
    """The CONFIG-DRIVE lines (without that word) the last boot on the
    console printed, once it printed its last one; None until then."""
    boot = console.rfind(MARKER)
    if boot < 0:
        return None
    lines = CONFIG_DRIVE_LINE.findall(console[boot:])
    if lines and (lines[-1] in ('none', 'no user_data') or
                  lines[-1].startswith('user_data=')):
        return lines
    return None


def volume_report(console):
    """(device, what) of each VOLUME line the last boot on the console
    printed, in order: "serial=<volume id> sectors=<512-byte sectors>",
    then "wrote=<mark>", "found=<mark>" or "holds other data"; later
    "gone" when it was unplugged."""
    boot = console.rfind(MARKER)
    if boot < 0:
        return []
    return VOLUME_LINE.findall(console[boot:])


def ticks(console):
    """The counter values on the console, in order (see TICK_CMDLINE)."""
    return [int(n) for n in TICK_LINE.findall(console)]


class Unavailable(Exception):
    """The guest cannot be built here; the message says what is missing."""


def cache_root():
    root = os.environ.get('NOVA_TEST_GUEST_CACHE')
    if root:
        return root
    default = '/var/cache/nova-lite-test-guest'
    parent = os.path.dirname(default)
    if os.access(default, os.W_OK) or (not os.path.exists(default) and
                                       os.access(parent, os.W_OK)):
        return default
    return os.path.join(os.path.expanduser('~'), '.cache',
                        'nova-lite-test-guest')


def _run(*args, **kwargs):
    return subprocess.run(args, check=True, capture_output=True, text=True,
                          timeout=300, **kwargs).stdout


def _check_tools():
    missing = [tool for tool in ('dpkg-deb', 'qemu-img')
               if shutil.which(tool) is None]
    if not os.access(BUSYBOX, os.X_OK):
        missing.append('%s (package busybox-static)' % BUSYBOX)
    if missing:
        raise Unavailable('cannot build the test guest, missing: %s'
                          % ', '.join(missing))


# -- the kernel package -------------------------------------------------------

def _kernel_package():
    """(name, version) of the kernel linux-image-amd64 points to, or None."""
    try:
        depends = _run('apt-cache', 'depends', KERNEL_META)
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r'Depends: (linux-image-[0-9][^\s]*)', depends)
    if not match:
        return None
    name = match.group(1)
    try:
        show = _run('apt-cache', 'show', '--no-all-versions', name)
    except (OSError, subprocess.SubprocessError):
        return None
    version = re.search(r'^Version: (\S+)', show, re.M)
    return (name, version.group(1)) if version else None


def _deb_name(name, version):
    # apt names the file name_version_arch.deb with ':' (epoch) as %3a.
    return '%s_%s_amd64.deb' % (name, version.replace(':', '%3a'))


def _kernel_deb(debs_dir):
    """Path of the kernel .deb in debs_dir, downloading it when needed."""
    os.makedirs(debs_dir, exist_ok=True)
    package = _kernel_package()
    if package is not None:
        path = os.path.join(debs_dir, _deb_name(*package))
        if os.path.exists(path):
            return path
        with tempfile.TemporaryDirectory(dir=debs_dir) as tmp:
            # A directory _apt can write to, so apt need not warn.
            os.chmod(tmp, 0o755)
            try:
                _run('apt-get', 'download', '-q', '%s=%s' % package, cwd=tmp)
            except subprocess.CalledProcessError as err:
                raise Unavailable('apt-get download %s=%s failed: %s' % (
                    package + (err.stderr.strip(),)))
            except (OSError, subprocess.SubprocessError) as err:
                raise Unavailable('apt-get download failed: %s' % err)
            for name in os.listdir(tmp):
                if name.endswith('.deb'):
                    os.replace(os.path.join(tmp, name), path)
                    # Only the newest kernel is kept (each is ~70 MB).
                    for old in os.listdir(debs_dir):
                        if old.endswith('.deb') and \
                                old != os.path.basename(path):
                            os.unlink(os.path.join(debs_dir, old))
                    return path
        raise Unavailable('apt-get download %s=%s made no .deb' % package)
    # No apt metadata (offline, or no apt lists): use a kernel fetched
    # earlier, if any.
    cached = sorted(n for n in os.listdir(debs_dir)
                    if re.match(r'linux-image-[0-9].*-amd64_.*\.deb$', n))
    if cached:
        return os.path.join(debs_dir, cached[-1])
    raise Unavailable('cannot find the package %s depends on (run '
                      '"apt-get update"?)' % KERNEL_META)


def _extract_kernel(deb, dest_dir):
    """Write vmlinuz and the /lib/modules/<version> tree of the kernel .deb
    into dest_dir; return the path of that tree."""
    modules_root = None
    os.makedirs(dest_dir, exist_ok=True)
    proc = subprocess.Popen(['dpkg-deb', '--fsys-tarfile', deb],
                            stdout=subprocess.PIPE)
    try:
        with tarfile.open(fileobj=proc.stdout, mode='r|') as tar:
            for member in tar:
                name = member.name.lstrip('./')
                tree = re.match(r'lib/modules/([^/]+)/', name)
                if not member.isfile() or '..' in name.split('/'):
                    continue
                if re.match(r'boot/vmlinuz-', name):
                    path = os.path.join(dest_dir, 'vmlinuz')
                elif tree:
                    path = os.path.join(dest_dir, name)
                    modules_root = os.path.join(dest_dir, tree.group(0))
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                else:
                    continue
                with open(path, 'wb') as out:
                    shutil.copyfileobj(tar.extractfile(member), out)
    finally:
        proc.stdout.close()
        proc.wait()
    lacking = [what for what, there in (
        ('vmlinuz', os.path.exists(os.path.join(dest_dir, 'vmlinuz'))),
        ('lib/modules', modules_root is not None)) if not there]
    if lacking:
        raise Unavailable('%s has no %s' % (deb, ', '.join(lacking)))
    return modules_root


def _copy_modules(modules_root, dest_dir):
    """Copy MODULES and their dependencies into dest_dir; return the file
    names in load order."""
    try:
        return kernel_modules.ModuleTree(modules_root).copy(MODULES,
                                                            dest_dir)
    except kernel_modules.ModuleNotFound as err:
        raise Unavailable('the kernel cannot run the test guest: %s' % err)


# -- the initramfs ------------------------------------------------------------

class _Cpio:
    """Writes a cpio archive in the "newc" format the kernel unpacks."""

    def __init__(self, fileobj):
        self._f = fileobj
        self._ino = 1

    def _pad(self, length):
        self._f.write(b'\0' * (-length % 4))

    def _entry(self, name, mode, data=b'', rdev=(0, 0), nlink=1):
        encoded = name.encode() + b'\0'
        fields = (self._ino, mode, 0, 0, nlink, 0, len(data), 0, 0,
                  rdev[0], rdev[1], len(encoded), 0)
        self._ino += 1
        header = b'070701' + b''.join(b'%08X' % v for v in fields)
        self._f.write(header + encoded)
        self._pad(len(header) + len(encoded))
        self._f.write(data)
        self._pad(len(data))

    def directory(self, name):
        self._entry(name, stat.S_IFDIR | 0o755, nlink=2)

    def file(self, name, data, mode=0o644):
        self._entry(name, stat.S_IFREG | mode, data)

    def char_device(self, name, major, minor):
        self._entry(name, stat.S_IFCHR | 0o600, rdev=(major, minor))

    def close(self):
        self._entry('TRAILER!!!', 0, nlink=1)


def _write_initramfs(path, modules_dir, load_order):
    raw = io.BytesIO()
    cpio = _Cpio(raw)
    for directory in ('bin', 'dev', 'etc', 'etc/acpi', 'etc/acpi/PWRF',
                      'lib', 'lib/modules', 'mnt', 'proc', 'root', 'sys',
                      'tmp'):
        cpio.directory(directory)
    # The kernel opens /dev/console for /init before any devtmpfs is there.
    cpio.char_device('dev/console', 5, 1)
    with open(BUSYBOX, 'rb') as f:
        cpio.file('bin/busybox', f.read(), 0o755)
    cpio.file('init', INIT.encode(), 0o755)
    # busybox acpid runs /etc/acpi/<ACTION>/<PARAMETER> for an event; the
    # power button is PWRF/00000080.
    cpio.file('etc/acpi/PWRF/00000080', POWER_BUTTON.encode(), 0o755)
    for name in load_order:
        with open(os.path.join(modules_dir, name), 'rb') as f:
            cpio.file('lib/modules/' + name, f.read())
    cpio.file(LOAD_ORDER, ''.join(n + '\n' for n in load_order).encode())
    cpio.close()
    with open(path, 'wb') as f:
        f.write(gzip.compress(raw.getvalue(), compresslevel=6, mtime=0))


# -- the whole guest ----------------------------------------------------------

def _file_hash(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def _locked(root):
    with open(os.path.join(root, '.lock'), 'a') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _guest(directory):
    return Guest(os.path.join(directory, 'vmlinuz'),
                 os.path.join(directory, 'initrd.cpio.gz'),
                 os.path.join(directory, 'disk.qcow2'), directory)


def build(root=None):
    """The cached guest, built first if needed; Unavailable if it cannot be."""
    _check_tools()
    root = root or cache_root()
    try:
        os.makedirs(root, exist_ok=True)
    except OSError as err:
        raise Unavailable('cannot create the guest cache %s: %s'
                          % (root, err))
    with _locked(root):
        deb = _kernel_deb(os.path.join(root, 'debs'))
        key_source = json.dumps({
            'format': FORMAT, 'kernel': os.path.basename(deb),
            'busybox': _file_hash(BUSYBOX), 'init': INIT,
            'modules': MODULES,
            'power_button': POWER_BUTTON}, sort_keys=True)
        key = hashlib.sha256(key_source.encode()).hexdigest()[:16]
        directory = os.path.join(root, 'guest-' + key)
        if os.path.exists(os.path.join(directory, 'manifest.json')):
            return _guest(directory)
        tmp = tempfile.mkdtemp(dir=root, prefix='.build-')
        try:
            unpacked = os.path.join(tmp, 'deb')
            modules_dir = os.path.join(tmp, 'modules')
            os.makedirs(modules_dir)
            modules_root = _extract_kernel(deb, unpacked)
            load_order = _copy_modules(modules_root, modules_dir)
            os.replace(os.path.join(unpacked, 'vmlinuz'),
                       os.path.join(tmp, 'vmlinuz'))
            _write_initramfs(os.path.join(tmp, 'initrd.cpio.gz'),
                             modules_dir, load_order)
            shutil.rmtree(unpacked)
            shutil.rmtree(modules_dir)
            _run('qemu-img', 'create', '-q', '-f', 'qcow2',
                 os.path.join(tmp, 'disk.qcow2'), '1G')
            with open(os.path.join(tmp, 'manifest.json'), 'w') as f:
                f.write(key_source)
            os.chmod(tmp, 0o755)
            shutil.rmtree(directory, ignore_errors=True)
            os.replace(tmp, directory)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return _guest(directory)


if __name__ == '__main__':
    print(build())
