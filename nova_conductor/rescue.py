"""Rescue, unrescue and trigger_crash_dump: which states allow them, and
the hand-off to the instance's compute host.

Rescue boots the guest from a rescue disk (the rescue image, or the
instance's own image) with its root disk attached second, so its owner
can repair it; unrescue brings the original guest back. Both are casts,
as the other lifecycle operations: the API answers once the task_state
is set. A crash dump is an NMI the guest's kernel answers; it is a call,
so the API answers 202 only once the compute host injected it.
"""

from common import exception
from common import states
from nova_compute import volumes
from nova_conductor import image_lookup
from nova_conductor import lifecycle
from nova_conductor.db import actions as actions_db
from nova_conductor.db import instance_transitions as transitions_db
from nova_conductor.db import instances as instances_db
from nova_conductor.db import session

# As Nova: a stopped or broken server may be rescued too (that is what
# rescue is for); it comes back ACTIVE from unrescue.
RESCUE_VM_STATES = (states.ACTIVE, states.STOPPED, states.ERROR)
CRASH_DUMP_VM_STATES = (states.ACTIVE, states.PAUSED, states.RESCUED,
                        states.ERROR)
CRASH_DUMP_EVENT = 'compute_trigger_crash_dump'


def rescue(compute_api, context, instance_uuid, rescue_image_ref=None):
    """Start the rescue (409 when the state forbids it, 400 for a
    volume-backed server or an unknown rescue image) and cast it to the
    instance's host; the instance as it then is."""
    instance = instances_db.get(instance_uuid)
    lifecycle.check_host(instance, 'rescue')
    if volumes.is_volume_backed(instance):
        # Its root disk is a volume; Nova's stable device rescue (2.87,
        # hw_rescue_device image properties) is not done here.
        raise exception.InstanceNotRescuable(
            instance_id=instance_uuid,
            reason='Cannot rescue a volume-backed instance')
    image_id = rescue_image_ref or instance.get('image_ref')
    if not image_id:
        raise exception.InstanceNotRescuable(
            instance_id=instance_uuid,
            reason='it has no image and no rescue_image_ref was given')
    try:
        image = image_lookup.get(image_id)
    except exception.ImageNotFound:
        raise exception.InstanceNotRescuable(
            instance_id=instance_uuid,
            reason='image %s could not be found' % image_id)
    instance = transitions_db.begin_task(
        instance_uuid, 'rescue', states.RESCUING, RESCUE_VM_STATES, (None,),
        context.to_dict())
    compute_api.rescue_instance(context, instance['host'], instance, image)
    return instance


def unrescue(compute_api, context, instance_uuid):
    """Start the unrescue of a RESCUED instance (409 otherwise)."""
    instance = instances_db.get(instance_uuid)
    lifecycle.check_host(instance, 'unrescue')
    instance = transitions_db.begin_task(
        instance_uuid, 'unrescue', states.UNRESCUING, (states.RESCUED,),
        (None,), context.to_dict())
    compute_api.unrescue_instance(context, instance['host'], instance)
    return instance


def trigger_crash_dump(compute_api, context, instance_uuid):
    """Have the compute host inject an NMI into the running guest: 409
    unless it is running with no task under way; its instance action
    (one event) tells how it went."""
    instance = instances_db.get(instance_uuid)
    lifecycle.check_host(instance, 'trigger_crash_dump')
    for attr, allowed in (('vm_state', CRASH_DUMP_VM_STATES),
                          ('task_state', (None,))):
        if instance[attr] not in allowed:
            raise exception.InstanceInvalidState(
                action='trigger_crash_dump', instance_uuid=instance_uuid,
                attr=attr, state=instance[attr])
    if instance['power_state'] != states.RUNNING:
        raise exception.InstanceNotReady(instance_id=instance_uuid)
    transitions_db.start_action(instance_uuid, 'trigger_crash_dump',
                                context.to_dict(), CRASH_DUMP_EVENT)
    try:
        compute_api.trigger_crash_dump(context, instance['host'], instance)
    except Exception as error:
        _finish(instance_uuid, instance['host'], 'Error',
                getattr(error, 'message', None) or str(error))
        raise
    _finish(instance_uuid, instance['host'], 'Success')


def _finish(instance_uuid, host, result, traceback=None):
    with session.writer() as s:
        actions_db.record_step(s, instance_uuid, None, result=result,
                               host=host, traceback=traceback,
                               finish_action=True)
