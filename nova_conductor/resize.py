"""Resize and cold migration: schedule with the new flavor, claim the
target, then hand over to the source compute; confirm and revert; the
auto-confirm of moves left in VERIFY_RESIZE (docs/resize.md).

The conductor answers the API only once a target is claimed (or none
could be: 400 with the instance as it was, and a fault); the computes
then move the disks and report each step (nova_compute/resize.py).
"""

import logging

from common import context as nova_context
from common import exception
from common.conf import CONF
from nova_conductor import build
from nova_conductor import lifecycle
from nova_conductor.db import catalog
from nova_conductor.db import compute as compute_db
from nova_conductor.db import instances as instances_db
from nova_conductor.db import moves as moves_db

LOG = logging.getLogger(__name__)


def check_new_flavor(old, new):
    """Nova's refusals of a new flavor (400)."""
    if new.get('flavorid') == old.get('flavorid'):
        raise exception.CannotResizeToSameFlavor()
    if (new.get('root_gb') or 0) < (old.get('root_gb') or 0):
        raise exception.CannotResizeDisk(
            reason='Unable to resize disk down.')


class MoveOrchestrator:

    def __init__(self, scheduler_api, compute_api):
        self.scheduler_api = scheduler_api
        self.compute_api = compute_api

    def resize(self, ctxt, instance_uuid, flavor_id=None, host=None):
        """Resize to flavor `flavor_id`, or with none migrate (to `host`
        if given) keeping the flavor. Returns the migration once the
        target is claimed and the source compute told."""
        instance = instances_db.get(instance_uuid)
        old = instance['flavor']
        if flavor_id is None:
            action, kind, new = 'migrate', 'migration', old
        else:
            action, kind = 'resize', 'resize'
            new = catalog.flavor_get(flavor_id)
            check_new_flavor(old, new)
        lifecycle.check_host(instance, action)
        if any(bdm.get('destination_type') == 'volume'
               for bdm in instance.get('block_device_mappings') or ()):
            # The target would not connect them (docs/resize.md).
            raise exception.Invalid(
                'Resize and migration of a server with volumes are not '
                'supported by this cloud yet.')
        source = instance['host']
        if host is not None:
            if compute_db.service_get_by_host(host) is None:
                raise exception.ComputeHostNotFound(host=host)
            if host == source:
                raise exception.Invalid(
                    'The target host is the instance\'s own host.')
        if not self.compute_api.can_send_version('1.7'):
            raise exception.Invalid(
                'Resize and migration need every compute upgraded.')
        instance, migration = moves_db.begin(
            instance_uuid, action, kind, new, ctxt.to_dict())
        try:
            return self._schedule_and_cast(ctxt, instance, migration, new,
                                           host, kind)
        except exception.NovaException as error:
            LOG.info('%s of %s refused: %s', action, instance_uuid,
                     error.message)
            moves_db.abort(instance_uuid, migration['uuid'], error.message)
            raise

    def _schedule_and_cast(self, ctxt, instance, migration, new, host,
                           kind):
        source = instance['host']
        spec = build.with_instance_group(
            dict(instance['request_spec'] or {}, flavor=new))
        same_host = kind == 'resize' and CONF.allow_resize_to_same_host
        spec['ignore_hosts'] = [] if same_host else [source]
        spec['force_hosts'] = [host] if host else []
        spec['force_nodes'] = []
        [choices] = self.scheduler_api.select_destinations(
            ctxt, spec, [instance['uuid']])
        group = (spec.get('scheduler_hints') or {}).get('group')
        for choice in choices:
            try:
                instance, migration = moves_db.claim_target(
                    instance['uuid'], migration['uuid'], choice, new, group)
            except exception.ResourcesUnavailable:
                continue
            try:
                self.compute_api.resize_instance(ctxt, source, instance,
                                                 migration)
            except Exception as error:
                # Claimed, but the source never heard of it: undo.
                moves_db.reverted(instance['uuid'], migration['uuid'],
                                  failed=True,
                                  message=getattr(error, 'message', None)
                                  or str(error))
                raise exception.ServiceUnavailable(
                    'The compute service of %s did not take the move.'
                    % source)
            return migration
        raise exception.NoValidHost(
            reason='Every host chosen was taken before the claim.')

    def confirm(self, ctxt, instance_uuid):
        """Confirm the finished move: the source host frees what it
        kept for a revert."""
        instance, migration = moves_db.begin_settle(
            instance_uuid, 'confirmResize', ctxt.to_dict())
        self.compute_api.confirm_resize(ctxt, migration['source_compute'],
                                        instance, migration)
        return instance

    def revert(self, ctxt, instance_uuid):
        """Undo the finished move: the target drops its copy, then the
        source brings the instance back as it was."""
        instance, migration = moves_db.begin_settle(
            instance_uuid, 'revertResize', ctxt.to_dict())
        self.compute_api.revert_resize(ctxt, migration['dest_compute'],
                                       instance, migration)
        return instance

    def confirm_expired(self):
        """Confirm moves left in VERIFY_RESIZE for longer than [DEFAULT]
        resize_confirm_window (a periodic task)."""
        window = CONF.resize_confirm_window
        if not window:
            return 0
        ctxt = nova_context.get_admin_context()
        done = 0
        for instance_uuid, _migration in moves_db.due_for_confirmation(
                window):
            try:
                self.confirm(ctxt, instance_uuid)
                done += 1
            except exception.NovaException as error:
                LOG.info('Auto-confirm of %s skipped: %s', instance_uuid,
                         error.message)
        return done
