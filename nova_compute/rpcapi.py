"""Client for nova-compute: casts addressed to one host's queue.

Version history:
  1.0 - first version
  1.1 - get_host_uptime
  1.2 - build_and_run_instances (a host's builds of one moment together)
  1.3 - list_instance_uuids (the instances the hypervisor really has, for
        checks that compare it with the database, e.g. the fault tests)
  1.4 - get_instance_diagnostics (Nova's standard diagnostics, 2.48)
  1.5 - attach_volume, detach_volume, volume_devices (Cinder volumes of a
        live instance)
  1.6 - rebuild_instance's target_state (an evacuation that ends stopped)
  1.7 - resize_instance, finish_resize, confirm_resize, revert_resize,
        finish_revert_resize (resize and cold migration, docs/resize.md)
  1.8 - snapshot_instance (createImage, createBackup), shelve_instance,
        shelve_offload_instance, unshelve_instance
  1.9 - rescue_instance, unrescue_instance (casts), trigger_crash_dump
        (a call: the API answers once the NMI went in)
  1.10 - get_vnc_console, get_serial_console (remote consoles: where the
        guest's VNC server or TCP serial port is)
  1.11 - live migration: check_can_live_migrate_destination/_source,
         pre_live_migration, live_migration, live_migration_abort,
         live_migration_force_complete, post_live_migration_at_destination,
         rollback_live_migration_at_destination
  1.12 - check_stuck_tasks (the conductor's sweep tells a host its
         instances left in a recoverable task_state, instead of each host
         asking every period)
"""

from common import exception
from common import rpc
from common.conf import CONF


class ComputeAPI(rpc.RPCAPIBase):
    TOPIC = 'compute'
    RPC_API_VERSION = '1.12'
    SERVICE_NAME = 'nova-compute'

    def __init__(self, timeout=None):
        super().__init__(timeout, version_cap=CONF.upgrade_levels.compute)

    def build_and_run_instances(self, host, builds):
        """Cast several builds placed on `host` at once in one message (a
        message costs more than the build it carries). `builds` are
        (context, build_and_run_instance's keyword arguments) pairs; each
        build keeps its own context. Computes older than 1.2 get one cast
        per build."""
        if len(builds) > 1 and self.can_send_version('1.2'):
            self.cast(builds[0][0], 'build_and_run_instances', '1.2',
                      server=host, builds=[
                          {'context': ctxt.to_dict(), 'kwargs': kwargs}
                          for ctxt, kwargs in builds])
            return
        for ctxt, kwargs in builds:
            self.build_and_run_instance(ctxt, host, **kwargs)

    def build_and_run_instance(self, ctxt, host, instance, image,
                               request_spec, node=None, limits=None,
                               alternates=None):
        self.cast(ctxt, 'build_and_run_instance', '1.0', server=host,
                  instance=instance, image=image, request_spec=request_spec,
                  node=node, limits=limits, alternates=alternates or [])

    def stop_instance(self, ctxt, host, instance):
        self.cast(ctxt, 'stop_instance', '1.0', server=host,
                  instance=instance)

    def start_instance(self, ctxt, host, instance):
        self.cast(ctxt, 'start_instance', '1.0', server=host,
                  instance=instance)

    def pause_instance(self, ctxt, host, instance):
        self.cast(ctxt, 'pause_instance', '1.0', server=host,
                  instance=instance)

    def unpause_instance(self, ctxt, host, instance):
        self.cast(ctxt, 'unpause_instance', '1.0', server=host,
                  instance=instance)

    def suspend_instance(self, ctxt, host, instance):
        self.cast(ctxt, 'suspend_instance', '1.0', server=host,
                  instance=instance)

    def resume_instance(self, ctxt, host, instance):
        self.cast(ctxt, 'resume_instance', '1.0', server=host,
                  instance=instance)

    def reboot_instance(self, ctxt, host, instance, reboot_type='SOFT'):
        self.cast(ctxt, 'reboot_instance', '1.0', server=host,
                  instance=instance, reboot_type=reboot_type)

    def rebuild_instance(self, ctxt, host, instance, image, evacuate=False,
                         target_state=None):
        kwargs = {'instance': instance, 'image': image,
                  'evacuate': evacuate}
        version = '1.0'
        if target_state:
            kwargs['target_state'] = target_state
            version = '1.6'
        self.cast(ctxt, 'rebuild_instance', version, server=host, **kwargs)

    def terminate_instance(self, ctxt, host, instance):
        self.cast(ctxt, 'terminate_instance', '1.0', server=host,
                  instance=instance)

    def get_console_output(self, ctxt, host, instance, tail_length=None):
        return self.call(ctxt, 'get_console_output', '1.0', server=host,
                         instance=instance, tail_length=tail_length)

    def _console_version(self, console_type):
        if not self.can_send_version('1.10'):
            raise exception.ConsoleNotImplemented(console_type=console_type)
        return '1.10'

    def get_vnc_console(self, ctxt, host, instance, console_type):
        """Where the guest's VNC server is (host, port, the proxy URL)."""
        return self.call(ctxt, 'get_vnc_console',
                         self._console_version(console_type), server=host,
                         instance=instance, console_type=console_type)

    def get_serial_console(self, ctxt, host, instance, console_type):
        """Where the guest's TCP serial port is (host, port, proxy URL)."""
        return self.call(ctxt, 'get_serial_console',
                         self._console_version(console_type), server=host,
                         instance=instance, console_type=console_type)

    def get_diagnostics(self, ctxt, host, instance):
        return self.call(ctxt, 'get_diagnostics', '1.0', server=host,
                         instance=instance)

    def get_instance_diagnostics(self, ctxt, host, instance):
        """Nova's standard diagnostics; InstanceDiagnosticsUnsupported
        while `[upgrade_levels] compute` holds computes below 1.4."""
        if not self.can_send_version('1.4'):
            raise exception.InstanceDiagnosticsUnsupported()
        return self.call(ctxt, 'get_instance_diagnostics', '1.4',
                         server=host, instance=instance)

    def get_host_uptime(self, ctxt, host):
        return self.call(ctxt, 'get_host_uptime', '1.1', server=host)

    def list_instance_uuids(self, ctxt, host):
        """The uuids of the instances whose domains `host`'s hypervisor
        has, whatever the database says (a test-driver node keeps its
        domains in the nova-compute process, so only it can answer)."""
        return self.call(ctxt, 'list_instance_uuids', '1.3', server=host)

    def _volume_version(self):
        if not self.can_send_version('1.5'):
            raise exception.Conflict(
                reason='the compute service is too old for volumes '
                       '([upgrade_levels] compute holds it below 1.5)')
        return '1.5'

    def attach_volume(self, ctxt, host, instance, bdm):
        """Connect and plug a volume; the mapping as attached."""
        return self.call(ctxt, 'attach_volume', self._volume_version(),
                         server=host, instance=instance, bdm=bdm)

    def detach_volume(self, ctxt, host, instance, bdm):
        return self.call(ctxt, 'detach_volume', self._volume_version(),
                         server=host, instance=instance, bdm=bdm)

    def volume_devices(self, ctxt, host, instance):
        """The guest devices the instance's volumes are plugged at, as
        its hypervisor has them."""
        return self.call(ctxt, 'volume_devices', self._volume_version(),
                         server=host, instance=instance)

    # -- resize and cold migration (1.7) ------------------------------------

    def resize_instance(self, ctxt, host, instance, migration):
        """To the source: power off, set the disks aside for the target."""
        self.cast(ctxt, 'resize_instance', '1.7', server=host,
                  instance=instance, migration=migration)

    def finish_resize(self, ctxt, host, instance, migration, disk_info):
        """To the target: take the disks, start with the new flavor."""
        self.cast(ctxt, 'finish_resize', '1.7', server=host,
                  instance=instance, migration=migration,
                  disk_info=disk_info)

    def confirm_resize(self, ctxt, host, instance, migration):
        """To the source: drop what it kept for a revert."""
        self.cast(ctxt, 'confirm_resize', '1.7', server=host,
                  instance=instance, migration=migration)

    def revert_resize(self, ctxt, host, instance, migration):
        """To the target: drop its copy, then hand back to the source."""
        self.cast(ctxt, 'revert_resize', '1.7', server=host,
                  instance=instance, migration=migration)

    def finish_revert_resize(self, ctxt, host, instance, migration,
                             failed=False, message=None, details=None):
        """To the source: bring the instance back as before the move
        (`failed`: the move failed on the target, with `message`)."""
        self.cast(ctxt, 'finish_revert_resize', '1.7', server=host,
                  instance=instance, migration=migration, failed=failed,
                  message=message, details=details)

    # -- rescue and crash dumps (1.9) ---------------------------------------

    def _rescue_version(self):
        if not self.can_send_version('1.9'):
            raise exception.Conflict(
                reason='the compute service is too old for rescue and '
                       'crash dumps ([upgrade_levels] compute holds it '
                       'below 1.9)')
        return '1.9'

    def rescue_instance(self, ctxt, host, instance, image):
        """Boot the instance from a rescue disk made from `image`."""
        self.cast(ctxt, 'rescue_instance', self._rescue_version(),
                  server=host, instance=instance, image=image)

    def unrescue_instance(self, ctxt, host, instance):
        self.cast(ctxt, 'unrescue_instance', self._rescue_version(),
                  server=host, instance=instance)

    def trigger_crash_dump(self, ctxt, host, instance):
        """Inject an NMI into the guest; TriggerCrashDumpNotSupported
        where the hypervisor cannot, InstanceNotReady when it is not
        running."""
        return self.call(ctxt, 'trigger_crash_dump', self._rescue_version(),
                         server=host, instance=instance)

    # -- live migration (1.11; nova_compute/live_migration.py) ---------------

    def _live_migration_version(self):
        if not self.can_send_version('1.11'):
            raise exception.MigrationPreCheckError(
                reason='the compute service is too old for live migration '
                       '([upgrade_levels] compute holds it below 1.11)')
        return '1.11'

    def check_can_live_migrate_destination(self, ctxt, destination,
                                           instance, block_migration='auto'):
        """Asked of the destination, which asks the source in turn; the
        migrate_data the migration then carries (MigrationPreCheckError
        when it cannot be done)."""
        return self.call(ctxt, 'check_can_live_migrate_destination',
                         self._live_migration_version(), server=destination,
                         instance=instance, block_migration=block_migration)

    def check_can_live_migrate_source(self, ctxt, source, instance,
                                      dest_check_data):
        return self.call(ctxt, 'check_can_live_migrate_source',
                         self._live_migration_version(), server=source,
                         instance=instance, dest_check_data=dest_check_data)

    def pre_live_migration(self, ctxt, destination, instance, migrate_data):
        return self.call(ctxt, 'pre_live_migration',
                         self._live_migration_version(), server=destination,
                         instance=instance, migrate_data=migrate_data)

    def live_migration(self, ctxt, source, instance, dest, migrate_data,
                       migration=None):
        """Cast to the source, which runs the migration and reports how
        it ended (nova_compute/live_migration.py's reporter)."""
        self.cast(ctxt, 'live_migration', self._live_migration_version(),
                  server=source, instance=instance, dest=dest,
                  migrate_data=migrate_data, migration=migration)

    def live_migration_abort(self, ctxt, source, instance,
                             migration_id=None):
        self.cast(ctxt, 'live_migration_abort',
                  self._live_migration_version(), server=source,
                  instance=instance, migration_id=migration_id)

    def live_migration_force_complete(self, ctxt, source, instance):
        self.cast(ctxt, 'live_migration_force_complete',
                  self._live_migration_version(), server=source,
                  instance=instance)

    def post_live_migration_at_destination(self, ctxt, destination,
                                           instance, migrate_data,
                                           migration=None):
        return self.call(ctxt, 'post_live_migration_at_destination',
                         self._live_migration_version(), server=destination,
                         instance=instance, migrate_data=migrate_data,
                         migration=migration)

    def rollback_live_migration_at_destination(self, ctxt, destination,
                                               instance, migrate_data):
        self.cast(ctxt, 'rollback_live_migration_at_destination',
                  self._live_migration_version(), server=destination,
                  instance=instance, migrate_data=migrate_data)

    # -- snapshots and shelving (1.8) ---------------------------------------

    def _snapshot_version(self):
        if not self.can_send_version('1.8'):
            raise exception.Conflict(
                reason='the compute service is too old for snapshots and '
                       'shelving ([upgrade_levels] compute holds it below '
                       '1.8)')
        return '1.8'

    def snapshot_instance(self, ctxt, host, instance, image, kind,
                          backup_type=None, rotation=None):
        """Copy the root disk to the queued `image` (kind 'snapshot' or
        'backup'; a backup keeps `rotation` of its `backup_type`)."""
        self.cast(ctxt, 'snapshot_instance', self._snapshot_version(),
                  server=host, instance=instance, image=image, kind=kind,
                  backup_type=backup_type, rotation=rotation)

    def shelve_instance(self, ctxt, host, instance, image):
        self.cast(ctxt, 'shelve_instance', self._snapshot_version(),
                  server=host, instance=instance, image=image)

    def shelve_offload_instance(self, ctxt, host, instance):
        self.cast(ctxt, 'shelve_offload_instance', self._snapshot_version(),
                  server=host, instance=instance)

    def unshelve_instance(self, ctxt, host, instance, image=None,
                          node=None):
        """Power on a SHELVED instance (no image), or spawn an offloaded
        one placed on `host` from its shelved `image`."""
        self.cast(ctxt, 'unshelve_instance', self._snapshot_version(),
                  server=host, instance=instance, image=image, node=node)

    # -- stuck tasks (1.12; nova_conductor/stuck_tasks.py) -------------------

    def check_stuck_tasks(self, ctxt, host, instances, interval):
        """Cast `host` its instances in a recoverable task_state, found
        by a sweep run every `interval` seconds. The caller checks
        can_send_version('1.12'): older computes look for themselves."""
        self.cast(ctxt, 'check_stuck_tasks', '1.12', server=host,
                  instances=instances, interval=interval)
