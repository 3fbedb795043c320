"""The record of what was done to an instance, and when
(os-instance-actions) (nova-api)."""


class InstanceActionsAPI:
    # (1.0; 1.1 with paging)
    def instance_actions_get(self, ctxt, instance_uuid, limit=None,
                             marker=None, changes_since=None,
                             changes_before=None):
        """Newest first; `marker` is a request id (MarkerNotFound)."""
        paging = {k: v for k, v in (
            ('limit', limit), ('marker', marker),
            ('changes_since', changes_since),
            ('changes_before', changes_before)) if v is not None}
        return self.call(ctxt, 'instance_actions_get',
                         '1.1' if paging else '1.0',
                         instance_uuid=instance_uuid, **paging)

    # (1.0)
    def instance_action_get(self, ctxt, instance_uuid, request_id):
        return self.call(ctxt, 'instance_action_get', '1.0',
                         instance_uuid=instance_uuid, request_id=request_id)
