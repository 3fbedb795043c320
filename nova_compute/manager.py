"""nova-compute's RPC endpoint: thin methods over build.py and the driver."""

import collections
from concurrent import futures
import contextlib
import logging
import threading

import oslo_messaging as messaging

from common import context as nova_context
from common import exception
from common import glance_client
from common import states
from common.conf import CONF
from nova_compute import build
from nova_compute import consoles
from nova_compute import lifecycle
from nova_compute import rebuild
from nova_compute import recovery
from nova_compute import resources
from nova_compute import volumes

LOG = logging.getLogger(__name__)
# Builds that arrived together run side by side on these; each mostly
# waits for its domain to start.
BUILD_THREADS = 64


class _InstanceLocks:
    """One lock per instance, so operations on it never overlap; and which
    instances have work queued or running here (`busy`), which the
    periodic recovery of stuck task_states leaves alone."""

    def __init__(self):
        self._guard = threading.Lock()
        self._locks = collections.defaultdict(threading.Lock)
        self._pending = collections.Counter()

    @contextlib.contextmanager
    def __call__(self, uuid):
        self.expect(uuid)
        try:
            with self._guard:
                lock = self._locks[uuid]
            with lock:
                yield
        finally:
            self.done(uuid)

    def expect(self, uuid):
        """Work for `uuid` is on its way (queued on the build pool)."""
        with self._guard:
            self._pending[uuid] += 1

    def done(self, uuid):
        with self._guard:
            self._pending[uuid] -= 1
            if not self._pending[uuid]:
                del self._pending[uuid]

    def busy(self, uuid):
        with self._guard:
            return uuid in self._pending

    def forget(self, uuid):
        with self._guard:
            self._locks.pop(uuid, None)


class ComputeManager:
    target = messaging.Target(version='1.10')

    def __init__(self, driver=None, conductor_api=None, host=None):
        if driver is None:
            from nova_compute.virt import loader as virt_loader
            driver = virt_loader.load_driver(CONF)
        if conductor_api is None:
            from nova_conductor import rpcapi as conductor_rpcapi
            conductor_api = conductor_rpcapi.ConductorAPI()
        self.host = host or CONF.host
        self.driver = driver
        self.conductor = conductor_api
        self.builder = build.InstanceBuilder(self.host, driver,
                                             conductor_api)
        self.power = lifecycle.PowerOperations(self.host, driver,
                                               conductor_api)
        self.rebuilder = rebuild.Rebuilder(self.host, driver, conductor_api,
                                           self.builder.volumes)
        self.locks = _InstanceLocks()
        self._builds = futures.ThreadPoolExecutor(
            max_workers=BUILD_THREADS, thread_name_prefix='build')
        self.stuck_tasks = recovery.StuckTasks(self)
        # Kernel/ramdisk images named by an image's properties are found
        # where the image itself came from: the external Glance, or the
        # local registry through the conductor.
        glance = glance_client.GlanceClient(CONF)

        def locate(image_id):
            if glance.is_external():
                return glance.get(image_id)
            return conductor_api.image_get(nova_context.get_admin_context(),
                                           image_id)
        driver.image_locator = locate

    # -- service hooks -----------------------------------------------------

    def init_host(self):
        self.conductor.wait_until_ready(nova_context.get_admin_context())
        self.driver.init_host(self.host)
        self.heartbeat()
        recovery.reconcile(self)
        # No resource report here: the first is the periodic task's, run
        # as soon as the RPC server has declared this host's queue. A node
        # reported before that could be chosen, and on a first start its
        # build cast would be dropped by the broker (no queue yet).

    def periodic_tasks(self):
        tasks = [('update_available_resource',
                  CONF.update_resources_interval,
                  self.update_available_resource, 1.0),
                 ('sync_power_states', CONF.sync_power_state_interval,
                  self.sync_power_states)]
        if CONF.recover_stuck_tasks_interval:
            tasks.append(('recover_stuck_tasks',
                          CONF.recover_stuck_tasks_interval,
                          self.recover_stuck_tasks))
        return tasks

    def recover_stuck_tasks(self):
        return self.stuck_tasks()

    def sync_power_states(self):
        self.power.sync_power_states()

    def heartbeat(self, *_args):
        self.conductor.service_heartbeat(nova_context.get_admin_context(),
                                         self.host, 'nova-compute',
                                         'compute')

    def update_available_resource(self):
        report = resources.node_resources(
            self.driver.get_available_resource())
        self.conductor.compute_node_update(
            nova_context.get_admin_context(), self.host,
            report['hypervisor_hostname'], report)

    # -- RPC methods -------------------------------------------------------

    def build_and_run_instance(self, context, instance, image, request_spec,
                               node=None, limits=None, alternates=None):
        with self.locks(instance['uuid']):
            self.builder.build(context, instance, image, request_spec,
                               alternates or [])

    def build_and_run_instances(self, context, builds):
        """Builds placed here at one moment, cast in one message: each runs
        on a thread of its own, as if it had come alone."""
        for one in builds:
            self._submit(one['kwargs']['instance']['uuid'], self._build_one,
                         one['context'], one['kwargs'])

    def _submit(self, uuid, func, *args):
        """Run `func(*args)` on the build pool; `uuid` counts as busy
        from now on, not only once a pool thread takes its lock."""
        self.locks.expect(uuid)

        def run():
            try:
                func(*args)
            finally:
                self.locks.done(uuid)
        self._builds.submit(run)

    def _build_one(self, context_dict, kwargs):
        try:
            self.build_and_run_instance(
                nova_context.RequestContext.from_dict(context_dict),
                **kwargs)
        except Exception:
            # builder.build reports its own failures; this is for anything
            # before it (a pool thread would drop the error silently).
            LOG.exception('Build of %s could not start',
                          kwargs['instance']['uuid'])

    def resume_build(self, context, instance, resume_from):
        """Run again, on the build pool, a build this host was doing when
        nova-compute stopped (recovery.py): from the task_state it was
        left in, under the instance's lock like any build."""
        def run():
            uuid = instance['uuid']
            try:
                with self.locks(uuid):
                    try:
                        image = self._spec_image(instance)
                    except exception.NovaException as error:
                        self.conductor.build_failed(
                            context, uuid, self.host, error.message)
                        return
                    self.builder.build(
                        context, instance, image,
                        instance['request_spec'] or {}, [], resume_from)
            except Exception:
                LOG.exception('Resumed build of %s could not start', uuid)
        self._submit(instance['uuid'], run)

    def _spec_image(self, instance):
        """The image record of a build's request spec (the API stored the
        whole record there), else as the image service has it."""
        image = (instance['request_spec'] or {}).get('image') or {}
        if not image.get('id'):
            return None
        if glance_client.is_record(image):
            return image
        return self.driver.image_locator(image['id'])

    def stop_instance(self, context, instance):
        with self.locks(instance['uuid']):
            self.power.stop(context, instance)

    def start_instance(self, context, instance):
        with self.locks(instance['uuid']):
            self.power.start(context, instance)

    def pause_instance(self, context, instance):
        with self.locks(instance['uuid']):
            self.power.simple(context, instance, states.PAUSING,
                              self.driver.pause)

    def unpause_instance(self, context, instance):
        with self.locks(instance['uuid']):
            self.power.simple(context, instance, states.UNPAUSING,
                              self.driver.unpause)

    def suspend_instance(self, context, instance):
        with self.locks(instance['uuid']):
            self.power.simple(context, instance, states.SUSPENDING,
                              self.driver.suspend)

    def resume_instance(self, context, instance):
        with self.locks(instance['uuid']):
            self.power.simple(context, instance, states.RESUMING,
                              self.driver.resume)

    def reboot_instance(self, context, instance, reboot_type='SOFT'):
        with self.locks(instance['uuid']):
            self.power.reboot(context, instance, reboot_type)

    def rebuild_instance(self, context, instance, image, evacuate=False,
                         target_state=None):
        with self.locks(instance['uuid']):
            self.rebuilder.rebuild(context, instance, image, evacuate,
                                   target_state)

    def terminate_instance(self, context, instance):
        uuid = instance['uuid']
        with self.locks(uuid):
            try:
                self.driver.destroy(instance)
            except exception.NovaException:
                LOG.exception('Destroying domain of %s failed', uuid)
                raise
            if volumes.volume_mappings(instance):
                # Before the record goes: a volume still attached stops
                # the delete (tried again), it is never forgotten.
                self.builder.volumes.release_all(context, instance)
            try:
                self.conductor.instance_destroy(context, uuid)
            except exception.InstanceNotFound:
                pass
        self.locks.forget(uuid)

    # (1.5)
    def attach_volume(self, context, instance, bdm):
        """Connect a volume to a live instance and plug its disk; the
        mapping as attached (its device name)."""
        with self.locks(instance['uuid']):
            mappings = volumes.volume_mappings(instance)
            try:
                return self.builder.volumes.connect(
                    context, instance, bdm, mappings,
                    plug=lambda b: self.driver.attach_volume(instance, b))
            except Exception:
                LOG.exception('Attaching volume %s to %s failed',
                              bdm.get('volume_id'), instance['uuid'])
                # Nothing is left reserved: the mapping goes too.
                self.builder.volumes.release(context, dict(
                    bdm, **self._current(context, bdm)), delete_volume=False)
                raise

    def _current(self, context, bdm):
        for row in self.conductor.block_devices_get(context,
                                                    bdm['instance_uuid']):
            if row['id'] == bdm['id']:
                return row
        return {}

    # (1.5)
    def detach_volume(self, context, instance, bdm):
        """Unplug a volume's disk, delete its attachment, forget it."""
        with self.locks(instance['uuid']):
            self.builder.volumes.release(
                context, bdm, delete_volume=False,
                unplug=lambda b: self.driver.detach_volume(instance, b))

    def volume_devices(self, context, instance):
        return self.driver.volume_devices(instance)

    def get_console_output(self, context, instance, tail_length=None):
        output = self.driver.get_console_output(instance)
        if tail_length is not None:
            lines = output.splitlines()
            output = '\n'.join(lines[-int(tail_length):]) if tail_length \
                else ''
        return output

    # (1.10)
    def get_vnc_console(self, context, instance, console_type):
        return consoles.vnc(self.driver, instance, console_type)

    # (1.10)
    def get_serial_console(self, context, instance, console_type):
        return consoles.serial(self.driver, instance, console_type)

    def get_diagnostics(self, context, instance):
        return self.driver.get_diagnostics(instance)

    def get_instance_diagnostics(self, context, instance):
        return self.driver.get_instance_diagnostics(instance)

    def get_host_uptime(self, context):
        return self.driver.get_host_uptime()

    def list_instance_uuids(self, context):
        return self.driver.list_instance_uuids()
