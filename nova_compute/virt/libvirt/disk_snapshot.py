"""A copy of an instance's root disk as a standalone qcow2 image, for
snapshots, backups and shelving: `qemu-img convert` from the disk file,
no libvirt snapshot API, so it works on TCG guests and on the test
driver alike.

A running real guest is paused for the copy only (a consistent disk
without a guest agent), and resumed whatever happens. A simulated guest
(test:///) has no disk of its own: its snapshot is the cached base image
it was built from when the host fetched it, else an empty disk of its
flavor's root size, so images made from it can be booted like any.
"""

import contextlib
import os

import libvirt
from oslo_log import log as logging

from common import exception
from common import qemu_img

LOG = logging.getLogger(__name__)


def _convert(source, dest, source_format=None):
    args = ['convert', '-U', '-O', 'qcow2']
    if source_format:
        args[1:1] = ['-f', source_format]
    try:
        qemu_img.qemu_img(*(args + [source, dest]))
    except qemu_img.QemuImgError as err:
        raise exception.HypervisorError(
            reason='cannot copy disk %s: %s' % (source, err))


@contextlib.contextmanager
def paused(dom, uuid):
    """The domain paused while the block runs, if it was running."""
    was_running = False
    try:
        was_running = dom.isActive() and \
            dom.state()[0] == libvirt.VIR_DOMAIN_RUNNING
        if was_running:
            dom.suspend()
    except libvirt.libvirtError as err:
        raise exception.HypervisorError(
            reason='cannot pause %s for its snapshot: %s' % (uuid, err))
    try:
        yield
    finally:
        if was_running:
            try:
                dom.resume()
            except libvirt.libvirtError:
                LOG.exception('Could not resume %s after its snapshot', uuid)


def simulated_source(instance, image_cache, work_dir):
    """What a simulated guest's disk is: its cached base image, or an
    empty qcow2 of its root size made in `work_dir`."""
    image_id = instance.get('image_ref')
    if image_id:
        with contextlib.suppress(exception.NovaException):
            base = image_cache.base_path(image_id)
            if os.path.exists(base):
                return base
    blank = os.path.join(work_dir, 'simulated-disk')
    size_gb = max(int(instance.get('root_gb') or 0), 1)
    image_cache.create_blank(blank, size_gb)
    return blank


def snapshot(instance, inst_dir, dom, is_test, image_cache, dest):
    """Write the instance's root disk to `dest` as qcow2."""
    disk = os.path.join(inst_dir, 'disk')
    if os.path.exists(disk) and not is_test:
        with paused(dom, instance['uuid']):
            _convert(disk, dest, 'qcow2')
        return dest
    if os.path.exists(disk):
        _convert(disk, dest)
        return dest
    if not is_test:
        raise exception.HypervisorError(
            reason='instance %s has no root disk file on this host'
            % instance['uuid'])
    _convert(simulated_source(instance, image_cache,
                              os.path.dirname(dest)), dest)
    return dest
