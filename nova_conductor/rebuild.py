"""Rebuild: recreate an instance on its own host from an image."""

from common import exception
from common import glance_client
from common import states
from nova_compute import volumes
from nova_conductor import image_lookup
from nova_conductor import lifecycle
from nova_conductor.db import instance_transitions as transitions_db
from nova_conductor.db import instances as instances_db


def rebuild(compute_api, context, instance_uuid, image_id, values=None):
    """Start the rebuild (409 when the state forbids it) and hand it to
    the instance's compute host; the instance as it then is."""
    instance = instances_db.get(instance_uuid)
    lifecycle.check_host(instance, 'rebuild')
    if volumes.is_volume_backed(instance):
        # Its root disk is the volume: a new image would mean rewriting
        # the user's volume (Nova's 2.93), which is not done here.
        raise exception.Invalid(
            'Rebuilding a volume-backed server is not supported.')
    image = image_lookup.get(image_id)
    # The spec follows the new image, so a later evacuation recreates
    # this image and the scheduler sees its properties.
    spec = dict(instance['request_spec'] or {},
                image=glance_client.spec_image(image))
    values = dict(values or {}, image_ref=image_id, request_spec=spec)
    instance = transitions_db.begin_task(
        instance_uuid, 'rebuild', states.REBUILDING,
        lifecycle.REBUILD_VM_STATES, (None,), context.to_dict(), values)
    compute_api.rebuild_instance(context, instance['host'], instance, image)
    return instance
