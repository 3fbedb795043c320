"""Starting lifecycle operations: which states allow them, and the hand-off.

Each operation is a compare-and-swap on (vm_state, task_state) done in the
same transaction that opens its instance action; the loser of a race gets
409 with the state it found. The compute host then does the work.
"""

from common import exception
from common import servicegroup
from common import states
from nova_conductor.db import compute as compute_db
from nova_conductor.db import instance_transitions as transitions_db
from nova_conductor.db import instances as instances_db

# action -> (allowed vm_states, allowed task_states, task_state to set,
#            compute RPC method)
OPERATIONS = {
    'stop': ((states.ACTIVE, states.ERROR), (None,), states.POWERING_OFF,
             'stop_instance'),
    'start': ((states.STOPPED,), (None,), states.POWERING_ON,
              'start_instance'),
    'reboot': ((states.ACTIVE,), (None,), states.REBOOTING,
               'reboot_instance'),
    'pause': ((states.ACTIVE,), (None,), states.PAUSING, 'pause_instance'),
    'unpause': ((states.PAUSED,), (None,), states.UNPAUSING,
                'unpause_instance'),
    'suspend': ((states.ACTIVE,), (None,), states.SUSPENDING,
                'suspend_instance'),
    'resume': ((states.SUSPENDED,), (None,), states.RESUMING,
               'resume_instance'),
    # A hard reboot may also rescue a soft one that hangs.
    'reboot_hard': ((states.ACTIVE, states.STOPPED, states.ERROR),
                    (None, states.REBOOTING), states.REBOOTING_HARD,
                    'reboot_instance'),
}


def operation(action, params=None):
    """(operation key, its rules) for an API action name and body."""
    key = action
    if action == 'reboot' and (params or {}).get('type', 'SOFT') == 'HARD':
        key = 'reboot_hard'
    if key not in OPERATIONS:
        raise exception.Invalid(reason='unknown action %s' % action)
    return key, OPERATIONS[key]


def start(compute_api, context, instance_uuid, action, params=None):
    """Begin `action` on the instance (409 when its state forbids it) and
    cast it to its compute host; the instance as it then is."""
    key, (vm_states, task_states, task_state, method) = \
        operation(action, params)
    check_host(instances_db.get(instance_uuid), action)
    instance = transitions_db.begin_task(
        instance_uuid, action, task_state, vm_states, task_states,
        context.to_dict())
    kwargs = {'reboot_type': 'HARD' if key == 'reboot_hard' else 'SOFT'} \
        if method == 'reboot_instance' else {}
    getattr(compute_api, method)(context, instance['host'], instance,
                                 **kwargs)
    return instance


def check_host(instance, action):
    if not instance.get('host'):
        raise exception.InstanceInvalidState(
            action=action, instance_uuid=instance['uuid'], attr='host',
            state='None')


REBUILD_VM_STATES = (states.ACTIVE, states.STOPPED, states.ERROR)


def check_host_down(service, host, instance_uuid):
    """Evacuate only from a host whose compute service is gone."""
    if service is not None and servicegroup.service_is_up(service):
        raise exception.Conflict(
            reason='Compute service of %s is still in use; evacuate only '
                   'instances of a host that is down or forced down.'
                   % host)


def compute_is_up(host):
    """Whether the compute service of `host` runs (heartbeats)."""
    service = compute_db.service_get_by_host(host)
    return service is not None and servicegroup.service_is_up(service)
