"""Rescue, unrescue and trigger_crash_dump (nova-api)."""


class RescueAPI:
    # (1.16)
    def rescue_instance(self, ctxt, instance_uuid, rescue_image_ref=None):
        """Boot the server from a rescue disk, its root disk second:
        400 volume-backed or an unknown image, 409 in a wrong state."""
        return self.call(ctxt, 'rescue_instance', '1.16',
                         instance_uuid=instance_uuid,
                         rescue_image_ref=rescue_image_ref)

    # (1.16)
    def unrescue_instance(self, ctxt, instance_uuid):
        return self.call(ctxt, 'unrescue_instance', '1.16',
                         instance_uuid=instance_uuid)

    # (1.16)
    def trigger_crash_dump(self, ctxt, instance_uuid):
        """Inject an NMI; returns once the compute host did."""
        return self.call(ctxt, 'trigger_crash_dump', '1.16',
                         instance_uuid=instance_uuid)
