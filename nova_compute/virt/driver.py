"""The interface the compute manager drives a hypervisor through."""

import abc
import os
import time

from common import exception
from common import states

# wait_for_running polls fast first (the test driver answers at once), then
# backs off so a slow real boot does not cost a busy loop.
_POLL_FIRST = 0.01
_POLL_MAX = 0.5


class ComputeDriver(abc.ABC):
    """One hypervisor node: its resources and the instances on it.

    `instance` dicts carry uuid, display_name, vcpus, memory_mb, root_gb,
    ephemeral_gb, image_ref, host and node. Power states are those of
    common.states (NOSTATE, RUNNING, PAUSED_POWER, SHUTDOWN, CRASHED,
    SUSPENDED_POWER).
    """

    @abc.abstractmethod
    def init_host(self, host):
        """Connect to the hypervisor; prepare directories for node `host`."""

    @abc.abstractmethod
    def get_available_resource(self):
        """The node's totals: a dict of vcpus, memory_mb, local_gb,
        hypervisor_type, hypervisor_version, hypervisor_hostname, cpu_info
        (JSON text)."""

    @abc.abstractmethod
    def list_instance_uuids(self):
        """UUIDs of the instances defined on this node (ours only)."""

    @abc.abstractmethod
    def spawn(self, instance, image, network_info, block_devices=()):
        """Create the instance and start it, without waiting for it to run;
        with a config drive (configdrive.py) when configdrive.required().

        image: id, name, disk_format, size, min_disk, properties, location.
        network_info: dicts of address, mac, bridge, network.
        block_devices: its attached volume mappings (connection_info,
        device_name, disk_bus, volume_id, boot_index); one with
        boot_index 0 is the root disk, instead of the image's.
        """

    def migrate_disk_and_power_off(self, instance, dest_host, timeout=0):
        """Resize/migrate, on the source: stop the instance and set its
        disks aside; a dict telling the target how to copy them."""
        raise exception.NotSupported()

    def finish_migration(self, instance, disk_info, image, network_info,
                         power_on=True):
        """On the target: take the disks, start with the new flavor."""
        raise exception.NotSupported()

    def finish_revert_migration(self, instance, image, network_info,
                                power_on=True):
        """On the source: bring back the disks set aside, start again."""
        raise exception.NotSupported()

    def confirm_migration(self, instance):
        """On the source: remove what was set aside for a revert."""
        raise exception.NotSupported()

    def volume_connector(self, host, ip):
        """What the volume service needs of this host to connect a volume
        to it."""
        raise exception.Invalid(reason='this driver cannot use volumes')

    def attach_volume(self, instance, bdm):
        """Plug an attached volume's disk into the instance (live, and in
        its persistent definition)."""
        raise exception.Invalid(reason='this driver cannot use volumes')

    def detach_volume(self, instance, bdm):
        """Unplug a volume's disk; one not plugged is not an error."""
        raise exception.Invalid(reason='this driver cannot use volumes')

    def live_migration_steps(self):
        """The object doing this driver's live-migration steps (see
        nova_compute/virt/libvirt/live_migration.py for what it has);
        MigrationPreCheckError for a driver that cannot migrate."""
        raise exception.MigrationPreCheckError(
            reason='the %s driver cannot live-migrate instances'
                   % type(self).__name__)

    def snapshot(self, instance, dest):
        """Write a copy of the instance's root disk to the file `dest`
        as a standalone qcow2 image (a running guest paused meanwhile)."""
        raise exception.Invalid(reason='this driver cannot take snapshots')

    @abc.abstractmethod
    def get_power_state(self, instance):
        """The instance's power state; NOSTATE when it does not exist."""

    def wait_for_running(self, instance, timeout):
        """Poll until the instance is RUNNING or `timeout` seconds passed.

        Returns the last power state seen.
        """
        deadline = time.monotonic() + timeout
        interval = _POLL_FIRST
        while True:
            state = self.get_power_state(instance)
            remaining = deadline - time.monotonic()
            if state == states.RUNNING or remaining <= 0:
                return state
            time.sleep(min(interval, remaining))
            interval = min(interval * 2, _POLL_MAX)

    @abc.abstractmethod
    def destroy(self, instance, destroy_disks=True):
        """Stop the instance hard and delete it and its files; a missing
        instance is not an error. destroy_disks False keeps its disks on
        shared storage, which the instance still uses from another host
        (evacuated)."""

    @abc.abstractmethod
    def power_off(self, instance, timeout=0):
        """Stop the instance: ask the guest first for up to `timeout` seconds
        (0: stop at once)."""

    @abc.abstractmethod
    def power_on(self, instance):
        """Start a stopped instance."""

    @abc.abstractmethod
    def reboot(self, instance, reboot_type='SOFT'):
        """Restart the instance: 'SOFT' asks the guest, 'HARD' resets it."""

    @abc.abstractmethod
    def pause(self, instance):
        """Freeze the guest's CPUs, keeping it in memory."""

    @abc.abstractmethod
    def unpause(self, instance):
        """Let a paused guest run again."""

    @abc.abstractmethod
    def suspend(self, instance):
        """Save the guest's memory to disk and stop it."""

    @abc.abstractmethod
    def resume(self, instance):
        """Restore a suspended guest from its saved memory."""

    def rescue(self, instance, image):
        """Boot the instance from a rescue disk made from `image`, its
        root disk attached second."""
        raise exception.InstanceNotRescuable(
            instance_id=instance['uuid'], reason='this driver cannot')

    def unrescue(self, instance):
        """Boot the instance's own disks again; the rescue disk goes."""
        raise exception.InstanceNotRescuable(
            instance_id=instance['uuid'], reason='this driver cannot')

    def is_rescued(self, instance):
        """Whether the instance runs a rescue definition here."""
        return False

    def inject_nmi(self, instance):
        """A non-maskable interrupt into the running guest (crash dump)."""
        raise exception.TriggerCrashDumpNotSupported()

    @abc.abstractmethod
    def get_console_output(self, instance):
        """What the instance wrote to its serial console, as text."""

    def get_serial_console(self, instance):
        """{'host', 'port'} of the guest's TCP serial port."""
        raise exception.ConsoleNotImplemented(console_type='serial')

    def get_vnc_console(self, instance):
        """{'host', 'port'} of the guest's VNC server."""
        raise exception.ConsoleNotImplemented(console_type='vnc')

    def get_host_uptime(self):
        """The host's `uptime` line: time, up for, users, load average.

        Every driver here runs on the hypervisor host it manages, so the
        local machine's numbers are the host's.
        """
        with open('/proc/uptime') as f:
            seconds = int(float(f.read().split()[0]))
        days, rest = divmod(seconds, 86400)
        up = '%d:%02d' % (rest // 3600, rest % 3600 // 60)
        if days:
            up = '%d day%s, %s' % (days, '' if days == 1 else 's', up)
        load = ', '.join('%.2f' % v for v in os.getloadavg())
        return ' %s up %s,  0 users,  load average: %s' % (
            time.strftime('%H:%M:%S'), up, load)

    @abc.abstractmethod
    def get_diagnostics(self, instance):
        """What the hypervisor says of the instance's domain, in the
        driver's own keys (the API shows them before 2.48)."""

    @abc.abstractmethod
    def get_instance_diagnostics(self, instance):
        """Nova's standard diagnostics of the instance (2.48): state,
        driver, hypervisor, hypervisor_os, uptime, config_drive,
        num_cpus/nics/disks, and cpu, nic, disk and memory details."""
