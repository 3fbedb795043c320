"""Rebuild (new image, same host) and evacuate (same image, new host).

Both recreate the domain for an existing instance: same id, flavor,
fixed IPs and volumes; task_state walks rebuilding ->
rebuild_block_device_mapping (an evacuated instance's volumes are
connected to its new host) -> rebuild_spawning. The spawn writes a new
config drive (destroy removed the old one with the instance directory),
so it carries the user data and image the rebuild set.
"""

import logging
import traceback

from common import exception
from common import states
from common.conf import CONF
from nova_compute import volumes
from nova_compute.virt import configdrive

LOG = logging.getLogger(__name__)
REBUILD_TASKS = [states.REBUILDING, states.REBUILD_BLOCK_DEVICE_MAPPING,
                 states.REBUILD_SPAWNING]


class Rebuilder:

    def __init__(self, host, driver, conductor_api, volumes_api=None):
        self.host = host
        self.driver = driver
        self.conductor = conductor_api
        self.volumes = volumes_api or volumes.Volumes(host, driver,
                                                      conductor_api)

    def _step(self, ctxt, instance, expected, task_state):
        return self.conductor.instance_update(
            ctxt, instance['uuid'], {'task_state': task_state},
            expected_task_state=expected, host=self.host)

    def _volumes(self, ctxt, instance, evacuate):
        """The volumes the new domain gets: on the same host, as they are
        connected; evacuated, connected to this host instead of the one
        that went down (its attachment deleted first, so a step
        interrupted here is taken again from what is recorded)."""
        mappings = volumes.volume_mappings(instance)
        if not mappings:
            return []
        if evacuate:
            mappings = [self.volumes.disconnect(ctxt, bdm)
                        for bdm in mappings]
        return [self.volumes.connect(ctxt, instance, bdm, mappings)
                for bdm in mappings]

    def rebuild(self, ctxt, instance, image, evacuate=False,
                target_state=None):
        # A stopped server is rebuilt stopped, as Nova does: its owner
        # stopped it, and a rebuild (or a move) does not start it. An
        # evacuation may also ask for it stopped (target_state, 2.95).
        keep_stopped = (instance.get('vm_state') == states.STOPPED or
                        target_state == states.STOPPED)
        try:
            # Evacuated instances have no domain here, and their disks on
            # shared storage (RBD) are what the spawn re-uses.
            self.driver.destroy(instance, destroy_disks=not evacuate)
            instance = self._step(ctxt, instance, states.REBUILDING,
                                  states.REBUILD_BLOCK_DEVICE_MAPPING)
            network_info = []
            if instance.get('fixed_ips'):
                # Idempotent: hands back the addresses it already holds.
                network_info.append(self.conductor.allocate_fixed_ip(
                    ctxt, instance['uuid']))
            block_devices = self._volumes(ctxt, instance, evacuate)
            instance = self._step(ctxt, instance,
                                  states.REBUILD_BLOCK_DEVICE_MAPPING,
                                  states.REBUILD_SPAWNING)
            self.driver.spawn(instance, image or {}, network_info,
                              block_devices=block_devices)
            power = self.driver.wait_for_running(
                instance, CONF.libvirt.wait_running_timeout)
            if power != states.RUNNING:
                raise exception.HypervisorError(
                    reason='domain did not reach running')
            vm_state = states.ACTIVE
            if keep_stopped:
                self.driver.power_off(instance, CONF.shutdown_timeout)
                power = self.driver.get_power_state(instance)
                vm_state = states.STOPPED
            self.conductor.instance_task_done(
                ctxt, instance['uuid'],
                dict(configdrive.recorded(instance), vm_state=vm_state,
                     power_state=power),
                states.REBUILD_SPAWNING, host=self.host)
        except (exception.UnexpectedTaskState, exception.InstanceNotFound):
            LOG.info('Rebuild of %s overtaken by another operation',
                     instance['uuid'])
        except Exception as error:
            LOG.exception('Rebuild of %s failed', instance['uuid'])
            try:
                self.conductor.instance_task_done(
                    ctxt, instance['uuid'],
                    {'vm_state': states.ERROR,
                     'power_state': self.driver.get_power_state(instance)},
                    REBUILD_TASKS, failed=True,
                    message=getattr(error, 'message', None) or str(error),
                    details=traceback.format_exc(), host=self.host)
            except (exception.UnexpectedTaskState,
                    exception.InstanceNotFound):
                pass
