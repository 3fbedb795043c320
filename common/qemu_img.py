"""qemu-img as a library: run it, and inspect disk images safely.

Used wherever image data enters the system (the image API's upload,
nova-manage image import) and where a compute host caches it.
"""

import json
import os
import subprocess

# Guards against a hung qemu-img (e.g. a crafted image) blocking a caller.
QEMU_IMG_TIMEOUT = 300

# Glance disk_format -> the format qemu-img probes for such data. ISO
# images, kernels and ramdisks are plain bytes to qemu-img.
PROBED_FORMAT = {
    'raw': 'raw', 'qcow2': 'qcow2', 'vmdk': 'vmdk', 'vhd': 'vpc',
    'vhdx': 'vhdx', 'vdi': 'vdi', 'ploop': 'parallels', 'iso': 'raw',
    'ami': 'raw', 'aki': 'raw', 'ari': 'raw',
}


class QemuImgError(Exception):
    """qemu-img failed; the message is its stderr."""


class FormatMismatch(Exception):
    """The data is not what its declared format says, or is unsafe."""


def qemu_img(*args):
    """Run qemu-img with these arguments; return its stdout."""
    try:
        proc = subprocess.run(('qemu-img',) + args, capture_output=True,
                              text=True, timeout=QEMU_IMG_TIMEOUT,
                              env=dict(os.environ, LC_ALL='C'))
    except (OSError, subprocess.TimeoutExpired) as err:
        raise QemuImgError(str(err))
    if proc.returncode != 0:
        raise QemuImgError(proc.stderr.strip() or
                           'qemu-img exited with %d' % proc.returncode)
    return proc.stdout


def info(path):
    """qemu-img's JSON description of the file, its format probed."""
    # --force-share: a base in use by running guests is still readable.
    try:
        return json.loads(qemu_img('info', '--output=json', '--force-share',
                                   path))
    except ValueError as err:
        raise QemuImgError('unreadable qemu-img output: %s' % err)


def check(path, disk_format):
    """(probed format, virtual size) of data declared as disk_format.

    The probed format must be the declared one: a "raw" image that is
    really qcow2 could otherwise make qemu open host files named in its
    header. Backing files and external data files are refused for the same
    reason. Raises FormatMismatch or QemuImgError.
    """
    expected = PROBED_FORMAT.get(disk_format)
    if expected is None:
        raise FormatMismatch('disk_format %r cannot be checked' % disk_format)
    found = info(path)
    if found.get('format') != expected:
        raise FormatMismatch('declared %s but the data is %s'
                             % (disk_format, found.get('format')))
    if found.get('backing-filename'):
        raise FormatMismatch('it has a backing file')
    data = (found.get('format-specific') or {}).get('data') or {}
    if data.get('data-file'):
        raise FormatMismatch('it has an external data file')
    return expected, int(found['virtual-size'])
