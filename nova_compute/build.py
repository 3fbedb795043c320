"""The steps of building one instance on this host, task_state by task_state."""

import datetime
import logging
import traceback

from common import exception
from common import states
from common.conf import CONF
from nova_compute.virt import configdrive

LOG = logging.getLogger(__name__)
# A build's task_states in order; the compute moves through those after
# scheduling in one call (see _enter_spawning).
BUILD_STEPS = (states.SCHEDULING, states.NETWORKING,
               states.BLOCK_DEVICE_MAPPING, states.SPAWNING)


def _now_iso():
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


class InstanceBuilder:

    def __init__(self, host, driver, conductor_api):
        self.host = host
        self.driver = driver
        self.conductor = conductor_api

    def _advance(self, ctxt, instance, expected, values, through=()):
        """Move the instance on (a compare-and-swap in the conductor); the
        copy we hold follows without sending the instance back."""
        self.conductor.instance_advance(
            ctxt, instance['uuid'], values, expected_task_state=expected,
            through=through, host=self.host)
        return dict(instance, **values)

    def _enter_spawning(self, ctxt, instance, request_spec, resume_from):
        """Pass networking and block_device_mapping on the way to spawning,
        in one call: the networking step's work (the fixed IP, unless
        networks is 'none') is done by the conductor in the same
        transaction, and block devices are the image-backed root disk,
        which spawn prepares. Each step still gets its instance-action
        event. A build resumed after a restart starts from the step it
        was in (the fixed IP it had is returned again). It is a
        compare-and-swap: of two copies of one build, one goes on. Returns
        the instance and its network_info."""
        wants_ip = request_spec.get('requested_networks', 'auto') != 'none'
        ip = self.conductor.instance_advance(
            ctxt, instance['uuid'], {'task_state': states.SPAWNING},
            expected_task_state=resume_from,
            through=list(BUILD_STEPS[BUILD_STEPS.index(resume_from) + 1:-1]),
            host=self.host, allocate_ip=wants_ip)
        return dict(instance, task_state=states.SPAWNING), [ip] if ip else []

    def build(self, ctxt, instance, image, request_spec, alternates,
              resume_from=states.SCHEDULING):
        """Run the build; on failure re-schedule or leave a readable fault.

        `resume_from`: the task_state a build interrupted by a restart of
        this service was left in (recovery.py).
        """
        uuid = instance['uuid']
        try:
            self._build(ctxt, instance, image, request_spec, resume_from)
        except (exception.UnexpectedTaskState, exception.InstanceNotFound):
            # Someone else took over the instance (a delete, or another
            # copy of this build, here or on the host it moved to): stop
            # quietly, and touch no domain, which may be the other's.
            LOG.info('Build of %s interrupted by another operation', uuid)
        except Exception as error:
            LOG.exception('Build of %s failed on %s', uuid, self.host)
            self._cleanup_domain(instance)
            message = (error.message
                       if isinstance(error, exception.NovaException)
                       else '%s: %s' % (type(error).__name__, error))
            self.conductor.build_failed(
                ctxt, uuid, self.host, message,
                details=traceback.format_exc(),
                alternates=alternates, request_spec=request_spec)

    def _build(self, ctxt, instance, image, request_spec, resume_from):
        instance, network_info = self._enter_spawning(
            ctxt, instance, request_spec, resume_from)
        self.driver.spawn(instance, image or {}, network_info)
        power = self.driver.wait_for_running(
            instance, CONF.libvirt.wait_running_timeout)
        if power != states.RUNNING:
            raise exception.HypervisorError(
                reason='domain did not reach running (power state %s)'
                % states.POWER_STATE_NAMES.get(power, power))
        self._advance(ctxt, instance, states.SPAWNING,
                      dict(configdrive.recorded(instance),
                           vm_state=states.ACTIVE, task_state=None,
                           power_state=power, launched_at=_now_iso()))

    def _cleanup_domain(self, instance):
        try:
            self.driver.destroy(instance)
        except Exception:
            LOG.exception('Cleaning up %s after a failed build',
                          instance['uuid'])
