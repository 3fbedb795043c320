"""Volumes attached to and detached from a live instance (the API's
os-volume_attachments): the mapping is recorded here, its compute host
does the work (nova_compute/volumes.py)."""

from common import exception
from common import states
from nova_conductor import lifecycle
from nova_conductor.db import block_devices as block_devices_db
from nova_conductor.db import instances as instances_db

# Where a volume may be attached or detached (Nova's, for what exists here).
ATTACH_VM_STATES = (states.ACTIVE, states.PAUSED, states.STOPPED)
# The most volumes one instance may have (its devices vdb..vdz).
MAX_VOLUMES = 24


def _live_instance(instance_uuid, action):
    instance = instances_db.get(instance_uuid)
    lifecycle.check_host(instance, action)
    if instance['vm_state'] not in ATTACH_VM_STATES or \
            instance['task_state'] is not None:
        raise exception.InstanceInvalidState(
            action=action, instance_uuid=instance_uuid,
            attr='vm_state/task_state', state='%s/%s' % (
                instance['vm_state'], instance['task_state']))
    return instance


def attach(compute_api, context, instance_uuid, volume_id, device=None,
           tag=None, delete_on_termination=False):
    """Record the new mapping and have the compute connect it; the
    mapping as attached. 409 when the instance cannot take it now."""
    instance = _live_instance(instance_uuid, 'attach_volume')
    volumes = [m for m in instance['block_device_mappings']
               if m['destination_type'] == 'volume']
    if any(m['volume_id'] == volume_id for m in volumes):
        raise exception.Conflict(
            reason='volume %s is attached to instance %s already'
            % (volume_id, instance_uuid))
    if len(volumes) >= MAX_VOLUMES:
        raise exception.Conflict(
            reason='instance %s has %d volumes, the most it may have'
            % (instance_uuid, MAX_VOLUMES))
    bdm = block_devices_db.add(instance_uuid, {
        'source_type': 'volume', 'destination_type': 'volume',
        'uuid': volume_id, 'boot_index': None, 'device_type': 'disk',
        'device_name': None, 'tag': tag,
        'delete_on_termination': delete_on_termination})
    try:
        return compute_api.attach_volume(context, instance['host'],
                                         instance, bdm)
    except Exception:
        # The compute undoes what it did; a mapping it never saw goes.
        try:
            current = [m for m in block_devices_db.get_all(instance_uuid)
                       if m['id'] == bdm['id']]
            if current and current[0]['status'] == 'new':
                block_devices_db.destroy(bdm['id'])
        except exception.NovaException:
            pass
        raise


def detach(compute_api, context, instance_uuid, volume_id):
    """Have the compute unplug and detach the volume (the mapping goes)."""
    instance = _live_instance(instance_uuid, 'detach_volume')
    for bdm in instance['block_device_mappings']:
        if bdm['volume_id'] == volume_id and \
                bdm['destination_type'] == 'volume':
            break
    else:
        raise exception.VolumeNotFound(volume_id=volume_id)
    if bdm['boot_index'] == 0:
        raise exception.Invalid(
            reason='Cannot detach a root device volume')
    # 'detaching': a detach that failed half way is tried again.
    bdm = block_devices_db.update(bdm['id'], {'status': 'detaching'},
                                  expected_status=('attached', 'error',
                                                   'detaching'))
    compute_api.detach_volume(context, instance['host'], instance, bdm)
