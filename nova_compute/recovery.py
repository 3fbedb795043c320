"""What nova-compute does at start for work a crash left half done.

An instance of this host found in a transitional task_state is finished
(stop, start, reboot, delete) or, for an interrupted build, put in error
with a fault and its resources freed: nothing stays in BUILD forever.
"""

import logging

from common import context as nova_context
from common import exception
from common import states

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
    if task in (states.NETWORKING, states.BLOCK_DEVICE_MAPPING,
                states.SPAWNING):
        try:
            manager.driver.destroy(instance)
        except exception.NovaException:
            LOG.exception('Removing the half-built domain of %s',
                          instance['uuid'])
        manager.conductor.build_failed(
            ctxt, instance['uuid'], manager.host,
            'nova-compute on %s restarted during the build (%s)'
            % (manager.host, task))
    elif task == states.POWERING_OFF:
        manager.stop_instance(ctxt, instance)
    elif task == states.POWERING_ON:
        manager.start_instance(ctxt, instance)
    elif task in (states.REBOOTING, states.REBOOTING_HARD):
        manager.reboot_instance(ctxt, instance, 'HARD')
    elif task == states.DELETING:
        manager.terminate_instance(ctxt, instance)
