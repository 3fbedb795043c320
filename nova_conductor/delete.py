"""Delete: start it from any state; the compute host finishes it if it
can be reached, else the conductor does."""

from common import states
from nova_conductor import lifecycle
from nova_conductor.db import instance_transitions as transitions_db
from nova_conductor.db import instances as instances_db


def delete(compute_api, context, instance_uuid):
    """The instance as the delete left it: deleting on its host, or
    already destroyed."""
    instance = transitions_db.update(instance_uuid,
                                     {'task_state': states.DELETING})
    transitions_db.start_action(instance_uuid, 'delete', context.to_dict())
    if instance['host'] and lifecycle.compute_is_up(instance['host']):
        compute_api.terminate_instance(context, instance['host'], instance)
        return instance
    # Never placed, or its host is down: nothing to clean on a
    # hypervisor we can reach, so finish here.
    return instances_db.destroy(instance_uuid)
