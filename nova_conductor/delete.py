"""Delete: start it from any state; the compute host finishes it if it
can be reached, else the conductor does."""

from common import states
from nova_compute import volumes
from nova_conductor import lifecycle
from nova_conductor.db import instance_transitions as transitions_db
from nova_conductor.db import instances as instances_db
from nova_conductor.endpoints import block_devices as \
    block_devices_endpoints


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
    # hypervisor we can reach, so finish here; its volumes are detached
    # (deleted when delete_on_termination) first, as the compute would.
    if volumes.volume_mappings(instance):
        # The conductor's own records, where a compute asks over RPC.
        records = block_devices_endpoints.BlockDevicesEndpoints()
        volumes.Volumes(None, None, records).release_all(context, instance)
    return instances_db.destroy(instance_uuid)
