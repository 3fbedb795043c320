"""Live migration on the compute side: the steps each host runs, and how
their outcome is reported.

Who calls what (Nova's order; every message goes through
nova_compute/rpcapi.py, version 1.11):

  conductor -> dest    check_can_live_migrate_destination (call)
  dest -> source         check_can_live_migrate_source (call)
  conductor -> source  live_migration (cast), on the source's build pool:
  source -> dest         pre_live_migration (call)
  source                 the migration itself, watched until done
  source -> dest         post_live_migration_at_destination (call)
                         or, on failure, rollback_live_migration_at_destination
                         (cast)
  API/conductor -> source  live_migration_abort, live_migration_force_complete
                         (casts, while it runs)

The instance is expected in task_state `migrating` (set by whoever starts
the migration) and leaves it through the reporter.

The reporter is the one seam to the conductor's live-migration task
(nova_conductor/live_migrate.py): `MigrationReporter` below reports with
its conductor methods (1.18) when the cast carried a migration record:
the record's status and counters, the instance's host and the claims
move together.
"""

import logging
import traceback

from common import context as nova_context
from common import exception
from common import states

LOG = logging.getLogger(__name__)


class MigrationReporter:
    """Reporting through the conductor. With a migration record (the
    conductor's task passes one, conductor RPC 1.18) its live-migration
    reports move the record, the instance and the allocations together
    (nova_conductor/db/live_moves.py); without one (an instance found
    migrating at start) the instance record alone.
    """

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    def progress(self, ctxt, instance, migration, percent, stats):
        """A running migration's progress (percent of data copied) and
        libvirt's job statistics: the record's byte counters."""
        LOG.debug('Live migration of %s: %s%% (%s)', instance['uuid'],
                  percent, stats)
        if migration:
            self.conductor.live_migration_progress(
                ctxt, migration['uuid'],
                {k: v for k, v in (stats or {}).items()
                 if k.startswith(('memory_', 'disk_'))})

    def succeeded(self, ctxt, instance, migration, host, node, power_state):
        """The guest runs on `host` now: the instance's record says so."""
        if migration:
            self.conductor.live_migration_succeeded(
                ctxt, instance['uuid'], migration['uuid'], host, node,
                power_state)
            return
        self.conductor.instance_task_done(
            ctxt, instance['uuid'],
            {'host': host, 'node': node, 'power_state': power_state,
             'vm_state': instance.get('vm_state') or states.ACTIVE},
            states.MIGRATING, host=host)

    def failed(self, ctxt, instance, migration, message, details=None,
               aborted=False):
        """The guest stayed on the source: the task ends there; a failure
        (not an abort) leaves a fault."""
        if migration:
            self.conductor.live_migration_failed(
                ctxt, instance['uuid'], migration['uuid'], message,
                details, aborted, instance.get('host'))
            return
        self.conductor.instance_task_done(
            ctxt, instance['uuid'],
            {'vm_state': instance.get('vm_state') or states.ACTIVE},
            states.MIGRATING, failed=not aborted, message=message,
            details=details, host=instance.get('host'))


class LiveMigrations:
    """The compute manager's live-migration methods, one host's side."""

    def __init__(self, manager, reporter=None):
        self.manager = manager
        self.reporter = reporter or MigrationReporter(manager.conductor)

    @property
    def steps(self):
        return self.manager.driver.live_migration_steps()

    @property
    def compute(self):
        return self.manager.compute_api

    # -- destination ----------------------------------------------------------

    def check_destination(self, ctxt, instance, block_migration):
        steps = self.steps
        data = steps.check_destination(instance, block_migration)
        try:
            return self.compute.check_can_live_migrate_source(
                ctxt, instance['host'], instance, data)
        finally:
            steps.cleanup_destination_check(data)

    def pre_live_migration(self, ctxt, instance, migrate_data):
        image = self.manager._spec_image(instance)
        network_info = []
        if instance.get('fixed_ips'):
            # Idempotent: the address the instance holds already.
            network_info.append(self.manager.conductor.allocate_fixed_ip(
                ctxt, instance['uuid']))
        return self.steps.pre_live_migration(instance, image, network_info,
                                             migrate_data)

    def post_at_destination(self, ctxt, instance, migrate_data, migration):
        result = self.steps.post_at_destination(instance, migrate_data)
        self.reporter.succeeded(ctxt, instance, migration,
                                self.manager.host, self.manager.host,
                                result['power_state'])
        LOG.info('Live migration of %s to %s done: downtime %s ms',
                 instance['uuid'], self.manager.host,
                 result.get('downtime_ms'))
        return result

    def rollback_at_destination(self, ctxt, instance, migrate_data):
        self.steps.rollback_at_destination(instance, migrate_data)

    # -- source ---------------------------------------------------------------

    def live_migration(self, ctxt, instance, dest, migrate_data, migration):
        """The whole migration, from this (the source) host. Every outcome
        is reported; nothing is raised."""
        uuid = instance['uuid']
        prepared = None
        try:
            steps = self.steps
            prepared = self.compute.pre_live_migration(ctxt, dest, instance,
                                                       migrate_data)
            steps.migrate(
                instance, prepared,
                lambda pct, stats: self.reporter.progress(
                    ctxt, instance, migration, pct, stats))
        except Exception as error:
            aborted = isinstance(error, exception.LiveMigrationAborted)
            if aborted:
                LOG.info('Live migration of %s aborted: %s', uuid, error)
            else:
                LOG.exception('Live migration of %s to %s failed', uuid,
                              dest)
            self._rollback(ctxt, instance, dest, prepared or migrate_data,
                           migration, error, aborted)
            return
        try:
            steps.post_at_source(instance, prepared)
        except Exception:
            # The guest runs on the destination: what is left here is
            # only files.
            LOG.exception('Cleaning up %s after its migration', uuid)
        try:
            self.compute.post_live_migration_at_destination(
                ctxt, dest, instance, prepared, migration)
        except Exception:
            LOG.exception('Finishing the migration of %s on %s failed; '
                          'recording it there from here', uuid, dest)
            # libvirt moved the guest: the record must follow, or the
            # destination would take it for a stray domain at its next
            # start and destroy it.
            try:
                self.reporter.succeeded(ctxt, instance, migration, dest,
                                        dest, states.RUNNING)
            except Exception:
                LOG.exception('Recording %s on %s failed', uuid, dest)

    def _rollback(self, ctxt, instance, dest, migrate_data, migration,
                  error, aborted):
        try:
            self.compute.rollback_live_migration_at_destination(
                ctxt, dest, instance, migrate_data)
        except Exception:
            LOG.exception('Rolling back %s on %s', instance['uuid'], dest)
        try:
            self.reporter.failed(
                ctxt, instance, migration,
                getattr(error, 'message', None) or str(error),
                details=None if aborted else traceback.format_exc(),
                aborted=aborted)
        except (exception.UnexpectedTaskState, exception.InstanceNotFound):
            LOG.info('Live migration of %s was overtaken by another '
                     'operation', instance['uuid'])

    def recover_at_start(self):
        """Instances of this host left migrating when nova-compute
        stopped. libvirtd goes on with a peer-to-peer migration whose
        client went away: it is aborted. A guest still here then stays:
        its task ends with a fault. One that is not here went to the
        destination: left for the conductor's task, which knows the
        migration record."""
        ctxt = nova_context.get_admin_context()
        manager = self.manager
        for instance in manager.conductor.instance_get_all(
                ctxt, {'host': manager.host,
                       'task_state_in': [states.MIGRATING]}):
            if instance['task_state'] != states.MIGRATING:
                continue
            try:
                if not self.steps.abort_unwatched(instance):
                    LOG.warning('%s was migrating from %s and its guest is '
                                'not here', instance['uuid'], manager.host)
                    continue
                LOG.warning('%s was left migrating; its guest is still on '
                            '%s', instance['uuid'], manager.host)
                self.reporter.failed(
                    ctxt, instance, None,
                    'nova-compute on %s restarted during the live '
                    'migration' % manager.host)
            except Exception:
                LOG.exception('Recovering the migration of %s failed',
                              instance['uuid'])

    def abort(self, ctxt, instance, migration_id=None):
        self.steps.abort(instance)

    def force_complete(self, ctxt, instance):
        self.steps.force_complete(instance)
