"""Copying an instance's directory from the source host of a resize or
cold migration: locally when this host can read it (same host, or a
shared instances_path), else over ssh ([libvirt]
remote_filesystem_transport: scp or rsync)."""

import os
import shutil
import subprocess

from common import exception

# A copy that takes longer than this is stuck (a disk is a few GB).
COPY_TIMEOUT = 3600


def remote_command(transport, remote, src, dest):
    """The argv that copies directory `src` of host `remote` into `dest`."""
    ssh = 'ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new'
    if transport == 'rsync':
        return ['rsync', '-a', '--sparse', '-e', ssh,
                '%s:%s/' % (remote, src), dest + '/']
    return ['scp', '-B', '-r', '-p', '-o', 'StrictHostKeyChecking=accept-new',
            '%s:%s/.' % (remote, src), dest]


def copy_instance_dir(disk_info, dest, transport='ssh', run=subprocess.run):
    """Copy the directory `disk_info` names (path, source_host,
    source_ip) to `dest`, replacing what is there; 'local' or 'remote'."""
    src = disk_info['path']
    if os.path.abspath(src) == os.path.abspath(dest):
        raise exception.Invalid(reason='a move cannot copy %s onto itself'
                                % src)
    if os.path.exists(dest):
        shutil.rmtree(dest)
    if os.path.isdir(src):
        try:
            shutil.copytree(src, dest)
        except OSError as err:
            raise exception.HypervisorError(
                reason='cannot copy %s to %s: %s' % (src, dest, err))
        return 'local'
    remote = disk_info.get('source_ip') or disk_info['source_host']
    os.makedirs(dest)
    argv = remote_command(transport, remote, src, dest)
    try:
        run(argv, check=True, capture_output=True, timeout=COPY_TIMEOUT)
    except (OSError, subprocess.SubprocessError) as err:
        shutil.rmtree(dest, ignore_errors=True)
        stderr = getattr(err, 'stderr', b'') or b''
        raise exception.HypervisorError(
            reason='cannot copy %s from %s: %s %s' % (
                src, remote, err, stderr.decode('utf-8', 'replace')[-500:]))
    return 'remote'
