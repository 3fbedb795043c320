"""Admin reports over instances: their moves (os-migrations) and when
they ran (os-simple-tenant-usage)."""

from nova_conductor.db import instance_migrations as migrations_db
from nova_conductor.db import usage as usage_db


class ReportsEndpoints:
    # (1.7)
    def migration_get_all(self, context, filters=None, limit=None,
                          marker=None):
        return migrations_db.get_all(filters, limit, marker)

    # (1.7)
    def instance_usage_get(self, context, start, stop, project_id=None,
                           limit=None, marker=None):
        return usage_db.instances_in_window(start, stop, project_id, limit,
                                            marker)
