"""An instance's Cinder volumes on this host: made, connected, released.

Each volume mapping moves through the statuses the conductor records
(nova_conductor/db/block_devices.py), every step written before the next
Cinder call, so that a build, attach or delete interrupted anywhere is
finished from what was recorded, by this host after a restart or by the
next attempt:

    new --(volume made from the image / blank, or the user's)--> creating
    creating --(attachment created: the volume is reserved)--> attaching
    attaching --(connected with this host's connector, plugged into the
                 domain, attachment completed)--> attached
    attached --> detaching --(unplugged, attachment deleted; volume
                 deleted when delete_on_termination)--> row removed

A step sent again finds Cinder where the first left it: an attachment
created whose id was not recorded is found again by instance and volume.
"""

import logging

from common import cinder_client
from common import exception
from common.conf import CONF
from nova_compute.virt import configdrive

LOG = logging.getLogger(__name__)

# How long a volume made for an instance may take to become available
# (Cinder copies the image into it).
CREATE_TIMEOUT = 300
# Cinder's statuses of a volume that can be attached to us.
ATTACHABLE = ('available',)


def is_volume(bdm):
    return bdm.get('destination_type') == 'volume'


def volume_mappings(instance):
    return [m for m in instance.get('block_device_mappings') or ()
            if is_volume(m)]


def is_volume_backed(instance):
    return any(m.get('boot_index') == 0 for m in volume_mappings(instance))


def local_disk_count(instance, conf=CONF):
    """How many virtio disks of the host come before the volumes: the
    image's root disk, the ephemeral disk, a vfat config drive."""
    count = 0 if is_volume_backed(instance) else 1
    if int(instance.get('ephemeral_gb') or 0):
        count += 1
    if configdrive.required(instance, conf) and \
            conf.config_drive_format != 'iso9660':
        count += 1
    return count


def device_name(instance, mappings, bdm, conf=CONF):
    """The guest device of a volume: vda for a boot volume, else the
    first vdX after the local disks no other volume holds."""
    if bdm.get('boot_index') == 0:
        return 'vda'
    taken = {m.get('device_name') for m in mappings
             if m.get('id') != bdm.get('id')}
    first = local_disk_count(instance, conf) + (
        1 if is_volume_backed(instance) else 0)
    for index in range(first, 26):
        name = 'vd' + chr(ord('a') + index)
        if name not in taken:
            return name
    raise exception.Invalid(reason='no free device name for another '
                                   'volume on instance %s' % instance['uuid'])


class Volumes:

    def __init__(self, host, driver, conductor_api, cinder=None, ip=None):
        self.host = host
        self.driver = driver
        self.conductor = conductor_api
        self.cinder = cinder or cinder_client.CinderClient(CONF)
        self.ip = ip or CONF.my_ip

    def connector(self):
        return self.driver.volume_connector(self.host, self.ip)

    def _record(self, ctxt, bdm, expected, **values):
        return self.conductor.block_device_update(
            ctxt, bdm['id'], values, expected_status=expected)

    # -- making and connecting ---------------------------------------------

    def prepare(self, ctxt, instance):
        """Bring each volume of a building instance to attached (made,
        reserved, connected); the mappings as they then are. The domain
        is defined with them by spawn."""
        mappings = volume_mappings(instance)
        done = []
        for bdm in mappings:
            done.append(self.connect(ctxt, instance, bdm, mappings))
        return done

    def connect(self, ctxt, instance, bdm, mappings=(), plug=None):
        """Take one mapping from where it is to attached. `plug`, for a
        live instance, puts the disk into its domain before the
        attachment is completed."""
        if bdm['status'] == 'new':
            bdm = self._make_volume(ctxt, instance, bdm)
        if bdm['status'] == 'creating':
            bdm = self._reserve(ctxt, instance, bdm)
        if bdm['status'] == 'attaching':
            connection = self.cinder.attachment_update(
                ctxt, bdm['attachment_id'], self.connector())
            name = bdm.get('device_name') or device_name(
                instance, mappings, bdm)
            bdm = dict(bdm, connection_info=connection['connection_info'],
                       device_name=name, disk_bus=bdm.get('disk_bus') or
                       'virtio')
            if plug is not None:
                plug(bdm)
            self.cinder.attachment_complete(ctxt, bdm['attachment_id'])
            bdm = self._record(ctxt, bdm, 'attaching', status='attached',
                               connection_info=bdm['connection_info'],
                               device_name=name, disk_bus=bdm['disk_bus'])
        if bdm['status'] != 'attached':
            raise exception.UnexpectedBlockDeviceState(
                bdm_id=bdm['id'], expected='attached', actual=bdm['status'])
        return bdm

    def _make_volume(self, ctxt, instance, bdm):
        """new -> creating: the volume exists (the user's, or made now
        from the image or blank; its id recorded before anything waits
        on it)."""
        if bdm.get('volume_id'):
            return self._record(ctxt, bdm, 'new', status='creating',
                                volume_id=bdm['volume_id'])
        zone = None if CONF.cinder.cross_az_attach else \
            instance.get('availability_zone')
        volume = self.cinder.create(
            ctxt, bdm['volume_size'],
            name='%s-%s' % (instance.get('display_name') or 'instance',
                            'boot' if bdm.get('boot_index') == 0
                            else 'disk')[:255],
            image_id=bdm['uuid'] if bdm['source_type'] == 'image' else None,
            availability_zone=zone, volume_type=bdm.get('volume_type'))
        return self._record(ctxt, bdm, 'new', status='creating',
                            volume_id=volume['id'])

    def _reserve(self, ctxt, instance, bdm):
        """creating -> attaching: the volume is available and an
        attachment reserves it for the instance (or the one a previous
        attempt made, found again)."""
        volume = self.cinder.wait_for_status(
            ctxt, bdm['volume_id'], ATTACHABLE + ('reserved', 'attaching',
                                                  'in-use'),
            CREATE_TIMEOUT)
        attachment = self._existing_attachment(ctxt, instance, volume)
        if attachment is None:
            if volume['status'] not in ATTACHABLE:
                raise exception.Conflict(
                    reason='volume %s is %s, not available'
                    % (volume['id'], volume['status']))
            attachment = self.cinder.attachment_create(
                ctxt, bdm['volume_id'], instance['uuid'])
        return self._record(ctxt, bdm, 'creating', status='attaching',
                            attachment_id=attachment['id'])

    @staticmethod
    def _existing_attachment(ctxt, instance, volume):
        """An attachment of the volume to this instance made by an earlier
        attempt whose id was never recorded."""
        for attachment in volume.get('attachments') or ():
            if attachment.get('server_id') == instance['uuid']:
                return {'id': attachment.get('attachment_id')}
        return None

    # -- releasing ---------------------------------------------------------

    def disconnect(self, ctxt, bdm, unplug=None):
        """Undo an attachment but keep the volume (a failed build, to be
        tried on another host): back to creating."""
        if bdm['status'] in ('attaching', 'attached', 'detaching') and \
                bdm.get('attachment_id'):
            if unplug is not None:
                unplug(bdm)
            self.cinder.attachment_delete(ctxt, bdm['attachment_id'])
        if bdm['status'] != 'new':
            return self._record(ctxt, bdm, None, status='creating',
                                attachment_id=None, connection_info=None)
        return bdm

    def release(self, ctxt, bdm, unplug=None, delete_volume=None):
        """Detach the volume (and delete it when the mapping says so, or
        `delete_volume`), then forget the mapping."""
        if bdm['status'] != 'detaching':
            bdm = self._record(ctxt, bdm, None, status='detaching')
        if bdm.get('attachment_id'):
            if unplug is not None:
                unplug(bdm)
            self.cinder.attachment_delete(ctxt, bdm['attachment_id'])
        wanted = bdm.get('delete_on_termination') if delete_volume is None \
            else delete_volume
        if wanted and bdm.get('volume_id'):
            try:
                self.cinder.wait_for_status(
                    ctxt, bdm['volume_id'], ('available', 'error'), 60)
                self.cinder.delete(ctxt, bdm['volume_id'])
            except exception.VolumeNotFound:
                pass
        self.conductor.block_device_destroy(ctxt, bdm['id'])

    def release_all(self, ctxt, instance):
        """Every volume of a deleted instance: detached, and deleted when
        delete_on_termination. The first failure stops the delete, so
        nothing is forgotten while still attached."""
        for bdm in self.conductor.block_devices_get(ctxt, instance['uuid']):
            if is_volume(bdm):
                self.release(ctxt, bdm)
