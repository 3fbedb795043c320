"""Build orchestration: schedule, claim atomically, hand over to compute.

The conductor claims resources in SQL before casting to a host, so
schedulers running in parallel can never over-commit it: a lost claim just
moves on to the next alternate.
"""

import collections
import logging

from common import coalesce
from common import exception
from common import metrics
from common import states
from nova_conductor import image_lookup
from nova_conductor import lifecycle
from nova_conductor.db import build_owners as owners_db
from nova_conductor.db import compute as compute_db
from nova_conductor.db import instance_transitions as transitions_db
from nova_conductor.db import instances as instances_db
from nova_conductor.db import placement as placement_db
from nova_conductor.db import server_groups as server_groups_db

LOG = logging.getLogger(__name__)


def with_instance_group(request_spec):
    """The spec with its server group's policy and members' hosts, fresh."""
    group_uuid = (request_spec.get('scheduler_hints') or {}).get('group')
    if not group_uuid:
        return request_spec
    group = server_groups_db.get(group_uuid)
    spec = dict(request_spec)
    spec['instance_group'] = {
        'uuid': group['uuid'], 'policy': group['policy'],
        'rules': group['rules'], 'members': group['members'],
        'hosts': server_groups_db.member_hosts(group_uuid)}
    return spec


class BuildOrchestrator:

    def __init__(self, scheduler_api, compute_api):
        self.scheduler_api = scheduler_api
        self.compute_api = compute_api
        # This conductor worker's id (takeover.BuildOwner sets it): builds
        # are claimed only while it still owns them, so one taken over by
        # another worker (this one was thought dead) stops at its claim.
        self.owner = None
        # Under a burst the build threads claim at the same moments: their
        # first placements share a transaction (placement_db.place_new),
        # and those placed on one host share the cast to it.
        self._new_builds = coalesce.Coalescer(self._place_and_cast_batch)

    def build_instances(self, ctxt, instance_uuids, request_spec):
        """Schedule, claim and cast. ServiceUnavailable, when no scheduler
        answered or the database is unavailable, is raised with the
        instances left in scheduling (some may be placed and cast
        already): the caller decides when to try again."""
        try:
            # First: an image service that cannot answer fails the build
            # with its reason before anything is scheduled.
            image = self._image(request_spec)
            request_spec = with_instance_group(request_spec)
        except exception.DatabaseUnavailable:
            raise
        except exception.NovaException as e:
            self._fail_all(instance_uuids, e)
            return
        try:
            selections = self.scheduler_api.select_destinations(
                ctxt, request_spec, instance_uuids)
        except exception.ServiceUnavailable:
            raise
        except exception.NovaException as e:
            self._fail_all(instance_uuids, e)
            return
        for uuid, choices in zip(instance_uuids, selections):
            self.claim_and_cast(ctxt, uuid, choices, request_spec, image,
                                fresh=True)

    def claim_and_cast(self, ctxt, instance_uuid, choices, request_spec,
                       image=None, fresh=False):
        """Claim on the first choice that still has room; cast the build.

        `fresh`: a first placement, not a re-schedule (placement_db).
        """
        image = image or self._image(request_spec)
        flavor = request_spec['flavor']
        group = (request_spec.get('scheduler_hints') or {}).get('group')
        last_reason = 'no host was offered'
        for index, choice in enumerate(choices):
            build = {'image': image, 'request_spec': request_spec,
                     'node': choice['nodename'],
                     'limits': choice.get('limits'),
                     'alternates': choices[index + 1:]}
            try:
                if fresh and not group:
                    self._place_new_and_cast(ctxt, instance_uuid, choice,
                                             flavor, build)
                    self._placed(ctxt, instance_uuid, choice)
                    return
                instance = placement_db.claim_and_place(
                    instance_uuid, choice, flavor, group, fresh=fresh,
                    owner=self.owner)
            except exception.ResourcesUnavailable as e:
                LOG.info('Claim for %s lost on %s (%s); trying the next '
                         'alternate', instance_uuid, choice['host'],
                         e.message)
                last_reason = e.message
                continue
            except (exception.InstanceNotFound,
                    exception.UnexpectedTaskState):
                # Deleted while we scheduled it, or taken over by another
                # worker: nothing was claimed.
                return
            self.compute_api.build_and_run_instance(
                ctxt, choice['host'], instance, **build)
            self._placed(ctxt, instance_uuid, choice)
            return
        self._fail(instance_uuid, exception.NoValidHost(
            reason='Every host chosen for it was taken by other builds '
                   'before the claim (last: %s)' % last_reason))

    @staticmethod
    def _placed(ctxt, instance_uuid, choice):
        # With the request's context: its id ties this line to the API's.
        LOG.info('Placed %s on %s', instance_uuid, choice['host'],
                 extra={'context': ctxt})

    def _place_new_and_cast(self, ctxt, instance_uuid, choice, flavor,
                            build):
        outcome = self._new_builds.call({
            'ctxt': ctxt, 'build': build, 'placement': {
                'instance_uuid': instance_uuid, 'choice': choice,
                'flavor': flavor, 'owner': self.owner}})
        if isinstance(outcome, Exception):
            raise outcome

    def _place_and_cast_batch(self, items):
        """Place the batch, then cast each host its builds in one message;
        one outcome per item: the placed instance, or the exception that
        stopped it (a refused claim, or its host's failed cast)."""
        outcomes = self._place_new_batch([i['placement'] for i in items])
        by_host = collections.defaultdict(list)
        for index, (item, outcome) in enumerate(zip(items, outcomes)):
            if not isinstance(outcome, Exception):
                by_host[item['placement']['choice']['host']].append(index)
        for host, indexes in by_host.items():
            try:
                self.compute_api.build_and_run_instances(host, [
                    (items[i]['ctxt'],
                     dict(items[i]['build'], instance=outcomes[i]))
                    for i in indexes])
            except Exception as error:
                for i in indexes:
                    outcomes[i] = error
        return outcomes

    @staticmethod
    def _place_new_batch(requests):
        """One transaction for the batch; when that fails as a whole, one
        per request, so one bad request cannot fail the others."""
        try:
            return placement_db.place_new(requests)
        except exception.DatabaseUnavailable:
            # Placed or not (a lost COMMIT): the builds' owner hands them
            # to the sweep, which reads what was stored.
            raise
        except Exception:
            LOG.warning('A batch of %d placements failed together; running '
                        'them one by one', len(requests), exc_info=True)
        outcomes = []
        for request in requests:
            try:
                outcomes.append(placement_db.claim_and_place(
                    request['instance_uuid'], request['choice'],
                    request['flavor'], fresh=True,
                    owner=request.get('owner')))
            except Exception as error:
                outcomes.append(error)
        return outcomes

    def evacuate(self, ctxt, instance_uuid, host=None, target_state=None):
        """Recreate an instance of a down host on another one, keeping its
        id, image, flavor and fixed IPs; `target_state` 'stopped' brings
        it back stopped."""
        if target_state not in (None, states.STOPPED):
            raise exception.Invalid(
                reason='unknown evacuation target state %s' % target_state)
        if target_state and not self.compute_api.can_send_version('1.6'):
            # Computes capped below 1.6 would start it anyway.
            raise exception.Invalid(
                reason='Stopped evacuation needs every compute upgraded.')
        instance = instances_db.get(instance_uuid)
        source = instance['host']
        lifecycle.check_host(instance, 'evacuate')
        lifecycle.check_host_down(compute_db.service_get_by_host(source),
                                  source, instance_uuid)
        if host and host == source:
            raise exception.ValidationError(
                reason='The target host is the instance\'s own host.')
        instance = transitions_db.begin_task(
            instance_uuid, 'evacuate', states.REBUILDING,
            lifecycle.REBUILD_VM_STATES, (None,), ctxt.to_dict())
        spec = with_instance_group(dict(instance['request_spec'] or {},
                                        flavor=instance['flavor']))
        spec['ignore_hosts'] = [source]
        # The boot's forced host (az:host) named the host now down; only
        # the admin's choice for this move may force one.
        spec['force_hosts'] = [host] if host else []
        spec['force_nodes'] = []
        try:
            [choices] = self.scheduler_api.select_destinations(
                ctxt, spec, [instance_uuid])
            group = (spec.get('scheduler_hints') or {}).get('group')
            for choice in choices:
                try:
                    moved = placement_db.claim_and_place(
                        instance_uuid, choice, instance['flavor'], group,
                        expected_task_state=states.REBUILDING)
                except exception.ResourcesUnavailable:
                    continue
                self.compute_api.rebuild_instance(
                    ctxt, choice['host'], moved, self._image(spec),
                    evacuate=True, target_state=target_state)
                return moved
            raise exception.NoValidHost(
                reason='Every host chosen was taken before the claim.')
        except exception.NovaException as error:
            transitions_db.end_task(instance_uuid, {}, states.REBUILDING,
                                    failed=True, message=error.message)
            raise exception.ValidationError(reason=error.message)

    def build_failed(self, ctxt, instance_uuid, host, message, details,
                     alternates, request_spec):
        """Re-schedule on the next alternate, or put the instance in error.

        Only while the build is still on `host`: a late report from a
        host the build has left (taken over and placed elsewhere) changes
        nothing there."""
        compute_db.count_failed_build(host)
        try:
            if alternates and request_spec:
                if owners_db.unplace(instance_uuid, host, self.owner):
                    LOG.info('Re-scheduling %s after failure on %s: %s',
                             instance_uuid, host, message)
                    self.claim_and_cast(ctxt, instance_uuid, alternates,
                                        request_spec)
                    return
            elif owners_db.fail(instance_uuid, message, details, host=host):
                metrics.inc('nova_boots_total', result='failed')
                return
        except exception.InstanceNotFound:
            return
        LOG.info('Build of %s failed on %s, which no longer holds it: '
                 'nothing to do', instance_uuid, host)

    def fail_unplaced(self, instance_uuids, error):
        """Error every instance still in scheduling (after a crash)."""
        for uuid in instance_uuids:
            try:
                instance = instances_db.get(uuid)
            except exception.InstanceNotFound:
                continue
            if instance['task_state'] == states.SCHEDULING and \
                    not instance['host']:
                self._fail(uuid, exception.BuildAbortException(
                    instance_uuid=uuid, reason=type(error).__name__))

    @staticmethod
    def _image(request_spec):
        return image_lookup.from_spec(request_spec)

    def _fail_all(self, instance_uuids, error):
        for uuid in instance_uuids:
            self._fail(uuid, error)

    @staticmethod
    def _fail(instance_uuid, error):
        # `.message`, not str(): a remote exception's str() carries the
        # remote traceback, which users must not see.
        message = getattr(error, 'message', None) or str(error)
        LOG.warning('Build of %s failed: %s', instance_uuid, message)
        try:
            transitions_db.set_error(
                instance_uuid, getattr(error, 'code', 500), message)
        except exception.InstanceNotFound:
            return
        metrics.inc('nova_boots_total', result='failed')
