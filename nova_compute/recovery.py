"""Work this host left half done: found at start, and while running.

An instance of this host found in a transitional task_state is finished
(stop, start, reboot, delete; snapshots and shelving: shelve.py). An
interrupted build, or one whose cast this host had taken, is run again
from the step it was in, after any half-made domain is removed; after
[conductor] max_build_resumes it is put in error with a fault instead:
nothing stays in BUILD forever.

At start nothing here can be working on an instance yet, so every one is
recovered (`reconcile`). While running, the same recovery is applied to
instances no thread of this service is working on whose task_state and
last update have not changed for a whole [DEFAULT]
recover_stuck_tasks_interval (`StuckTasks`): an operation whose report to
the conductor failed, and whose failure report failed too (the
conductor's database unavailable), leaves such an instance behind. The
candidates come from the conductor's sweep of the whole fleet
(nova_conductor/stuck_tasks.py), so an idle host costs it nothing.
"""

import logging
import time

from common import context as nova_context
from common import exception
from common import rpc
from common import states
from common.conf import CONF
from nova_compute import build
from nova_compute import rescue
from nova_compute import shelve
from nova_compute import volumes

LOG = logging.getLogger(__name__)

# The task_states finished here; others (pausing, rebuilding...) are left
# as they are.
RECOVERABLE = build.BUILD_STEPS + (
    states.POWERING_OFF, states.POWERING_ON, states.REBOOTING,
    states.REBOOTING_HARD, states.DELETING) + rescue.TASKS + \
    shelve.RECOVERABLE


def reconcile(manager):
    """At start: domains of instances gone elsewhere are removed, and
    every instance left in a task_state is recovered."""
    ctxt = nova_context.get_admin_context()
    _remove_evacuated(manager, ctxt)
    recover(manager, ctxt, _in_a_task(manager, ctxt),
            'nova-compute on %s restarted during ' % manager.host)
    _finish_volume_steps(manager, ctxt)


def _finish_volume_steps(manager, ctxt):
    """An attach or detach of a live instance's volume cut short by the
    restart (builds resume their own): a detach is finished, and an
    attach undone, so no attachment is left that nothing uses."""
    for instance in manager.conductor.instance_get_all(
            ctxt, {'host': manager.host}):
        if instance['task_state'] is not None:
            continue
        for bdm in volumes.volume_mappings(instance):
            if bdm['status'] == 'attached':
                continue
            LOG.warning('Volume %s of %s was left %s; detaching it',
                        bdm.get('volume_id'), instance['uuid'],
                        bdm['status'])
            owner = nova_context.RequestContext(
                user_id=instance['user_id'],
                project_id=instance['project_id'], overwrite=False)
            try:
                manager.detach_volume(owner, instance, bdm)
            except Exception:
                LOG.exception('Detaching volume %s of %s failed',
                              bdm.get('volume_id'), instance['uuid'])


# A second sighting counts once this share of the sweep's interval has
# passed since the first: sweeps of several conductors, or a late cast,
# cannot shorten the wait to less than most of an interval.
MIN_SPAN = 0.8


class StuckTasks:
    """Recovers, as at start, the instances the conductor's sweep found
    in a recoverable task_state with no work queued or running for them
    here, twice in a row, with the same task_state and last update.

    Idempotent across sweepers: each sighting replaces the last (an
    instance not in it is forgotten), and a repeated one only counts
    once MIN_SPAN of an interval has passed since the first."""

    def __init__(self, manager, clock=time.monotonic):
        self.manager = manager
        self._clock = clock
        # uuid: ((task_state, updated_at), first seen so, monotonic)
        self._seen = {}

    def __call__(self, instances, interval):
        ctxt = nova_context.get_admin_context()
        now = self._clock()
        seen, stuck = {}, []
        for instance in instances:
            if instance.get('host') not in (None, self.manager.host) or \
                    instance['task_state'] not in RECOVERABLE or \
                    self.manager.locks.busy(instance['uuid']):
                continue
            mark = (instance['task_state'], instance['updated_at'])
            last, since = self._seen.get(instance['uuid'], (None, now))
            if last != mark:
                since = now
            elif now - since >= MIN_SPAN * interval:
                stuck.append(instance)
            # A recovery that fails leaves the mark: tried again next time.
            seen[instance['uuid']] = (mark, since)
        self._seen = seen
        recover(self.manager, ctxt, stuck,
                'nothing on %s was working on it any more, during '
                % self.manager.host)
        return [instance['uuid'] for instance in stuck]


# The compute RPC version that carries the conductor's sweep.
SWEEP_VERSION = '1.12'


def conductor_sweeps():
    """Whether the conductors cast this host its candidates: not while
    the deployment holds compute RPC below 1.12 ([upgrade_levels]
    compute, a rolling upgrade), when the host looks for itself."""
    cap = CONF.upgrade_levels.compute
    return not cap or rpc.version_key(cap) >= rpc.version_key(SWEEP_VERSION)


def look_for_itself(manager):
    """The periodic look of computes before 1.12: one RPC call a
    period, for this host's candidates only."""
    return manager.stuck_tasks(
        _in_a_task(manager, nova_context.get_admin_context()),
        CONF.recover_stuck_tasks_interval)


def _in_a_task(manager, ctxt):
    return [i for i in manager.conductor.instance_get_all(
        ctxt, {'host': manager.host, 'task_state_in': list(RECOVERABLE)})
        if i['task_state'] in RECOVERABLE]


def recover(manager, ctxt, instances, why):
    """Finish or resume each of `instances`; `why` starts the reason a
    build given up gives ('... during the build (spawning)')."""
    for instance in instances:
        task = instance['task_state']
        LOG.warning('Instance %s was left in task_state %s; recovering',
                    instance['uuid'], task)
        try:
            _recover(manager, ctxt, instance, task, why)
        except Exception:
            LOG.exception('Recovering %s failed', instance['uuid'])


def _remove_evacuated(manager, ctxt):
    """Domains here whose instance moved away (evacuated while this host
    was down) or was deleted are destroyed, never started."""
    local = manager.driver.list_instance_uuids()
    if not local:
        return
    for instance in manager.conductor.instance_get_all(
            ctxt, {'uuids': local, 'deleted': True}):
        if instance['host'] != manager.host or instance.get('deleted'):
            LOG.warning('Destroying local domain of %s: the instance now '
                        'lives on %s%s', instance['uuid'], instance['host'],
                        ' (deleted)' if instance.get('deleted') else '')
            try:
                # Shared disks (RBD) serve the instance where it went.
                manager.driver.destroy(
                    instance, destroy_disks=bool(instance.get('deleted')))
            except exception.NovaException:
                LOG.exception('Could not destroy domain of %s',
                              instance['uuid'])


def _recover(manager, ctxt, instance, task, why):
    if task in shelve.RECOVERABLE or \
            instance['vm_state'] == states.SHELVED_OFFLOADED:
        # An offloaded server's spawn is an unshelve's, not a build's.
        manager.shelving.recover(ctxt, instance, why)
    elif task in build.BUILD_STEPS:
        _resume_build(manager, instance, task, why)
    elif task == states.POWERING_OFF:
        manager.stop_instance(ctxt, instance)
    elif task == states.POWERING_ON:
        manager.start_instance(ctxt, instance)
    elif task in (states.REBOOTING, states.REBOOTING_HARD):
        manager.reboot_instance(ctxt, instance, 'HARD')
    elif task == states.DELETING:
        manager.terminate_instance(ctxt, instance)
    elif task in rescue.TASKS:
        with manager.locks(instance['uuid']):
            manager.rescuer.recover(ctxt, instance, why)


def _resume_build(manager, instance, task, why):
    """Run the build again from `task`, in its creator's name, without
    holding up the caller (the build pool runs it). A domain is named by
    the instance's uuid, and spawn refuses one that exists: what the
    interrupted build made goes first."""
    uuid = instance['uuid']
    ctxt = nova_context.RequestContext(
        user_id=instance['user_id'], project_id=instance['project_id'],
        overwrite=False)
    resumes = instance.get('build_resumes') or 0
    reason = None
    try:
        manager.driver.destroy(instance)
    except exception.NovaException as error:
        LOG.exception('Removing the half-built domain of %s', uuid)
        reason = 'its half-built domain could not be removed (%s)' % (
            error.message)
    if reason is None and resumes >= CONF.conductor.max_build_resumes:
        reason = 'the build had been resumed %d times already' % resumes
    if reason is not None:
        manager.conductor.build_failed(
            ctxt, uuid, manager.host,
            '%sthe build (%s), and %s' % (why, task, reason))
        return
    try:
        # Counted, and a compare-and-swap: if the build moved on meanwhile
        # (deleted, or taken over elsewhere), this host leaves it.
        instance = manager.conductor.instance_update(
            ctxt, uuid, {'build_resumes': resumes + 1},
            expected_task_state=task)
    except (exception.UnexpectedTaskState, exception.InstanceNotFound):
        return
    LOG.warning('Resuming the build of %s from %s', uuid, task)
    manager.resume_build(ctxt, instance, task)
