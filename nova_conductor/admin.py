"""The conductor's admin reports and quota classes (RPC 1.7): thin
endpoint methods over db/, mixed into ConductorManager."""

from nova_conductor.db import instance_migrations as migrations_db
from nova_conductor.db import quotas as quotas_db
from nova_conductor.db import usage as usage_db


class AdminEndpoints:

    def quota_class_get(self, context, class_name):
        return quotas_db.class_get(class_name)

    def quota_class_update(self, context, class_name, limits):
        return quotas_db.class_update(class_name, limits)

    def migration_get_all(self, context, filters=None, limit=None,
                          marker=None):
        return migrations_db.get_all(filters, limit, marker)

    def instance_usage_get(self, context, start, stop, project_id=None,
                           limit=None, marker=None):
        return usage_db.instances_in_window(start, stop, project_id, limit,
                                            marker)
