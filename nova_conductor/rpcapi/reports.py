"""Admin reports over instances: their moves (os-migrations) and when
they ran (os-simple-tenant-usage) (nova-api)."""


class ReportsAPI:
    # (1.7)
    def migration_get_all(self, ctxt, filters=None, limit=None,
                          marker=None):
        """Instance moves, newest first; `marker` is a migration uuid."""
        return self.call(ctxt, 'migration_get_all', '1.7', filters=filters,
                         limit=limit, marker=marker)

    # (1.7)
    def instance_usage_get(self, ctxt, start, stop, project_id=None,
                           limit=None, marker=None):
        """Instances that ran between `start` and `stop` (ISO 8601),
        oldest first; `marker` is an instance uuid."""
        return self.call(ctxt, 'instance_usage_get', '1.7', start=start,
                         stop=stop, project_id=project_id, limit=limit,
                         marker=marker)
