"""Image data on nova-api's host: receive an upload, serve it, remove it.

An upload streams to a temporary file under [DEFAULT] image_store_path
while its md5 checksum and sha512 multihash are computed; qemu-img then
checks the data is what its disk_format says, and only then does it take
its final name. Any failure removes the temporary file. The records stay
with the conductor; this module never touches them.
"""

import collections
import contextlib
import os
import tempfile

from common import exception
from common import image_data
from common import qemu_img

# Data in these containers is an archive, not a disk qemu-img could probe.
UNCHECKED_CONTAINERS = ('ova', 'ovf', 'docker', 'compressed')

Stored = collections.namedtuple('Stored', [
    'location', 'size', 'checksum', 'os_hash_algo', 'os_hash_value',
    'virtual_size'])


def _copy(stream, out, size_cap):
    try:
        return image_data.copy(stream, out, size_cap)
    except image_data.SizeCapExceeded:
        raise exception.ImageSizeCapExceeded(size_cap=size_cap)


def _check(path, image):
    if image.get('container_format') in UNCHECKED_CONTAINERS:
        return None
    try:
        return qemu_img.check(path, image['disk_format'])[1]
    except qemu_img.FormatMismatch as err:
        raise exception.Invalid('Image data does not match disk_format '
                                '%s: %s.' % (image['disk_format'], err))
    except qemu_img.QemuImgError as err:
        raise exception.Invalid('Image data cannot be read as %s: %s'
                                % (image['disk_format'], err))


def receive(stream, image, store_dir, size_cap, expected_size=None):
    """Store the uploaded data of `image`; returns a Stored."""
    os.makedirs(store_dir, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=store_dir, suffix='.part',
                               prefix='.upload-%s-' % image['id'])
    try:
        with os.fdopen(fd, 'wb') as out:
            size, checksum, hash_value = _copy(stream, out, size_cap)
        if expected_size is not None and size != expected_size:
            raise exception.Invalid('Received %d of %d bytes; the upload '
                                    'was cut short.' % (size, expected_size))
        virtual_size = _check(tmp, image)
        location = os.path.join(store_dir, image['id'])
        os.replace(tmp, location)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return Stored(location, size, checksum, image_data.HASH_ALGO, hash_value,
                  virtual_size)


def _inside(path, store_dir):
    store = os.path.realpath(store_dir)
    return os.path.commonpath([os.path.realpath(path), store]) == store


def open_data(image, store_dir):
    """The image's data as an open binary file, or None when it is gone."""
    location = image.get('location')
    if not location or not _inside(location, store_dir):
        return None
    try:
        return open(location, 'rb')
    except OSError:
        return None


def remove(location, store_dir):
    """Delete a stored file; never anything outside the store."""
    if location and _inside(location, store_dir):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(location)
