"""An instance's root and ephemeral disks as RBD images in Ceph
([libvirt] images_type = rbd): make, find and remove them.

Disks are `<pool>/<uuid>_disk` (root) and `<uuid>_disk.local`
(ephemeral). Every host of the cluster reaches the same images, so an
evacuated instance finds its root disk where it left it. A root disk is
imported under `<name>.part` and renamed once complete: an image under
its own name is always whole, which is what `exists` answers (a compute
killed mid-import leaves only a `.part`, which removing the instance's
images takes too).

The tools are Ceph's own CLIs and qemu-img's rbd driver, each run with a
bounded timeout; a failure is a HypervisorError carrying the tool's own
words, never a traceback.
"""

import contextlib
import json
import os
import re
import subprocess
import uuid as uuid_lib

from oslo_log import log as logging

from common import exception

LOG = logging.getLogger(__name__)

ROOT = 'disk'
EPHEMERAL = 'disk.local'
PART = '.part'
MiB = 1 << 20
GiB = 1 << 30
# rbd info/ls/rm/rename/create and ceph-conf: metadata only.
COMMAND_TIMEOUT = 60
# Copying a whole image into the cluster.
IMPORT_TIMEOUT = 1800
# What `rbd` exits with when the image or pool is not there (ENOENT).
_ENOENT = 2
# A monitor in mon_host: "v1:1.2.3.4:6789", "1.2.3.4:6789" or "host".
_MON = re.compile(r'^(?:v([12]):)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$')
DEFAULT_MON_PORT = '6789'


def disk_name(uuid, suffix=ROOT):
    # The uuid prefixes what remove_instance deletes: it must be a UUID.
    try:
        uuid = str(uuid_lib.UUID(uuid))
    except (TypeError, ValueError, AttributeError):
        raise exception.Invalid(reason='bad instance uuid %r' % (uuid,))
    return '%s_%s' % (uuid, suffix)


def _escape(value):
    # qemu's rbd: filename separates options with ':'.
    return value.replace('\\', '\\\\').replace(':', '\\:')


def monitors(mon_host):
    """(hosts, ports) QEMU's librbd dials, from a mon_host value: the v1
    (or unversioned) address of each monitor."""
    hosts, ports = [], []
    for group in re.findall(r'\[[^\[\]]*v[12]:[^\[\]]*\]|[^,\s\[\]]+',
                            mon_host or ''):
        addrs = [a.strip() for a in group.strip('[]').split(',') if a.strip()]
        picked = None
        for addr in addrs:
            match = _MON.match(addr)
            if match and match.group(1) != '2':
                picked = match
                break
        if picked is None:
            continue
        hosts.append(picked.group(2).strip('[]'))
        ports.append(picked.group(3) or DEFAULT_MON_PORT)
    return hosts, ports


class RbdDisks:
    """The disks of instances in one pool, as one cephx user sees them."""

    def __init__(self, pool, ceph_conf='', user=None, run=None):
        if not pool or '/' in pool or '@' in pool:
            raise exception.Invalid(reason='bad RBD pool name %r' % (pool,))
        self.pool = pool
        self.ceph_conf = ceph_conf or ''
        self.user = user or None
        self._run = run or subprocess.run

    # -- commands -----------------------------------------------------------

    def _command(self, argv, what, timeout=COMMAND_TIMEOUT, missing_ok=False):
        """argv's stdout; None when missing_ok and the tool said ENOENT."""
        try:
            done = self._run(argv, capture_output=True, text=True,
                             timeout=timeout, env=dict(os.environ, LC_ALL='C'))
        except subprocess.TimeoutExpired:
            raise exception.HypervisorError(
                reason='%s: %s did not finish in %d s'
                % (what, os.path.basename(argv[0]), timeout))
        except OSError as err:
            raise exception.HypervisorError(
                reason='%s: cannot run %s: %s' % (what, argv[0], err))
        if done.returncode == _ENOENT and missing_ok:
            return None
        if done.returncode:
            words = (done.stderr or '').strip().splitlines()
            raise exception.HypervisorError(reason='%s: %s' % (
                what, words[-1] if words else
                '%s exited with %d' % (argv[0], done.returncode)))
        return done.stdout

    def _client_args(self):
        args = []
        if self.ceph_conf:
            args += ['--conf', self.ceph_conf]
        if self.user:
            args += ['--id', self.user]
        return args

    def _rbd(self, *args, what, **kwargs):
        return self._command(['rbd'] + self._client_args() + list(args),
                             what, **kwargs)

    def _spec(self, name):
        return '%s/%s' % (self.pool, name)

    def qemu_target(self, name):
        """The image as qemu-img names it."""
        target = 'rbd:%s/%s' % (self.pool, _escape(name))
        if self.user:
            target += ':id=' + _escape(self.user)
        if self.ceph_conf:
            target += ':conf=' + _escape(self.ceph_conf)
        return target

    # -- queries ------------------------------------------------------------

    def size(self, name):
        """The image's size in bytes, or None when it does not exist."""
        out = self._rbd('info', '--format', 'json', self._spec(name),
                        what='Reading RBD image %s' % self._spec(name),
                        missing_ok=True)
        if out is None:
            return None
        try:
            return int(json.loads(out)['size'])
        except (ValueError, KeyError, TypeError):
            raise exception.HypervisorError(
                reason='rbd info of %s said %r' % (self._spec(name), out))

    def exists(self, name):
        return self.size(name) is not None

    def instance_images(self, uuid):
        """Names of the instance's images in the pool (.part ones too)."""
        out = self._rbd('ls', '--format', 'json', self.pool,
                        what='Listing RBD pool %s' % self.pool)
        try:
            names = json.loads(out)
        except ValueError:
            raise exception.HypervisorError(
                reason='rbd ls of %s said %r' % (self.pool, out))
        prefix = disk_name(uuid, '')
        return sorted(n for n in names if n.startswith(prefix))

    # -- changes ------------------------------------------------------------

    def import_image(self, base, fmt, name, size_bytes=0, image_bytes=None):
        """Copy the cached image file `base` (format `fmt`, virtual size
        image_bytes if known) into a raw RBD image `name`, grown to
        size_bytes when that is more than the image's own size."""
        part = name + PART
        spec = self._spec(part)
        try:
            try:
                self._convert(base, fmt, part)
            except exception.HypervisorError as err:
                # A .part left by a compute killed mid-copy: once more.
                if 'File exists' not in err.message:
                    raise
                self.remove(part)
                self._convert(base, fmt, part)
            if image_bytes is None:
                image_bytes = self.size(part)
            if size_bytes and size_bytes > image_bytes:
                self._command(['qemu-img', 'resize', '-f', 'raw',
                               self.qemu_target(part), str(size_bytes)],
                              'Growing RBD image %s' % spec)
            self._rbd('rename', spec, self._spec(name),
                      what='Renaming RBD image %s' % spec)
        except exception.HypervisorError:
            with contextlib.suppress(exception.HypervisorError):
                self.remove(part)
            raise
        return name

    def _convert(self, base, fmt, part):
        self._command(['qemu-img', 'convert', '-f', fmt, '-O', 'raw', base,
                       self.qemu_target(part)],
                      'Importing %s into RBD image %s'
                      % (base, self._spec(part)), timeout=IMPORT_TIMEOUT)

    def create_blank(self, name, size_bytes):
        """An empty image of size_bytes (rounded up to a MiB)."""
        size_mb = max(1, -(-int(size_bytes) // MiB))
        self._rbd('create', '--size', '%dM' % size_mb, self._spec(name),
                  what='Creating RBD image %s' % self._spec(name))
        return name

    def remove(self, name):
        """Remove the image; one already gone is not an error."""
        self._rbd('rm', '--no-progress', self._spec(name),
                  what='Removing RBD image %s' % self._spec(name),
                  missing_ok=True)

    def remove_instance(self, uuid):
        """Remove every image of the instance; returns their names."""
        names = self.instance_images(uuid)
        for name in names:
            self.remove(name)
        return names

    def make_instance_disks(self, uuid, root_gb, ephemeral_gb, fetch,
                            root=True):
        """The instance's disks, made unless they exist: (names, made);
        no root disk unless `root` (a volume is the instance's root).

        An existing root disk is one an evacuated instance left on the
        shared storage: it is kept, data and all. Otherwise `fetch()`
        gives the (path, format, virtual size) of the cached image to
        import, grown to root_gb (0: the image's own size). `made` names
        what this call created, so a failed spawn removes those and
        nothing else.
        """
        names, made = [], []
        if root:
            root = disk_name(uuid, ROOT)
            names.append(root)
            if self.exists(root):
                LOG.info('Re-using RBD disk %s', self._spec(root))
            else:
                base, fmt, image_bytes = fetch()
                self.import_image(base, fmt, root, int(root_gb or 0) * GiB,
                                  image_bytes)
                made.append(root)
        if ephemeral_gb:
            local = disk_name(uuid, EPHEMERAL)
            names.append(local)
            if not self.exists(local):
                try:
                    # Left unformatted: the guest (cloud-init) formats it.
                    self.create_blank(local, int(ephemeral_gb) * GiB)
                except exception.HypervisorError:
                    for name in made:
                        with contextlib.suppress(exception.HypervisorError):
                            self.remove(name)
                    raise
                made.append(local)
        return names, made

    # -- what libvirt needs ---------------------------------------------------

    def _conf_value(self, key):
        argv = ['ceph-conf', '--show-config-value', key]
        if self.ceph_conf:
            argv[1:1] = ['-c', self.ceph_conf]
        if self.user:
            argv[1:1] = ['--name', 'client.' + self.user]
        return self._command(argv, 'Reading %s from the ceph conf'
                             % key).strip()

    def monitors(self):
        """(hosts, ports) of the cluster's monitors, for a <disk>'s
        <source>: the guest's QEMU need not read our ceph conf."""
        return monitors(self._conf_value('mon_host'))

    def client_key(self):
        """rbd_user's cephx key, from the first keyring Ceph would read
        that holds it."""
        user = 'client.' + (self.user or 'admin')
        tried = []
        for path in self._conf_value('keyring').split(','):
            path = path.strip()
            if not path or not os.path.isfile(path):
                continue
            tried.append(path)
            try:
                key = self._command(['ceph-authtool', '-p', '-n', user,
                                     path], 'Reading the key of %s' % user)
            except exception.HypervisorError:
                continue  # not in this keyring: Ceph would read on too
            if key.strip():
                return key.strip()
        raise exception.HypervisorError(
            reason='no keyring holds the key of %s (read: %s)'
            % (user, ', '.join(tried) or 'none found'))

    def connection_info(self, name, secret_uuid=None):
        """The image as volume.disk_element takes a volume's."""
        hosts, ports = self.monitors()
        return {'driver_volume_type': 'rbd',
                'data': {'name': self._spec(name), 'hosts': hosts,
                         'ports': ports,
                         'auth_enabled': bool(self.user and secret_uuid),
                         'auth_username': self.user,
                         'secret_uuid': secret_uuid}}
