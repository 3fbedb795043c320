"""Server groups (nova-api)."""


class ServerGroupsAPI:
    # (1.0)
    def server_group_create(self, ctxt, name, policy, rules=None):
        return self.call(ctxt, 'server_group_create', '1.0', name=name,
                         policy=policy, rules=rules)

    # (1.0)
    def server_group_get(self, ctxt, group_uuid):
        return self.call(ctxt, 'server_group_get', '1.0',
                         group_uuid=group_uuid)

    # (1.0)
    def server_group_get_all(self, ctxt, project_id=None):
        return self.call(ctxt, 'server_group_get_all', '1.0',
                         project_id=project_id)

    # (1.0)
    def server_group_delete(self, ctxt, group_uuid):
        return self.call(ctxt, 'server_group_delete', '1.0',
                         group_uuid=group_uuid)
