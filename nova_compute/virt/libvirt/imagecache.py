"""Caches images under <instances_path>/_base and makes qcow2 disks from them.

A cached base keeps the format the image declares (qcow2 or raw): nothing is
converted, so the cache costs no more space than the image, and every
instance disk is a qcow2 overlay naming the base and its format with -F.
Bases are fetched once per image by a fetcher (nova_compute/image_fetch.py:
a download through the image API, or a copy of a local file), under a
per-image lock that holds across threads and processes; they stay after the
instances using them are deleted.
"""

import contextlib
import fcntl
import os
import re
import shutil
import tempfile
import threading

from oslo_log import log as logging

from common import exception
from common import qemu_img as qemu_img_lib

LOG = logging.getLogger(__name__)

GiB = 1024 ** 3
DISK_FORMATS = ('qcow2', 'raw')
# Image ids become file names: refuse anything that could leave _base.
_SAFE_ID = re.compile(r'^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$')

QemuImgError = qemu_img_lib.QemuImgError
qemu_img = qemu_img_lib.qemu_img


def _copy_file(src, dst):
    shutil.copyfile(src, dst)


def _copy_location(image, dest):
    """Copy the image's file, found at image['location'] on this host."""
    src = image.get('location')
    if not src or not os.path.isfile(src):
        raise _unacceptable(image, 'image file %r not found' % (src,))
    _copy_file(src, dest)


def _unacceptable(image, reason):
    return exception.ImageUnacceptable(image_id=image.get('id'), reason=reason)


def _check_disk(image, path):
    """(format, virtual size) of a fetched disk image, or ImageUnacceptable."""
    declared = image.get('disk_format')
    if declared not in DISK_FORMATS:
        raise _unacceptable(image, 'disk_format %r is not one of %s'
                            % (declared, ', '.join(DISK_FORMATS)))
    try:
        return qemu_img_lib.check(path, declared)
    except QemuImgError as err:
        raise _unacceptable(image, 'qemu-img info failed: %s' % err)
    except qemu_img_lib.FormatMismatch as err:
        raise _unacceptable(image, str(err))


class ImageCache:
    """The _base directory of one compute node."""

    def __init__(self, instances_path, fetcher=None):
        """fetcher(image, dest) writes an image's data to dest; the default
        copies image['location'], a file on this host."""
        self.base_dir = os.path.join(instances_path, '_base')
        self._fetcher = fetcher or _copy_location
        self._locks = {}
        self._locks_guard = threading.Lock()
        # image id -> (format, virtual size), so qemu-img info runs once per
        # image and process rather than once per spawn.
        self._disk_info = {}

    def base_path(self, image_id):
        if not isinstance(image_id, str) or not _SAFE_ID.match(image_id):
            raise exception.ImageUnacceptable(
                image_id=image_id, reason='id cannot name a cache file')
        return os.path.join(self.base_dir, image_id)

    @contextlib.contextmanager
    def _image_lock(self, image_id):
        with self._locks_guard:
            thread_lock = self._locks.setdefault(image_id, threading.Lock())
        # The thread lock orders this process's spawns; the flock also keeps
        # out another nova-compute sharing the same instances_path.
        with thread_lock:
            lock_path = os.path.join(self.base_dir, '.%s.lock' % image_id)
            with open(lock_path, 'a') as lock_file:
                fcntl.flock(lock_file, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(lock_file, fcntl.LOCK_UN)

    def _download(self, image, dest, check):
        """Fetch the image's data to dest atomically; check it on the way."""
        fd, tmp = tempfile.mkstemp(dir=self.base_dir,
                                   prefix='.%s.' % image['id'], suffix='.part')
        os.close(fd)
        try:
            try:
                self._fetcher(image, tmp)
            except OSError as err:
                raise _unacceptable(image, 'cannot fetch its data: %s' % err)
            info = _check_disk(image, tmp) if check else None
            # qemu runs as its own user on most hosts and must read bases.
            os.chmod(tmp, 0o644)
            os.replace(tmp, dest)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        LOG.info('Cached image %s at %s', image['id'], dest)
        return info

    def fetch(self, image, check_disk=True):
        """Path of the cached copy of the image, fetching it on first use.

        check_disk: validate it as a qcow2/raw disk (False for kernels and
        ramdisks, which are plain files).
        """
        path = self.base_path(image.get('id'))
        if os.path.exists(path) and \
                (not check_disk or image['id'] in self._disk_info):
            return path
        os.makedirs(self.base_dir, exist_ok=True)
        with self._image_lock(image['id']):
            if not os.path.exists(path):
                info = self._download(image, path, check_disk)
                if info:
                    self._disk_info[image['id']] = info
            elif check_disk and image['id'] not in self._disk_info:
                # Cached by an earlier run of this process, or another one.
                self._disk_info[image['id']] = _check_disk(image, path)
        return path

    def fetch_disk(self, image, size_gb=0):
        """(path, format, virtual size) of the cached disk image, which
        must fit in a root disk of size_gb (0: any size)."""
        base = self.fetch(image)
        fmt, virtual_size = self._disk_info[image['id']]
        if size_gb and size_gb * GiB < virtual_size:
            raise _unacceptable(
                image, 'its virtual size %d bytes exceeds the %d GB root disk'
                % (virtual_size, size_gb))
        return base, fmt, virtual_size

    def create_overlay(self, image, dest, size_gb):
        """A qcow2 at dest backed by the cached image, grown to size_gb.

        size_gb 0 keeps the image's own virtual size.
        """
        base, fmt, _size = self.fetch_disk(image, size_gb)
        args = ['create', '-f', 'qcow2', '-F', fmt, '-b', base, dest]
        if size_gb:
            args.append('%dG' % size_gb)
        try:
            qemu_img(*args)
        except QemuImgError as err:
            raise _unacceptable(image, 'cannot create disk: %s' % err)
        return dest

    @staticmethod
    def create_blank(dest, size_gb):
        """An empty qcow2 disk of size_gb (the ephemeral disk)."""
        try:
            qemu_img('create', '-f', 'qcow2', dest, '%dG' % size_gb)
        except QemuImgError as err:
            raise exception.HypervisorError(
                reason='cannot create %s: %s' % (dest, err))
        return dest
