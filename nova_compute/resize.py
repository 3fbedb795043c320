"""Resize and cold migration on the computes (docs/resize.md).

Source: resize_prep -> resize_migrating (migration 'migrating'): power
off, set the instance directory aside as <uuid>_resize -> resize_migrated
('post-migrating'), then tell the target. Target: resize_finish (the
instance now has the new flavor and this host): copy the disks in, grow
the root disk, define and start the domain -> vm_state resized
('finished', VERIFY_RESIZE).

Confirm (source): remove <uuid>_resize. Revert (target, then source):
the target destroys its copy, the source renames <uuid>_resize back and
starts the instance with its old flavor. A failure on either side ends
the same way as a revert, with a fault: the instance is back on its old
host, ACTIVE (or stopped, as it was), and nothing is held on the target.
"""

import logging
import traceback

from common import exception
from common import migration_states as ms
from common import states
from common.conf import CONF

LOG = logging.getLogger(__name__)
FLAVOR_COLUMNS = ('vcpus', 'memory_mb', 'root_gb', 'ephemeral_gb')


def _message(error):
    # `.message`, not str(): a remote error's str() carries its traceback.
    return getattr(error, 'message', None) or str(error)


def as_before(instance, migration):
    """The instance as it was on its source, before the move."""
    old = migration['old_flavor']
    return dict(instance, flavor=old, host=migration['source_compute'],
                node=migration['source_node'],
                **{k: old.get(k) or 0 for k in FLAVOR_COLUMNS})


class Resizer:

    def __init__(self, host, driver, conductor_api, compute_api,
                 spec_image):
        self.host = host
        self.driver = driver
        self.conductor = conductor_api
        self.compute_api = compute_api
        # instance -> its image record (the build's request spec).
        self.spec_image = spec_image

    def _step(self, ctxt, instance, migration, values, expected,
              status=None, to_dest=False):
        return self.conductor.move_progress(
            ctxt, instance['uuid'], migration['uuid'], values, expected,
            status=status, host=self.host, to_dest=to_dest)

    def _power_on(self, migration):
        return migration.get('old_vm_state') != states.STOPPED

    # -- source --------------------------------------------------------------

    def resize(self, ctxt, instance, migration):
        """Power off and set the disks aside; then the target's turn."""
        try:
            instance, migration = self._step(
                ctxt, instance, migration,
                {'task_state': states.RESIZE_MIGRATING}, states.RESIZE_PREP,
                status=ms.MIGRATING)
            disk_info = self.driver.migrate_disk_and_power_off(
                instance, migration['dest_compute'], CONF.shutdown_timeout)
            instance, migration = self._step(
                ctxt, instance, migration,
                {'task_state': states.RESIZE_MIGRATED,
                 'power_state': states.SHUTDOWN},
                states.RESIZE_MIGRATING, status=ms.POST_MIGRATING)
        except (exception.UnexpectedTaskState, exception.InstanceNotFound):
            LOG.info('Resize of %s overtaken by another operation',
                     instance['uuid'])
            return
        except Exception as error:
            LOG.exception('Resize of %s failed on its source',
                          instance['uuid'])
            self.finish_revert(ctxt, instance, migration, failed=True,
                               message=_message(error),
                               details=traceback.format_exc())
            return
        self.compute_api.finish_resize(ctxt, migration['dest_compute'],
                                       instance, migration, disk_info)

    def finish_revert(self, ctxt, instance, migration, failed=False,
                      message=None, details=None):
        """Bring the instance back here with its old flavor, and tell
        the conductor, which gives back its allocation here."""
        old = as_before(instance, migration)
        power = None
        try:
            self.driver.finish_revert_migration(
                old, self.spec_image(old), self._network_info(ctxt, old),
                power_on=self._power_on(migration))
            power = self.driver.get_power_state(old)
        except Exception as error:
            LOG.exception('Bringing %s back on %s failed', old['uuid'],
                          self.host)
            failed, message = True, message or _message(error)
            details = details or traceback.format_exc()
        try:
            self.conductor.move_reverted(
                ctxt, old['uuid'], migration['uuid'], failed=failed,
                message=message, details=details, host=self.host,
                power_state=power)
        except exception.InstanceNotFound:
            pass

    def confirm(self, ctxt, instance, migration):
        """The move stays: drop what was kept here for a revert."""
        try:
            self.driver.confirm_migration(instance)
        except Exception:
            # The files stay behind; the move is confirmed all the same.
            LOG.exception('Removing the resize files of %s failed',
                          instance['uuid'])
        self.conductor.move_confirmed(ctxt, instance['uuid'],
                                      migration['uuid'], host=self.host)

    # -- target --------------------------------------------------------------

    def finish(self, ctxt, instance, migration, disk_info):
        """Take the disks and start the instance with its new flavor."""
        try:
            instance, migration = self._step(
                ctxt, instance, migration,
                {'task_state': states.RESIZE_FINISH},
                states.RESIZE_MIGRATED, to_dest=True)
        except (exception.UnexpectedTaskState, exception.InstanceNotFound):
            LOG.info('Resize of %s overtaken by another operation',
                     instance['uuid'])
            return
        power_on = self._power_on(migration)
        try:
            self.driver.finish_migration(
                instance, disk_info, self.spec_image(instance),
                self._network_info(ctxt, instance), power_on=power_on)
            power = self.driver.get_power_state(instance)
            if power_on and power != states.RUNNING:
                power = self.driver.wait_for_running(
                    instance, CONF.libvirt.wait_running_timeout)
                if power != states.RUNNING:
                    raise exception.HypervisorError(
                        reason='domain did not reach running')
            self._step(ctxt, instance, migration,
                       {'vm_state': states.RESIZED, 'task_state': None,
                        'power_state': power},
                       states.RESIZE_FINISH, status=ms.FINISHED)
        except Exception as error:
            LOG.exception('Resize of %s failed on its target',
                          instance['uuid'])
            self._drop_copy(instance)
            self.compute_api.finish_revert_resize(
                ctxt, migration['source_compute'], instance, migration,
                failed=True, message=_message(error),
                details=traceback.format_exc())

    def revert(self, ctxt, instance, migration):
        """Drop the copy here; the source brings the instance back."""
        self._drop_copy(instance)
        self.compute_api.finish_revert_resize(
            ctxt, migration['source_compute'], instance, migration)

    def _drop_copy(self, instance):
        try:
            self.driver.destroy(instance)
        except Exception:
            LOG.exception('Removing the copy of %s on %s failed',
                          instance['uuid'], self.host)

    def _network_info(self, ctxt, instance):
        if not instance.get('fixed_ips'):
            return []
        # Idempotent: hands back the addresses it already holds.
        return [self.conductor.allocate_fixed_ip(ctxt, instance['uuid'])]
