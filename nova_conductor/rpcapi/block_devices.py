"""Block device mappings and volume attachments (nova-api, nova-compute)."""


class BlockDevicesAPI:
    # (1.12)
    def block_devices_get(self, ctxt, instance_uuid):
        """The instance's mappings, boot disk first."""
        return self.call(ctxt, 'block_devices_get', '1.12',
                         instance_uuid=instance_uuid)

    # (1.12)
    def block_device_update(self, ctxt, bdm_id, values,
                            expected_status=None):
        """Record a volume's step; UnexpectedBlockDeviceState unless it
        was in `expected_status` (when given)."""
        return self.call(ctxt, 'block_device_update', '1.12', bdm_id=bdm_id,
                         values=values, expected_status=expected_status)

    # (1.12)
    def block_device_destroy(self, ctxt, bdm_id):
        return self.call(ctxt, 'block_device_destroy', '1.12',
                         bdm_id=bdm_id)

    # (1.12)
    def volume_attach(self, ctxt, instance_uuid, volume_id, device=None,
                      tag=None, delete_on_termination=False):
        """Attach a volume to a live instance; its mapping, attached."""
        return self.call(ctxt, 'volume_attach', '1.12',
                         instance_uuid=instance_uuid, volume_id=volume_id,
                         device=device, tag=tag,
                         delete_on_termination=delete_on_termination)

    # (1.12)
    def volume_detach(self, ctxt, instance_uuid, volume_id):
        return self.call(ctxt, 'volume_detach', '1.12',
                         instance_uuid=instance_uuid, volume_id=volume_id)
