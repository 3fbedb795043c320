"""Rescue and unrescue on this host, and their recovery after a restart.

rescue: task_state rescuing; the driver boots the guest from a rescue
disk, its root disk second; vm_state rescued once it runs. A failure
brings the guest's own definition back, leaves the instance in the state
it had (active, stopped or error) and records a fault. unrescue:
unrescuing, then active with the guest's own disks booted; a failure
leaves it rescued with a fault.

A nova-compute restarted mid-way finds the task_state left: a rescue is
undone (its rescue image is not known any more) and reported failed; an
unrescue is done again (it is idempotent).
"""

import logging
import traceback

from common import exception
from common import states
from common.conf import CONF

LOG = logging.getLogger(__name__)
TASKS = (states.RESCUING, states.UNRESCUING)


class Rescuer:

    def __init__(self, host, driver, conductor_api):
        self.host = host
        self.driver = driver
        self.conductor = conductor_api

    def _still(self, ctxt, instance, task_state):
        """Whether the instance still waits for `task_state` here: a
        cast taken again after a restart finds the recovery finished it."""
        try:
            current = self.conductor.instance_get(ctxt, instance['uuid'])
        except exception.InstanceNotFound:
            return False
        if current['task_state'] == task_state and \
                current['host'] == self.host:
            return True
        LOG.info('%s of %s was overtaken (now %s on %s)', task_state,
                 instance['uuid'], current['task_state'], current['host'])
        return False

    def rescue(self, ctxt, instance, image):
        if not self._still(ctxt, instance, states.RESCUING):
            return
        try:
            self.driver.rescue(instance, image)
            self._wait_running(instance)
        except Exception as error:
            LOG.exception('Rescue of %s failed', instance['uuid'])
            self._undo(ctxt, instance, error, traceback.format_exc())
            return
        self._done(ctxt, instance, states.RESCUING,
                   {'vm_state': states.RESCUED,
                    'power_state': self.driver.get_power_state(instance)})

    def unrescue(self, ctxt, instance):
        if not self._still(ctxt, instance, states.UNRESCUING):
            return
        try:
            self.driver.unrescue(instance)
            self._wait_running(instance)
        except Exception as error:
            LOG.exception('Unrescue of %s failed', instance['uuid'])
            self._done(ctxt, instance, states.UNRESCUING,
                       {'power_state': self._power(instance)}, error,
                       traceback.format_exc())
            return
        self._done(ctxt, instance, states.UNRESCUING,
                   {'vm_state': states.ACTIVE,
                    'power_state': self.driver.get_power_state(instance)})

    def recover(self, ctxt, instance, why):
        """An instance this host left in rescuing or unrescuing."""
        if instance['task_state'] == states.UNRESCUING:
            self.unrescue(ctxt, instance)
            return
        message = '%srescuing: the rescue was undone' % why
        LOG.warning('%s: %s', instance['uuid'], message)
        self._undo(ctxt, instance, exception.NovaException(message),
                   message)

    def _undo(self, ctxt, instance, error, details):
        """Back to the guest's own definition, powered as its vm_state
        says; the rescue reported failed."""
        try:
            if self.driver.is_rescued(instance):
                self.driver.unrescue(instance)
            if instance['vm_state'] == states.STOPPED:
                self.driver.power_off(instance)
        except Exception:
            LOG.exception('Undoing the rescue of %s failed',
                          instance['uuid'])
        self._done(ctxt, instance, states.RESCUING,
                   {'vm_state': instance['vm_state'],
                    'power_state': self._power(instance)}, error, details)

    def _wait_running(self, instance):
        power = self.driver.wait_for_running(
            instance, CONF.libvirt.wait_running_timeout)
        if power != states.RUNNING:
            raise exception.HypervisorError(
                reason='domain did not reach running')

    def _power(self, instance):
        try:
            return self.driver.get_power_state(instance)
        except Exception:
            return states.NOSTATE

    def _done(self, ctxt, instance, task_state, values, error=None,
              details=None):
        report = {}
        if error is not None:
            report = {'failed': True, 'details': details,
                      'message': getattr(error, 'message', None) or
                      str(error)}
        try:
            self.conductor.instance_task_done(
                ctxt, instance['uuid'], values, task_state, host=self.host,
                **report)
        except (exception.UnexpectedTaskState, exception.InstanceNotFound):
            LOG.info('%s of %s was overtaken by another operation',
                     task_state, instance['uuid'])
