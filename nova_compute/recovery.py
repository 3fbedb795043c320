"""What nova-compute does at start for work a crash left half done.

An instance of this host found in a transitional task_state is finished
(stop, start, reboot, delete). An interrupted build, or one whose cast
this host had taken, is run again from the step it was in, after any
half-made domain is removed; after [conductor] max_build_resumes it is
put in error with a fault instead: nothing stays in BUILD forever.
"""

import logging

from common import context as nova_context
from common import exception
from common import states
from common.conf import CONF
from nova_compute import build

LOG = logging.getLogger(__name__)


def reconcile(manager):
    ctxt = nova_context.get_admin_context()
    _remove_evacuated(manager, ctxt)
    instances = manager.conductor.instance_get_all(ctxt,
                                                   {'host': manager.host})
    for instance in instances:
        task = instance['task_state']
        if task is None:
            continue
        LOG.warning('Instance %s was left in task_state %s; recovering',
                    instance['uuid'], task)
        try:
            _recover(manager, ctxt, instance, task)
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
                manager.driver.destroy(instance)
            except exception.NovaException:
                LOG.exception('Could not destroy domain of %s',
                              instance['uuid'])


def _recover(manager, ctxt, instance, task):
    if task in build.BUILD_STEPS:
        _resume_build(manager, instance, task)
    elif task == states.POWERING_OFF:
        manager.stop_instance(ctxt, instance)
    elif task == states.POWERING_ON:
        manager.start_instance(ctxt, instance)
    elif task in (states.REBOOTING, states.REBOOTING_HARD):
        manager.reboot_instance(ctxt, instance, 'HARD')
    elif task == states.DELETING:
        manager.terminate_instance(ctxt, instance)


def _resume_build(manager, instance, task):
    """Run the build again from `task`, in its creator's name, without
    holding up the start (the build pool runs it). A domain is named by
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
            'nova-compute on %s restarted during the build (%s), and %s'
            % (manager.host, task, reason))
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
