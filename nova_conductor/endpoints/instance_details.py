"""Instances' metadata, lock and tags."""

from nova_conductor.db import instance_details as details_db


class InstanceDetailsEndpoints:
    # (1.1)
    def instance_set_metadata(self, context, instance_uuid, metadata,
                              replace=False):
        return details_db.set_metadata(instance_uuid, metadata, replace)

    # (1.1)
    def instance_delete_metadata_key(self, context, instance_uuid, key):
        return details_db.delete_metadata_key(instance_uuid, key)

    # (1.1)
    def instance_set_lock(self, context, instance_uuid, locked_by,
                          reason=None, by_admin=False):
        return details_db.set_lock(instance_uuid, locked_by, reason,
                                   by_admin)

    # (1.1)
    def instance_set_tags(self, context, instance_uuid, tags, add=(),
                          remove=()):
        return details_db.set_tags(instance_uuid, tags, add, remove)
