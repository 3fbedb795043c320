"""Rescue, unrescue and trigger_crash_dump (nova_conductor/rescue.py)."""

from nova_conductor import rescue


class RescueEndpoints:
    # (1.16)
    def rescue_instance(self, context, instance_uuid, rescue_image_ref=None):
        return rescue.rescue(self.compute_api, context, instance_uuid,
                             rescue_image_ref)

    # (1.16)
    def unrescue_instance(self, context, instance_uuid):
        return rescue.unrescue(self.compute_api, context, instance_uuid)

    # (1.16)
    def trigger_crash_dump(self, context, instance_uuid):
        return rescue.trigger_crash_dump(self.compute_api, context,
                                         instance_uuid)
