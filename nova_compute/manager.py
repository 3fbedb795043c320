"""nova-compute's RPC endpoint: thin methods over build.py and the driver."""

import collections
from concurrent import futures
import contextlib
import logging
import threading
import time

import oslo_messaging as messaging

from common import context as nova_context
from common import exception
from common import glance_client
from common import states
from common.conf import CONF
from nova_compute import build
from nova_compute import consoles
from nova_compute import lifecycle
from nova_compute import live_migration
from nova_compute import rebuild
from nova_compute import recovery
from nova_compute import rescue
from nova_compute import resize
from nova_compute import resources
from nova_compute import shelve
from nova_compute import snapshot
from nova_compute import volumes

LOG = logging.getLogger(__name__)
# Builds that arrived together run side by side on these; each mostly
# waits for its domain to start.
BUILD_THREADS = 64
# An unchanged resource report is sent again after this many
# update_resources_interval periods (update_available_resource).
FORCED_REPORT_EVERY = 10


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


class _Lazy:
    """The manager's compute_api, looked up at each use."""

    def __init__(self, manager):
        self._manager = manager

    def __getattr__(self, name):
        return getattr(self._manager.compute_api, name)


class ComputeManager:
    target = messaging.Target(version='1.12')

    def __init__(self, driver=None, conductor_api=None, host=None,
                 compute_api=None):
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
        self.rescuer = rescue.Rescuer(self.host, driver, conductor_api)
        self.snapshots = snapshot.Snapshots(
            self.host, driver, conductor_api,
            glance_client.GlanceClient(CONF))
        self.shelving = shelve.Shelving(self.host, driver, conductor_api,
                                        self.snapshots)
        self.locks = _InstanceLocks()
        # The last resource report sent, and when (update_available_resource).
        self._last_report = None
        self._last_report_at = 0.0
        # Casts to the other compute of a move, made when first needed.
        self._compute_api = compute_api
        self.resizer = resize.Resizer(self.host, driver, conductor_api,
                                      _Lazy(self), self._spec_image)
        self._builds = futures.ThreadPoolExecutor(
            max_workers=BUILD_THREADS, thread_name_prefix='build')
        self.stuck_tasks = recovery.StuckTasks(self)
        self.live_migrations = live_migration.LiveMigrations(self)
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

    @property
    def compute_api(self):
        """The client for other computes (live migration's host to host
        calls), made on first use."""
        if self._compute_api is None:
            from nova_compute import rpcapi as compute_rpcapi
            self._compute_api = compute_rpcapi.ComputeAPI()
        return self._compute_api

    # -- service hooks -----------------------------------------------------

    def init_host(self):
        self.conductor.wait_until_ready(nova_context.get_admin_context())
        self.driver.init_host(self.host)
        self.heartbeat()
        recovery.reconcile(self)
        self.live_migrations.recover_at_start()
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
        if CONF.shelved_poll_interval > 0:
            tasks.append(('offload_shelved', CONF.shelved_poll_interval,
                          self.shelving.offload_old))
        # The conductor sweeps the fleet and casts each host its stuck-task
        # candidates (check_stuck_tasks); until it may, the host looks.
        if CONF.recover_stuck_tasks_interval and \
                not recovery.conductor_sweeps():
            tasks.append(('recover_stuck_tasks',
                          CONF.recover_stuck_tasks_interval,
                          lambda: recovery.look_for_itself(self)))
        return tasks

    # (1.12)
    def check_stuck_tasks(self, context, instances, interval):
        """The conductor's sweep found `instances` of this host in a
        recoverable task_state; those unchanged since an earlier sweep
        are recovered. The uuids recovered."""
        return self.stuck_tasks(instances, interval)

    def sync_power_states(self):
        self.power.sync_power_states()

    def heartbeat(self, *_args):
        self.conductor.service_heartbeat(nova_context.get_admin_context(),
                                         self.host, 'nova-compute',
                                         'compute')

    def update_available_resource(self):
        """Report this hypervisor's resources when they changed since the
        last report sent, or when that one is FORCED_REPORT_EVERY periods
        old: an idle host then costs the conductor nothing here, yet a
        node row an admin deleted with its service (re-registered by the
        next heartbeat) or a database restored from a backup is written
        again within that time."""
        report = resources.node_resources(
            self.driver.get_available_resource())
        now = time.monotonic()
        if (report == self._last_report and now - self._last_report_at <
                FORCED_REPORT_EVERY * CONF.update_resources_interval):
            return False
        self.conductor.compute_node_update(
            nova_context.get_admin_context(), self.host,
            report['hypervisor_hostname'], report)
        self._last_report, self._last_report_at = report, now
        return True

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

    # (1.9)
    def rescue_instance(self, context, instance, image):
        with self.locks(instance['uuid']):
            self.rescuer.rescue(context, instance, image)

    # (1.9)
    def unrescue_instance(self, context, instance):
        with self.locks(instance['uuid']):
            self.rescuer.unrescue(context, instance)

    # (1.9)
    def trigger_crash_dump(self, context, instance):
        # No instance lock: an NMI is one quick hypervisor call, and the
        # conductor let it through only with no task under way.
        self.driver.inject_nmi(instance)

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

    # (1.8)
    def snapshot_instance(self, context, instance, image, kind,
                          backup_type=None, rotation=None):
        with self.locks(instance['uuid']):
            self.snapshots.snapshot(context, instance, image, kind,
                                    backup_type, rotation)

    # (1.8)
    def shelve_instance(self, context, instance, image):
        with self.locks(instance['uuid']):
            self.shelving.shelve(context, instance, image)

    # (1.8)
    def shelve_offload_instance(self, context, instance):
        with self.locks(instance['uuid']):
            self.shelving.offload(context, instance)

    # (1.8)
    def unshelve_instance(self, context, instance, image=None, node=None):
        with self.locks(instance['uuid']):
            self.shelving.unshelve(context, instance, image)

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

    # -- resize and cold migration (1.7) -------------------------------------

    def resize_instance(self, context, instance, migration):
        with self.locks(instance['uuid']):
            self.resizer.resize(context, instance, migration)

    def finish_resize(self, context, instance, migration, disk_info):
        with self.locks(instance['uuid']):
            self.resizer.finish(context, instance, migration, disk_info)

    def confirm_resize(self, context, instance, migration):
        with self.locks(instance['uuid']):
            self.resizer.confirm(context, instance, migration)

    def revert_resize(self, context, instance, migration):
        with self.locks(instance['uuid']):
            self.resizer.revert(context, instance, migration)

    def finish_revert_resize(self, context, instance, migration,
                             failed=False, message=None, details=None):
        with self.locks(instance['uuid']):
            self.resizer.finish_revert(context, instance, migration, failed,
                                       message, details)

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

    # -- live migration (1.11): nova_compute/live_migration.py --------------

    def check_can_live_migrate_destination(self, context, instance,
                                           block_migration='auto'):
        """On the destination; asks the source in turn; migrate_data."""
        return self.live_migrations.check_destination(
            context, instance, block_migration)

    def check_can_live_migrate_source(self, context, instance,
                                      dest_check_data):
        return self.live_migrations.steps.check_source(instance,
                                                       dest_check_data)

    def pre_live_migration(self, context, instance, migrate_data):
        with self.locks(instance['uuid']):
            return self.live_migrations.pre_live_migration(
                context, instance, migrate_data)

    def live_migration(self, context, instance, dest, migrate_data,
                       migration=None):
        """Runs on the build pool, under the instance's lock; abort and
        force-complete reach it meanwhile."""
        def run():
            with self.locks(instance['uuid']):
                self.live_migrations.live_migration(
                    context, instance, dest, migrate_data, migration)
        self._submit(instance['uuid'], run)

    def live_migration_abort(self, context, instance, migration_id=None):
        self.live_migrations.abort(context, instance, migration_id)

    def live_migration_force_complete(self, context, instance):
        self.live_migrations.force_complete(context, instance)

    def post_live_migration_at_destination(self, context, instance,
                                           migrate_data, migration=None):
        with self.locks(instance['uuid']):
            return self.live_migrations.post_at_destination(
                context, instance, migrate_data, migration)

    def rollback_live_migration_at_destination(self, context, instance,
                                               migrate_data):
        with self.locks(instance['uuid']):
            self.live_migrations.rollback_at_destination(
                context, instance, migrate_data)
