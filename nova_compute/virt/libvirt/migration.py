"""The libvirt driver's part of a resize or cold migration: the source
powers off and sets its directory aside as <uuid>_resize; the target
copies it in, grows the root disk and defines the domain with the new
flavor; a revert renames <uuid>_resize back; a confirm removes it."""

import os
import shutil

from oslo_log import log as logging

from common import exception
from common import qemu_img
from nova_compute.virt.libvirt import disk_transfer

LOG = logging.getLogger(__name__)
RESIZE_SUFFIX = '_resize'


class MigrationMixin:
    """Mixed into LibvirtDriver (driver.py)."""

    def _resize_dir(self, uuid):
        return self._instance_dir(uuid) + RESIZE_SUFFIX

    def migrate_disk_and_power_off(self, instance, dest_host, timeout=0):
        """Stop and undefine the domain here, keeping its files as
        <uuid>_resize; what the target needs to copy them."""
        uuid = instance['uuid']
        inst_dir, aside = self._instance_dir(uuid), self._resize_dir(uuid)
        dom = self.host.lookup(uuid)
        if dom is not None:
            self.power_off(instance, timeout)
            self._undefine(dom)
        with self._lock:
            self._simulated_disks.pop(uuid, None)
        try:
            if os.path.exists(aside):
                # Left by an earlier move that failed half way.
                shutil.rmtree(aside)
            if os.path.exists(inst_dir):
                os.rename(inst_dir, aside)
            else:
                os.makedirs(aside)
        except OSError as err:
            raise exception.HypervisorError(
                reason='cannot set %s aside: %s' % (inst_dir, err))
        LOG.info('Powered off %s and set its files aside for %s', uuid,
                 dest_host)
        return {'source_host': self._conf.host,
                'source_ip': getattr(self._conf, 'my_ip', None),
                'path': aside}

    def finish_migration(self, instance, disk_info, image, network_info,
                         power_on=True):
        """Copy the source's files here, grow the root disk to the new
        flavor's and start the domain (defined stopped, if not
        power_on)."""
        inst_dir = self._instance_dir(instance['uuid'])
        disk_transfer.copy_instance_dir(
            disk_info, inst_dir,
            self._conf.libvirt.remote_filesystem_transport)
        if not self.host.is_test and self._rbd_disks() is None:
            self._grow_root(instance, image or {}, inst_dir)
        self.spawn(instance, image or {}, network_info, reuse_disks=True)
        if not power_on:
            self.power_off(instance, 0)

    def _grow_root(self, instance, image, inst_dir):
        root = os.path.join(inst_dir, 'disk')
        root_gb = int(instance.get('root_gb') or 0)
        if not os.path.exists(root):
            return
        if image.get('id'):
            # An overlay's backing file must be in this host's cache.
            self._image_cache.fetch_disk(image, root_gb)
        try:
            if root_gb and int(qemu_img.info(root)['virtual-size']) < \
                    root_gb * 1024 ** 3:
                qemu_img.qemu_img('resize', root, '%dG' % root_gb)
        except qemu_img.QemuImgError as err:
            raise exception.HypervisorError(
                reason='cannot grow %s to %d GB: %s' % (root, root_gb, err))

    def finish_revert_migration(self, instance, image, network_info,
                                power_on=True):
        """Bring back the files set aside here and start the instance
        with them (its old flavor)."""
        uuid = instance['uuid']
        inst_dir, aside = self._instance_dir(uuid), self._resize_dir(uuid)
        dom = self.host.lookup(uuid)
        if dom is not None:
            # A same-host move: the target's domain is this host's.
            self._stop_hard(dom)
            self._undefine(dom)
        if os.path.exists(aside):
            if os.path.exists(inst_dir):
                shutil.rmtree(inst_dir)
            os.rename(aside, inst_dir)
        self.spawn(instance, image or {}, network_info, reuse_disks=True)
        if not power_on:
            self.power_off(instance, 0)

    def confirm_migration(self, instance):
        """Remove what the source kept for a revert."""
        aside = self._resize_dir(instance['uuid'])
        try:
            shutil.rmtree(aside)
        except FileNotFoundError:
            pass
