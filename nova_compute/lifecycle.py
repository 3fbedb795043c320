"""Power operations on this host: stop, start, reboot, and power-state sync."""

import logging
import traceback

from common import context as nova_context
from common import exception
from common import states
from common.conf import CONF

LOG = logging.getLogger(__name__)

# What each operation leaves behind when it succeeds.
RESULTS = {
    states.POWERING_OFF: {'vm_state': states.STOPPED},
    states.POWERING_ON: {'vm_state': states.ACTIVE},
    states.REBOOTING: {'vm_state': states.ACTIVE},
    states.REBOOTING_HARD: {'vm_state': states.ACTIVE},
    states.PAUSING: {'vm_state': states.PAUSED},
    states.UNPAUSING: {'vm_state': states.ACTIVE},
    states.SUSPENDING: {'vm_state': states.SUSPENDED},
    states.RESUMING: {'vm_state': states.ACTIVE},
}


class PowerOperations:

    def __init__(self, host, driver, conductor_api):
        self.host = host
        self.driver = driver
        self.conductor = conductor_api

    def run(self, ctxt, instance, task_state, work):
        """Do `work()` and report the outcome; never leaves the task set."""
        report = {}
        try:
            work()
            report['values'] = dict(
                RESULTS[task_state],
                power_state=self.driver.get_power_state(instance))
        except Exception as error:
            LOG.exception('%s of %s failed', task_state, instance['uuid'])
            report = {
                'values': {'power_state':
                           self.driver.get_power_state(instance)},
                'failed': True,
                'message': getattr(error, 'message', None) or str(error),
                'details': traceback.format_exc()}
        try:
            self.conductor.instance_task_done(
                ctxt, instance['uuid'], expected_task_state=task_state,
                host=self.host, **report)
        except (exception.UnexpectedTaskState, exception.InstanceNotFound):
            # A delete (or another operation) took the instance over.
            LOG.info('%s on %s was overtaken by another operation',
                     task_state, instance['uuid'])

    def stop(self, ctxt, instance):
        self.run(ctxt, instance, states.POWERING_OFF,
                 lambda: self.driver.power_off(
                     instance, CONF.shutdown_timeout))

    def start(self, ctxt, instance):
        self.run(ctxt, instance, states.POWERING_ON,
                 lambda: self.driver.power_on(instance))

    def simple(self, ctxt, instance, task_state, driver_method):
        """pause / unpause / suspend / resume: one driver call each."""
        self.run(ctxt, instance, task_state,
                 lambda: driver_method(instance))

    def reboot(self, ctxt, instance, reboot_type):
        task = states.REBOOTING_HARD if reboot_type == 'HARD' \
            else states.REBOOTING
        self.run(ctxt, instance, task,
                 lambda: self.driver.reboot(instance, reboot_type))

    def sync_power_states(self):
        """Bring the database in line with what the hypervisor reports.

        Instances busy with an operation are left alone. An active
        instance whose domain stopped or vanished becomes stopped; a
        stopped one that runs again is powered off, as the user asked.
        """
        ctxt = nova_context.get_admin_context()
        for instance in self.conductor.instance_get_all(
                ctxt, {'host': self.host}):
            if instance['task_state'] is not None:
                continue
            power = self.driver.get_power_state(instance)
            vm_state = instance['vm_state']
            values = {}
            if power != instance['power_state']:
                values['power_state'] = power
            if vm_state == states.ACTIVE and power in (
                    states.SHUTDOWN, states.CRASHED, states.NOSTATE):
                values['vm_state'] = states.STOPPED
            elif vm_state == states.STOPPED and power == states.RUNNING:
                self.driver.power_off(instance)
                values['power_state'] = states.SHUTDOWN
            values = {k: v for k, v in values.items() if instance[k] != v}
            if values:
                LOG.warning('Power state of %s drifted (%s, power %s): %s',
                            instance['uuid'], vm_state, power, values)
                try:
                    self.conductor.instance_update(
                        ctxt, instance['uuid'], values,
                        expected_task_state=None)
                except (exception.UnexpectedTaskState,
                        exception.InstanceNotFound):
                    pass
