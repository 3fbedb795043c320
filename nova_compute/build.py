"""The steps of building one instance on this host, task_state by task_state."""

import datetime
import logging
import time
import traceback

from common import exception
from common import metrics
from common import states
from common.conf import CONF
from nova_compute import volumes
from nova_compute.virt import configdrive

LOG = logging.getLogger(__name__)
# A build's task_states in order; the compute moves through those after
# scheduling in one call (see _enter_spawning).
BUILD_STEPS = (states.SCHEDULING, states.NETWORKING,
               states.BLOCK_DEVICE_MAPPING, states.SPAWNING)


def _now_iso():
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


def _parsed_time(text):
    """An instance's stored time (ISO 8601, UTC when it names no zone),
    or None."""
    try:
        when = datetime.datetime.fromisoformat(str(text).replace('Z', ''))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(
        tzinfo=datetime.timezone.utc)


class InstanceBuilder:

    def __init__(self, host, driver, conductor_api, volumes_api=None):
        self.host = host
        self.driver = driver
        self.conductor = conductor_api
        self.volumes = volumes_api or volumes.Volumes(host, driver,
                                                      conductor_api)

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
        metrics.add('nova_compute_builds_in_flight', 1)
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
            if volumes.volume_mappings(instance):
                self._release_connections(ctxt, instance)
            message = (error.message
                       if isinstance(error, exception.NovaException)
                       else '%s: %s' % (type(error).__name__, error))
            self.conductor.build_failed(
                ctxt, uuid, self.host, message,
                details=traceback.format_exc(),
                alternates=alternates, request_spec=request_spec)
        finally:
            metrics.add('nova_compute_builds_in_flight', -1)

    def _build(self, ctxt, instance, image, request_spec, resume_from):
        block_devices = []
        if volumes.volume_mappings(instance):
            instance, block_devices = self._volumes_step(ctxt, instance,
                                                         resume_from)
            resume_from = states.BLOCK_DEVICE_MAPPING
        instance, network_info = self._enter_spawning(
            ctxt, instance, request_spec, resume_from)
        started = time.monotonic()
        self.driver.spawn(instance, image or {}, network_info,
                          block_devices=block_devices)
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
        LOG.info('%s is running here (spawned in %.2f s)', instance['uuid'],
                 time.monotonic() - started, extra={'context': ctxt})
        metrics.inc('nova_boots_total', result='succeeded')
        accepted = _parsed_time(instance.get('created_at'))
        if accepted is not None:
            metrics.observe('nova_boot_seconds', max(0.0, (
                datetime.datetime.now(datetime.timezone.utc) -
                accepted).total_seconds()))

    def _volumes_step(self, ctxt, instance, resume_from):
        """The block_device_mapping step of a build with volumes: they are
        made, reserved and connected to this host (volumes.py), each
        step recorded, so a resumed build goes on from where it was."""
        if resume_from != states.BLOCK_DEVICE_MAPPING:
            steps = BUILD_STEPS[BUILD_STEPS.index(resume_from) + 1:
                                BUILD_STEPS.index(states.BLOCK_DEVICE_MAPPING)]
            instance = self._advance(ctxt, instance, resume_from,
                                     {'task_state':
                                      states.BLOCK_DEVICE_MAPPING},
                                     through=list(steps))
        return instance, self.volumes.prepare(ctxt, instance)

    def _release_connections(self, ctxt, instance):
        """After a failed build: the volumes' attachments go, the volumes
        stay with the instance, for the next host to connect, or for the
        delete to remove."""
        try:
            for bdm in self.conductor.block_devices_get(ctxt,
                                                        instance['uuid']):
                if volumes.is_volume(bdm):
                    self.volumes.disconnect(ctxt, bdm)
        except Exception:
            LOG.exception('Releasing the volume attachments of %s after a '
                          'failed build', instance['uuid'])

    def _cleanup_domain(self, instance):
        try:
            self.driver.destroy(instance)
        except Exception:
            LOG.exception('Cleaning up %s after a failed build',
                          instance['uuid'])
