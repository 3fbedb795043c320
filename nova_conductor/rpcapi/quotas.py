"""Projects' quotas and the quota classes behind their defaults
(nova-api)."""


class QuotasAPI:
    # (1.0)
    def quota_get(self, ctxt, project_id):
        """{'limits': {...}, 'usage': {...}} of a project."""
        return self.call(ctxt, 'quota_get', '1.0', project_id=project_id)

    # (1.0)
    def quota_defaults(self, ctxt):
        return self.call(ctxt, 'quota_defaults', '1.0')

    # (1.0)
    def quota_update(self, ctxt, project_id, limits):
        return self.call(ctxt, 'quota_update', '1.0', project_id=project_id,
                         limits=limits)

    # (1.0)
    def quota_reset(self, ctxt, project_id):
        return self.call(ctxt, 'quota_reset', '1.0', project_id=project_id)

    # (1.7)
    def quota_class_get(self, ctxt, class_name):
        """{resource: limit} of a quota class ('default': every project's
        defaults)."""
        return self.call(ctxt, 'quota_class_get', '1.7',
                         class_name=class_name)

    # (1.7)
    def quota_class_update(self, ctxt, class_name, limits):
        return self.call(ctxt, 'quota_class_update', '1.7',
                         class_name=class_name, limits=limits)
