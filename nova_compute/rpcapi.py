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
  1.10 - get_vnc_console, get_serial_console (remote consoles: where the
        guest's VNC server or TCP serial port is)
"""

from common import exception
from common import rpc
from common.conf import CONF


class ComputeAPI(rpc.RPCAPIBase):
    TOPIC = 'compute'
    RPC_API_VERSION = '1.10'
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
