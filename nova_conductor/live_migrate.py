"""Live migration's conductor task (docs/live-migration.md): the
migration record, the destination (the scheduler's choice, or the host
asked for, checked unless forced), the claim there, the computes'
prechecks, then the cast to the source; and the reports of the source's
outcome (nova_compute/live_migration.py's reporter), the API's abort and
force-complete.

Before microversion 2.34 the API waits for the checks (`wait`): a refusal
is its 400. From 2.34 the API answers once the migration is queued and
the checks run here in the background: a refusal is the migration's
'error' and the action's failed event, the server left ACTIVE where it
was.
"""

import logging

from common import exception
from common import migration_states as ms
from common import states
from nova_conductor import build
from nova_conductor.db import compute as compute_db
from nova_conductor.db import instances as instances_db
from nova_conductor.db import live_moves

LOG = logging.getLogger(__name__)
# The compute RPC version that brought live migration.
COMPUTE_VERSION = '1.11'


class LiveMigrator:

    def __init__(self, scheduler_api, compute_api, submit):
        self.scheduler_api = scheduler_api
        self.compute_api = compute_api
        # Runs a function in the background (the conductor's pool).
        self.submit = submit

    def live_migrate(self, ctxt, instance_uuid, host=None,
                     block_migration='auto', force=False, wait=True):
        """Start a live migration of the instance; the migration. With
        `wait`, once the checks passed and the source was told (a refusal
        raised); else once it is queued."""
        instance = instances_db.get(instance_uuid)
        if host is not None:
            if compute_db.service_get_by_host(host) is None:
                raise exception.ComputeHostNotFound(host=host)
            if host == instance.get('host'):
                raise exception.Invalid(
                    'The target host %s is the instance\'s own host.' % host)
        if not self.compute_api.can_send_version(COMPUTE_VERSION):
            raise exception.MigrationPreCheckError(
                reason='live migration needs every compute upgraded')
        instance, migration = live_moves.begin(instance_uuid,
                                               ctxt.to_dict())
        task = (ctxt, instance, migration, host, block_migration, force)
        if wait:
            return self._run(*task, reraise=True)
        self.submit(self._run, *task)
        return migration

    def _run(self, ctxt, instance, migration, host, block_migration, force,
             reraise=False):
        uuid = instance['uuid']
        try:
            return self._checks_and_cast(ctxt, instance, migration, host,
                                         block_migration, force)
        except Exception as error:
            message = getattr(error, 'message', None) or str(error)
            LOG.info('Live migration of %s refused: %s', uuid, message)
            aborted = isinstance(error, exception.LiveMigrationAborted)
            try:
                live_moves.ended_on_source(
                    uuid, migration['uuid'], message,
                    status=ms.CANCELLED if aborted else ms.ERROR,
                    fault=False)
            except Exception:
                LOG.exception('Recording the refusal of %s', uuid)
            if reraise:
                raise
            return None

    def _choices(self, ctxt, instance, host, force):
        if host is not None and force:
            return [live_moves.node_choice(host)]
        spec = build.with_instance_group(
            dict(instance['request_spec'] or {}, flavor=instance['flavor']))
        spec['ignore_hosts'] = [instance['host']]
        spec['force_hosts'] = [host] if host else []
        spec['force_nodes'] = []
        [choices] = self.scheduler_api.select_destinations(
            ctxt, spec, [instance['uuid']])
        return choices

    def _checks_and_cast(self, ctxt, instance, migration, host,
                         block_migration, force):
        uuid = instance['uuid']
        group = ((instance.get('request_spec') or {}).get(
            'scheduler_hints') or {}).get('group')
        for choice in self._choices(ctxt, instance, host, force):
            try:
                instance, migration = live_moves.claim_destination(
                    uuid, migration['uuid'], choice, group)
            except exception.ResourcesUnavailable:
                continue
            break
        else:
            raise exception.NoValidHost(
                reason='Every host chosen was taken before the claim.')
        dest = migration['dest_compute']
        migrate_data = self.compute_api.check_can_live_migrate_destination(
            ctxt, dest, instance, block_migration)
        migration = live_moves.started(uuid, migration['uuid'])
        self.compute_api.live_migration(ctxt, instance['host'], instance,
                                        dest, migrate_data, migration)
        return migration

    # -- the API's requests on a running migration -----------------------

    def _running(self, instance_uuid, migration_id, method):
        instance = instances_db.get(instance_uuid)
        if instance.get('task_state') != states.MIGRATING:
            raise exception.InstanceInvalidState(
                action=method, instance_uuid=instance_uuid,
                attr='task_state', state=instance.get('task_state'))
        return instance, live_moves.get_for_instance(instance_uuid,
                                                     migration_id)

    def abort(self, ctxt, instance_uuid, migration_id, early=False):
        """Abort a running migration (the source's abort); with `early`
        (2.65) also one still queued or preparing here."""
        instance, migration = self._running(instance_uuid, migration_id,
                                            'abort live migration')
        if early and live_moves.cancel_early(instance_uuid,
                                             migration['uuid']):
            return
        if migration['status'] != ms.RUNNING:
            raise exception.InvalidMigrationState(
                migration_id=migration_id, instance_uuid=instance_uuid,
                state=migration['status'], method='abort live migration')
        self.compute_api.live_migration_abort(ctxt, instance['host'],
                                              instance, migration['id'])

    def force_complete(self, ctxt, instance_uuid, migration_id):
        instance, migration = self._running(instance_uuid, migration_id,
                                            'force complete')
        if migration['status'] != ms.RUNNING:
            raise exception.InvalidMigrationState(
                migration_id=migration_id, instance_uuid=instance_uuid,
                state=migration['status'], method='force complete')
        self.compute_api.live_migration_force_complete(
            ctxt, instance['host'], instance)
