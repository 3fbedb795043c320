"""Block device mappings: an instance's volumes, their progress as its
compute records it, and attach/detach (nova-api, nova-compute)."""

from nova_conductor import volumes
from nova_conductor.db import block_devices as block_devices_db


class BlockDevicesEndpoints:
    # (1.12)
    def block_devices_get(self, context, instance_uuid):
        return block_devices_db.get_all(instance_uuid)

    # (1.12)
    def block_device_update(self, context, bdm_id, values,
                            expected_status=None):
        return block_devices_db.update(bdm_id, values, expected_status)

    # (1.12)
    def block_device_destroy(self, context, bdm_id):
        block_devices_db.destroy(bdm_id)

    # (1.12)
    def volume_attach(self, context, instance_uuid, volume_id, device=None,
                      tag=None, delete_on_termination=False):
        return volumes.attach(self.compute_api, context, instance_uuid,
                              volume_id, device, tag, delete_on_termination)

    # (1.12)
    def volume_detach(self, context, instance_uuid, volume_id):
        volumes.detach(self.compute_api, context, instance_uuid, volume_id)
