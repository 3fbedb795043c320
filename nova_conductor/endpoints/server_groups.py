"""Server groups."""

from nova_conductor.db import server_groups as server_groups_db


class ServerGroupsEndpoints:
    # (1.0)
    def server_group_create(self, context, name, policy, rules=None):
        return server_groups_db.create(name, policy, rules,
                                       context.project_id, context.user_id)

    # (1.0)
    def server_group_get(self, context, group_uuid):
        return server_groups_db.get(group_uuid)

    # (1.0)
    def server_group_get_all(self, context, project_id=None):
        return server_groups_db.get_all(project_id)

    # (1.0)
    def server_group_delete(self, context, group_uuid):
        return server_groups_db.delete(group_uuid)
