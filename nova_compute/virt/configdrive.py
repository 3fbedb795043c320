"""Writes an instance's config drive: its metadata trees on a small image.

The files are common.instance_metadata's `config_drive_files()`, the trees
the metadata service answers from, so a guest reads the same either way.
The image is ISO 9660 with Joliet and Rock Ridge ([DEFAULT] mkisofs_cmd,
else xorriso's mkisofs emulation) or, with [DEFAULT] config_drive_format
= vfat, a 64 MiB FAT file system written by mkfs.vfat and mtools' mcopy;
both are labelled config-2, which is how cloud-init finds them. It is
written beside its final name and renamed into place, so a guest (or a
rebuild's second writer) never sees half a drive.
"""

import os
import shutil
import subprocess
import tempfile

from common import exception
from common import instance_metadata
from common.conf import CONF

# The volume label cloud-init's ConfigDrive datasource looks for.
LABEL = 'config-2'
# The drive's name in the instance directory.
FILE_NAME = 'disk.config'
FORMATS = ('iso9660', 'vfat')
# The contents are the instance's own data (user data <= 64 KiB, metadata,
# a key, vendor data from a file), repeated per metadata version; past
# this, something is wrong and no image is written.
MAX_CONTENT_BYTES = 32 * 1024 * 1024
VFAT_SIZE_BYTES = 64 * 1024 * 1024
# A tool that has not finished in this long is hung, not slow.
TOOL_TIMEOUT = 60
# mkfs.vfat lives in sbin, which a service's PATH may lack.
_SBIN = ('/usr/sbin', '/sbin')


def required(instance, conf=CONF):
    """Whether `instance` gets a drive: it asked at create (or was given
    one before), or this host forces one on every instance."""
    return bool(instance.get('config_drive')) or conf.force_config_drive


def recorded(instance, conf=CONF):
    """Instance values to store once its drive is built: config_drive True
    when this host's force_config_drive gave it one. Nova decides on the
    compute too (the API cannot know the host's setting); storing it
    makes the API show what the guest has, and keeps the drive through
    a rebuild or an evacuation to a host that does not force one."""
    if required(instance, conf) and not instance.get('config_drive'):
        return {'config_drive': True}
    return {}


def path(inst_dir):
    return os.path.join(inst_dir, FILE_NAME)


def build(instance, network_info, inst_dir, conf=CONF):
    """Write the drive of `instance` to <inst_dir>/disk.config (replacing
    any older one) and return its path; ConfigDriveBuildFailed when it
    cannot be written. `network_info`: the build's fixed IPs, for an
    instance whose own fixed_ips are not filled in yet."""
    fmt = conf.config_drive_format
    if fmt not in FORMATS:
        raise exception.ConfigDriveBuildFailed(
            reason='unknown config_drive_format %r' % fmt)
    files = instance_metadata.InstanceMetadata(
        instance, network_info).config_drive_files()
    size = sum(len(data) for data in files.values())
    if size > MAX_CONTENT_BYTES:
        raise exception.ConfigDriveBuildFailed(
            reason='its files take %d bytes, more than the %d allowed'
            % (size, MAX_CONTENT_BYTES))
    target = path(inst_dir)
    try:
        with tempfile.TemporaryDirectory(prefix='.config-drive-',
                                         dir=inst_dir) as work:
            tree = os.path.join(work, 'tree')
            _write_tree(tree, files)
            image = os.path.join(work, FILE_NAME)
            if fmt == 'vfat':
                _make_vfat(tree, image)
            else:
                _make_iso(tree, image, conf.mkisofs_cmd)
            os.replace(image, target)
    except OSError as err:
        raise exception.ConfigDriveBuildFailed(reason=str(err))
    return target


def _write_tree(root, files):
    for name, data in files.items():
        file_path = os.path.join(root, name)
        os.makedirs(os.path.dirname(file_path), exist_ok=True)
        with open(file_path, 'wb') as f:
            f.write(data)


def mkisofs_command(mkisofs_cmd):
    """The argv start that writes an ISO: mkisofs_cmd when it is
    installed, else xorriso's mkisofs emulation."""
    if shutil.which(mkisofs_cmd):
        return [mkisofs_cmd]
    if shutil.which('xorriso'):
        return ['xorriso', '-as', 'mkisofs']
    raise exception.ConfigDriveBuildFailed(
        reason='neither %s nor xorriso is installed' % mkisofs_cmd)


def _make_iso(tree, image, mkisofs_cmd):
    # -J Joliet and -r Rock Ridge keep the names as written (ISO 9660's
    # own are 8.3 upper case); -l allows long ones in the plain tree too.
    _run(mkisofs_command(mkisofs_cmd) + [
        '-o', image, '-V', LABEL, '-J', '-r', '-l',
        '-input-charset', 'utf-8', '-quiet', tree])


def _make_vfat(tree, image):
    mkfs = shutil.which('mkfs.vfat') or shutil.which(
        'mkfs.vfat', path=os.pathsep.join(_SBIN))
    if not mkfs or not shutil.which('mcopy'):
        raise exception.ConfigDriveBuildFailed(
            reason='a vfat config drive needs mkfs.vfat (dosfstools) and '
                   'mcopy (mtools)')
    # Sparse: the 64 MiB cost the host only what the files fill.
    with open(image, 'wb') as f:
        f.truncate(VFAT_SIZE_BYTES)
    _run([mkfs, '-n', LABEL, image])
    _run(['mcopy', '-s', '-i', image] +
         [os.path.join(tree, name) for name in sorted(os.listdir(tree))] +
         ['::/'])


def _run(argv):
    try:
        proc = subprocess.run(
            argv, capture_output=True, text=True, timeout=TOOL_TIMEOUT,
            # mtools otherwise refuses an image whose geometry it doubts.
            env=dict(os.environ, LC_ALL='C', MTOOLS_SKIP_CHECK='1'))
    except (OSError, subprocess.TimeoutExpired) as err:
        raise exception.ConfigDriveBuildFailed(
            reason='%s: %s' % (argv[0], err))
    if proc.returncode:
        raise exception.ConfigDriveBuildFailed(
            reason='%s exited with %d: %s'
            % (os.path.basename(argv[0]), proc.returncode,
               proc.stderr.strip()[-500:] or 'no message'))
