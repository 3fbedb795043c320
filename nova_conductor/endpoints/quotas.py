"""Projects' quotas and the quota classes behind their defaults."""

from nova_conductor.db import quotas as quotas_db


class QuotasEndpoints:
    # (1.0)
    def quota_get(self, context, project_id):
        return {'limits': quotas_db.limits(project_id),
                'usage': quotas_db.usage(project_id)}

    # (1.0)
    def quota_defaults(self, context):
        return quotas_db.defaults()

    # (1.0)
    def quota_update(self, context, project_id, limits):
        return quotas_db.update(project_id, limits)

    # (1.0)
    def quota_reset(self, context, project_id):
        return quotas_db.reset(project_id)

    # (1.7)
    def quota_class_get(self, context, class_name):
        return quotas_db.class_get(class_name)

    # (1.7)
    def quota_class_update(self, context, class_name, limits):
        return quotas_db.class_update(class_name, limits)
