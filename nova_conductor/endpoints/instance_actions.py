"""The record of what was done to an instance, and when."""

from nova_conductor.db import actions as actions_db


class InstanceActionsEndpoints:
    # (1.0; paging from 1.1)
    def instance_actions_get(self, context, instance_uuid, limit=None,
                             marker=None, changes_since=None,
                             changes_before=None):
        return actions_db.actions_get(instance_uuid, limit, marker,
                                      changes_since, changes_before)

    # (1.0)
    def instance_action_get(self, context, instance_uuid, request_id):
        return actions_db.action_get_by_request_id(instance_uuid, request_id)
