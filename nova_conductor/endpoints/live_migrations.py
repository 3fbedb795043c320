"""Live migration: the API's requests go to live_migrate.py, the source
compute's reports (its MigrationReporter) to db/live_moves.py."""

from common import migration_states as ms
from nova_conductor.db import live_moves


class LiveMigrationsEndpoints:
    # (1.18)
    def live_migrate_instance(self, context, instance_uuid, host=None,
                              block_migration='auto', force=False,
                              wait=True):
        return self.live_migrator.live_migrate(
            context, instance_uuid, host, block_migration, force, wait)

    # (1.18)
    def live_migration_abort(self, context, instance_uuid, migration_id,
                             early=False):
        return self.live_migrator.abort(context, instance_uuid,
                                        migration_id, early)

    # (1.18)
    def live_migration_force_complete(self, context, instance_uuid,
                                      migration_id):
        return self.live_migrator.force_complete(context, instance_uuid,
                                                 migration_id)

    # (1.18)
    def live_migration_progress(self, context, migration_uuid, stats):
        live_moves.progress(migration_uuid, stats)

    # (1.18)
    def live_migration_succeeded(self, context, instance_uuid,
                                 migration_uuid, host, node,
                                 power_state=None):
        return live_moves.succeeded(instance_uuid, migration_uuid, host,
                                    node, power_state)

    # (1.18)
    def live_migration_failed(self, context, instance_uuid, migration_uuid,
                              message=None, details=None, aborted=False,
                              host=None):
        return live_moves.ended_on_source(
            instance_uuid, migration_uuid, message, details,
            status=ms.CANCELLED if aborted else ms.FAILED,
            fault=not aborted, host=host)
