"""Live migration: what the API asks (start, abort, force-complete) and
what the source compute reports (nova-api, nova-compute)."""


class LiveMigrationsAPI:
    # (1.18)
    def live_migrate_instance(self, ctxt, instance_uuid, host=None,
                              block_migration='auto', force=False,
                              wait=True):
        """Start one; the migration. `wait`: once the checks passed (a
        refusal raised), else once queued."""
        return self.call(ctxt, 'live_migrate_instance', '1.18',
                         instance_uuid=instance_uuid, host=host,
                         block_migration=block_migration, force=force,
                         wait=wait)

    # (1.18)
    def live_migration_abort(self, ctxt, instance_uuid, migration_id,
                             early=False):
        return self.call(ctxt, 'live_migration_abort', '1.18',
                         instance_uuid=instance_uuid,
                         migration_id=migration_id, early=early)

    # (1.18)
    def live_migration_force_complete(self, ctxt, instance_uuid,
                                      migration_id):
        return self.call(ctxt, 'live_migration_force_complete', '1.18',
                         instance_uuid=instance_uuid,
                         migration_id=migration_id)

    # (1.18)
    def live_migration_progress(self, ctxt, migration_uuid, stats):
        """libvirt's job statistics: the migration's byte counters."""
        self.cast(ctxt, 'live_migration_progress', '1.18',
                  migration_uuid=migration_uuid, stats=stats)

    # (1.18)
    def live_migration_succeeded(self, ctxt, instance_uuid, migration_uuid,
                                 host, node, power_state=None):
        return self.call(ctxt, 'live_migration_succeeded', '1.18',
                         instance_uuid=instance_uuid,
                         migration_uuid=migration_uuid, host=host,
                         node=node, power_state=power_state)

    # (1.18)
    def live_migration_failed(self, ctxt, instance_uuid, migration_uuid,
                              message=None, details=None, aborted=False,
                              host=None):
        return self.call(ctxt, 'live_migration_failed', '1.18',
                         instance_uuid=instance_uuid,
                         migration_uuid=migration_uuid, message=message,
                         details=details, aborted=aborted, host=host)
