"""Instances' metadata, lock and tags (nova-api)."""


class InstanceDetailsAPI:
    # (1.1)
    def instance_set_metadata(self, ctxt, instance_uuid, metadata,
                              replace=False):
        """Merge (or replace) under the row lock; the new metadata."""
        return self.call(ctxt, 'instance_set_metadata', '1.1',
                         instance_uuid=instance_uuid, metadata=metadata,
                         replace=replace)

    # (1.1)
    def instance_delete_metadata_key(self, ctxt, instance_uuid, key):
        return self.call(ctxt, 'instance_delete_metadata_key', '1.1',
                         instance_uuid=instance_uuid, key=key)

    # (1.1)
    def instance_set_lock(self, ctxt, instance_uuid, locked_by, reason=None,
                          by_admin=False):
        """locked_by 'owner'/'admin' locks; None unlocks."""
        return self.call(ctxt, 'instance_set_lock', '1.1',
                         instance_uuid=instance_uuid, locked_by=locked_by,
                         reason=reason, by_admin=by_admin)

    # (1.1)
    def instance_set_tags(self, ctxt, instance_uuid, tags, add=(),
                          remove=()):
        """Replace (tags not None), then add and remove; the new tags."""
        return self.call(ctxt, 'instance_set_tags', '1.1',
                         instance_uuid=instance_uuid, tags=tags,
                         add=list(add), remove=list(remove))
