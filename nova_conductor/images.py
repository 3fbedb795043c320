"""Importing image files into the local registry (nova-manage image import)."""

import math
import os
import shutil
import subprocess
import uuid

from common import exception
from common import image_data
from common import qemu_img
from nova_conductor.db import catalog

GIB = 1024 ** 3


def inspect(path):
    """(disk_format, virtual_size) of an image file, via qemu-img."""
    if shutil.which('qemu-img') is None:
        # No qemu-img: all we can say is that the file is its own disk.
        return 'raw', os.path.getsize(path)
    try:
        fmt = qemu_img.info(path).get('format', 'raw')
        if fmt not in ('raw', 'qcow2'):
            raise exception.Invalid(reason='unsupported image format %s '
                                    '(use qcow2 or raw)' % fmt)
        return qemu_img.check(path, fmt)
    except (qemu_img.QemuImgError, qemu_img.FormatMismatch) as e:
        raise exception.Invalid(reason='qemu-img cannot accept %s: %s'
                                % (path, e))


def import_file(path, name, store_dir, properties=None, min_disk=None,
                min_ram=0, visibility='public', owner=None):
    """Copy `path` into the store and register it as an active image."""
    if not os.path.isfile(path):
        raise exception.Invalid(reason='no such file: %s' % path)
    disk_format, virtual_size = inspect(path)
    image_id = str(uuid.uuid4())
    os.makedirs(store_dir, exist_ok=True)
    target = os.path.join(store_dir, image_id)
    with open(path, 'rb') as src, open(target + '.part', 'wb') as dst:
        size, checksum, hash_value = image_data.copy(src, dst)
    os.replace(target + '.part', target)
    needed_gb = int(math.ceil(virtual_size / GIB))
    try:
        return catalog.image_create({
            'id': image_id, 'name': name, 'status': 'active',
            'disk_format': disk_format, 'container_format': 'bare',
            'size': size, 'virtual_size': virtual_size,
            'min_disk': needed_gb if min_disk is None else min_disk,
            'min_ram': min_ram, 'checksum': checksum,
            'os_hash_algo': image_data.HASH_ALGO, 'os_hash_value': hash_value,
            'visibility': visibility, 'owner': owner, 'location': target,
            'properties': properties or {},
        })
    except Exception:
        os.unlink(target)
        raise


def make_demo_image(path):
    """A tiny empty qcow2 (1 GiB virtual) so a newcomer can boot at once."""
    try:
        subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', path,
                        '1G'], check=True, capture_output=True)
    except (FileNotFoundError, subprocess.CalledProcessError):
        with open(path, 'wb') as f:
            f.truncate(1024 * 1024)
    return path
