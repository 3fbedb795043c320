"""A hypervisor that exists only in memory, for fleets of simulated hosts.

The libvirt test driver costs a libvirt connection and a node file per
host; this one costs a dict. Domains start running at once. It is what
bench/fleet.py runs thousands of hosts on, through the real compute
manager; it is not a guest: no disks, consoles or migrations.
"""

import json
import threading

from common import exception
from common import states
from nova_compute.virt import driver

HYPERVISOR_TYPE = 'fake'
HYPERVISOR_VERSION = 1000000
CPU_INFO = json.dumps({'arch': 'x86_64', 'model': 'fake', 'vendor': 'fake',
                       'topology': {'sockets': 1, 'cores': 1, 'threads': 1},
                       'features': []})


class FakeDriver(driver.ComputeDriver):
    """Sized by [fake] host_vcpus/host_memory_mb/host_local_gb, or by the
    arguments (a simulator gives every host its own)."""

    def __init__(self, conf=None, vcpus=None, memory_mb=None, local_gb=None):
        fake = conf.fake if conf is not None else None
        self.vcpus = vcpus or (fake.host_vcpus if fake else 4)
        self.memory_mb = memory_mb or (fake.host_memory_mb if fake else 8192)
        self.local_gb = local_gb or (fake.host_local_gb if fake else 100)
        self.nodename = None
        # uuid -> power state; the lock keeps concurrent builds honest.
        self._domains = {}
        self._lock = threading.Lock()
        self.image_locator = None

    def init_host(self, host):
        self.nodename = host

    def get_available_resource(self):
        return {'vcpus': self.vcpus, 'memory_mb': self.memory_mb,
                'local_gb': self.local_gb,
                'hypervisor_type': HYPERVISOR_TYPE,
                'hypervisor_version': HYPERVISOR_VERSION,
                'hypervisor_hostname': self.nodename,
                'cpu_info': CPU_INFO}

    def list_instance_uuids(self):
        with self._lock:
            return list(self._domains)

    def spawn(self, instance, image, network_info, block_devices=()):
        with self._lock:
            if instance['uuid'] in self._domains:
                raise exception.HypervisorError(
                    reason='domain %s exists' % instance['uuid'])
            self._domains[instance['uuid']] = states.RUNNING

    def get_power_state(self, instance):
        with self._lock:
            return self._domains.get(instance['uuid'], states.NOSTATE)

    def destroy(self, instance, destroy_disks=True):
        with self._lock:
            self._domains.pop(instance['uuid'], None)

    def _move(self, instance, allowed, to):
        """Power state `allowed` -> `to`; anything else is refused."""
        uuid = instance['uuid']
        with self._lock:
            if uuid not in self._domains:
                raise exception.InstanceNotFound(instance_id=uuid)
            if self._domains[uuid] not in allowed:
                raise exception.HypervisorError(
                    reason='domain %s is %s' % (uuid, states.POWER_STATE_NAMES
                                                .get(self._domains[uuid])))
            self._domains[uuid] = to

    def power_off(self, instance, timeout=0):
        self._move(instance, (states.RUNNING, states.PAUSED_POWER,
                              states.SHUTDOWN), states.SHUTDOWN)

    def power_on(self, instance):
        self._move(instance, (states.SHUTDOWN, states.RUNNING),
                   states.RUNNING)

    def reboot(self, instance, reboot_type='SOFT'):
        self._move(instance, (states.RUNNING, states.SHUTDOWN),
                   states.RUNNING)

    def pause(self, instance):
        self._move(instance, (states.RUNNING,), states.PAUSED_POWER)

    def unpause(self, instance):
        self._move(instance, (states.PAUSED_POWER,), states.RUNNING)

    def suspend(self, instance):
        self._move(instance, (states.RUNNING,), states.SUSPENDED_POWER)

    def resume(self, instance):
        self._move(instance, (states.SUSPENDED_POWER,), states.RUNNING)

    def get_console_output(self, instance):
        if self.get_power_state(instance) == states.NOSTATE:
            raise exception.InstanceNotFound(instance_id=instance['uuid'])
        return 'fake console of %s\n' % instance['uuid']

    def get_diagnostics(self, instance):
        return {'state': self.get_power_state(instance)}

    def get_instance_diagnostics(self, instance):
        state = self.get_power_state(instance)
        return {'state': states.POWER_STATE_NAMES.get(state, 'nostate'),
                'driver': 'fake', 'hypervisor': HYPERVISOR_TYPE,
                'hypervisor_os': None, 'uptime': 0, 'config_drive': False,
                'num_cpus': instance.get('vcpus', 0), 'num_nics': 0,
                'num_disks': 0, 'cpu_details': [], 'nic_details': [],
                'disk_details': [],
                'memory_details': {'maximum': instance.get('memory_mb', 0),
                                   'used': 0}}
