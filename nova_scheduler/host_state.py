"""HostState: the scheduler's view of one node's capacity and health."""

import datetime
import functools
import json
import time

from common import capacity
from common import states
from nova_scheduler import aggregates as aggregates_mod

# Work that keeps a host's disks and network busy, as Nova counts it for
# num_io_ops: builds, rebuilds, and (named as in Nova, for the operations
# still to come) resizes, snapshots, backups, rescues and unshelves.
IO_VM_STATES = frozenset([states.BUILDING])
IO_TASK_STATES = frozenset(
    states.BUILD_TASK_STATES
    + (states.REBUILDING, states.REBUILD_BLOCK_DEVICE_MAPPING,
       states.REBUILD_SPAWNING)
    + ('resize_prep', 'resize_migrating', 'image_snapshot', 'image_backup',
       'rescuing', 'unshelving'))


def parse_isotime(value):
    """An aware UTC datetime from an ISO-8601 string; None stays None."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        parsed = value
    else:
        parsed = datetime.datetime.fromisoformat(value.replace('Z', '+00:00'))
    if parsed.tzinfo is None:
        # The conductor speaks UTC; a naive timestamp is UTC without a label.
        return parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed.astimezone(datetime.timezone.utc)


def requested_vcpus(flavor):
    return capacity.flavor_usage(flavor)[0]


def requested_ram_mb(flavor):
    return capacity.flavor_usage(flavor)[1]


def requested_disk_gb(flavor):
    return capacity.flavor_usage(flavor)[2]


def is_io_op(instance):
    """Whether an instance's current state counts towards num_io_ops."""
    return (instance.get('vm_state') in IO_VM_STATES
            or instance.get('task_state') in IO_TASK_STATES)


def _parse_cpu_info(cpu_info):
    # Parsed once per node update; ComputeCapabilitiesFilter walks it.
    if isinstance(cpu_info, dict):
        return cpu_info
    return _parse_cpu_info_text(cpu_info)


@functools.lru_cache(maxsize=256)
def _parse_cpu_info_text(cpu_info):
    # A fleet has a few hardware models, so a full refresh parses each
    # once; hosts of one model share the dict, which filters only read.
    try:
        parsed = json.loads(cpu_info) if cpu_info else {}
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


# The attributes that decide the static filters (availability zone,
# aggregate metadata, image properties, static capabilities, tenancy):
# hosts equal in all of them share one answer, worked out once per group.
STATIC_ATTRIBUTES = ('aggregate_metadata', 'aggregate_availability_zones',
                     'hypervisor_type', 'hypervisor_version', 'cpu_info',
                     'cpu_info_dict', 'supported_instances')


class HostState:
    """Capacity, usage and service health of one compute node.

    Free amounts are kept as plain attributes (not properties) because
    filters read them for every host on every request.
    """

    #: The HostArrays holding this host's numbers for the fast filters, and
    #: its slot there; set by that HostArrays, which consume() and release()
    #: keep in step.
    arrays = None
    slot = None
    #: Whether the conductor's last refresh listed this node as down (its
    #: 'down' answer, set by the HostManager); None when no such answer
    #: came (a HostState made alone, or an older conductor): then the
    #: heartbeat's age decides.
    service_down = None

    def __init__(self, node, now=None, now_mono=None):
        self.id = node['id']
        self.update(node, now=now, now_mono=now_mono)

    def update(self, node, now=None, now_mono=None):
        """Take a node dict from the conductor.

        `now` is the conductor's clock when it read the node and `now_mono`
        our monotonic clock at that moment; the heartbeat is pinned to our
        monotonic clock so its age needs no wall clock of ours, which may
        disagree with the conductor's.
        """
        get = node.get
        self.uuid = get('uuid')
        self.host = get('host')
        self.nodename = get('hypervisor_hostname') or self.host
        self.vcpus = get('vcpus') or 0
        self.vcpus_reserved = get('vcpus_reserved') or 0
        self.vcpus_used = get('vcpus_used') or 0
        self.memory_mb = get('memory_mb') or 0
        self.memory_mb_reserved = get('memory_mb_reserved') or 0
        self.memory_mb_used = get('memory_mb_used') or 0
        self.local_gb = get('local_gb') or 0
        self.local_gb_reserved = get('local_gb_reserved') or 0
        self.local_gb_used = get('local_gb_used') or 0
        self.running_vms = get('running_vms') or 0
        self.aggregates = list(get('aggregates') or ())
        self.aggregate_metadata = aggregates_mod.index_metadata(
            self.aggregates)
        self.aggregate_availability_zones = (
            aggregates_mod.availability_zones(self.aggregates))
        # The conductor stores the node's ratios (1.0 only guards a hole);
        # an aggregate's ratio, the smallest if several, overrides them.
        # They reach the compute host in limits(); a claim checking only
        # the node's ratio would refuse hosts an aggregate ratio raised.
        self.cpu_allocation_ratio = self._ratio(node, 'cpu_allocation_ratio')
        self.ram_allocation_ratio = self._ratio(node, 'ram_allocation_ratio')
        self.disk_allocation_ratio = self._ratio(node,
                                                 'disk_allocation_ratio')
        self.hypervisor_type = get('hypervisor_type')
        self.hypervisor_version = get('hypervisor_version')
        self.cpu_info = get('cpu_info')
        self.cpu_info_dict = _parse_cpu_info(self.cpu_info)
        self.supported_instances = [
            tuple(triple) for triple in get('supported_instances') or ()]
        # Copied: consume() adds to it, and the node dict is the caller's.
        self.instances = dict(get('instances') or {})
        self.num_instances = get('num_instances')
        if self.num_instances is None:
            self.num_instances = (len(self.instances) if 'instances' in node
                                  else self.running_vms)
        self.num_io_ops = get('num_io_ops')
        if self.num_io_ops is None:
            self.num_io_ops = sum(1 for instance in self.instances.values()
                                  if is_io_op(instance))
        self.failed_builds = get('failed_builds') or 0
        self.service_disabled = bool(get('service_disabled'))
        self.service_disabled_reason = get('service_disabled_reason')
        self.service_forced_down = bool(get('service_forced_down'))
        self.updated_at = get('updated_at')
        self.heartbeat_mono = self._heartbeat_mono(
            get('service_updated_at'), now, now_mono)
        self._recompute()

    def static_key(self):
        """A hashable value equal for two hosts exactly when their
        STATIC_ATTRIBUTES are.

        Types are part of it (repr), since a rule comparing str() of a
        value tells 8002000 from '8002000'. A cpu_info given as a dict
        (not the conductor's JSON string) keeps the host in a group of
        its own rather than risk two dicts that compare equal but print
        differently.
        """
        cpu_info = self.cpu_info
        if cpu_info is not None and not isinstance(cpu_info, str):
            return ('node', self.id)
        try:
            metadata = tuple(sorted(
                (key, tuple(sorted(values)))
                for key, values in self.aggregate_metadata.items()))
            zones = tuple(sorted(self.aggregate_availability_zones))
        except TypeError:
            # Keys or zones that do not sort (not strings): no sharing.
            return ('node', self.id)
        return (metadata, zones, repr((self.hypervisor_type,
                                       self.hypervisor_version,
                                       self.supported_instances)), cpu_info)

    def _ratio(self, node, key):
        return aggregates_mod.min_number(self, key, node.get(key) or 1.0)

    @staticmethod
    def _heartbeat_mono(service_updated_at, now, now_mono):
        heartbeat = parse_isotime(service_updated_at)
        if heartbeat is None:
            return None
        now = parse_isotime(now) or datetime.datetime.now(
            datetime.timezone.utc)
        if now_mono is None:
            now_mono = time.monotonic()
        return now_mono - (now - heartbeat).total_seconds()

    def _recompute(self):
        self.vcpus_usable = capacity.usable(
            self.vcpus, self.vcpus_reserved, self.cpu_allocation_ratio)
        self.memory_mb_usable = capacity.usable(
            self.memory_mb, self.memory_mb_reserved,
            self.ram_allocation_ratio)
        self.disk_gb_usable = capacity.usable(
            self.local_gb, self.local_gb_reserved, self.disk_allocation_ratio)
        self.free_vcpus = self.vcpus_usable - self.vcpus_used
        self.free_ram_mb = self.memory_mb_usable - self.memory_mb_used
        self.free_disk_gb = self.disk_gb_usable - self.local_gb_used

    def liveness_mono(self):
        """The stamp ComputeFilter's array path ages against
        service_down_time: the heartbeat's, or, when the conductor said
        up or down, +inf (always fresh) or NaN (never)."""
        if self.service_down is not None:
            return float('nan') if self.service_down else float('inf')
        if self.heartbeat_mono is None:
            return float('nan')
        return self.heartbeat_mono

    def heartbeat_age(self, now_mono=None):
        """Seconds since the service's last heartbeat; None if it never sent
        one."""
        if self.heartbeat_mono is None:
            return None
        if now_mono is None:
            now_mono = time.monotonic()
        return now_mono - self.heartbeat_mono

    def consume(self, spec, instance_uuid=None):
        """Count an instance placed here, so the next pick in the same
        request (and later requests, until the conductor reports the node
        again) sees the host fuller, busier and holding the instance."""
        if instance_uuid is not None:
            self.instances[instance_uuid] = {
                'project_id': spec.get('project_id'),
                'vm_state': states.BUILDING,
                'task_state': states.SCHEDULING}
        self._add(spec['flavor'], 1)
        if self.arrays is not None:
            self.arrays.consumed(self, instance_uuid)

    def release(self, spec, instance_uuid=None):
        """Undo consume(), for a request that failed part-way."""
        if instance_uuid is not None:
            self.instances.pop(instance_uuid, None)
        self._add(spec['flavor'], -1)
        if self.arrays is not None:
            self.arrays.released(self, instance_uuid)

    def _add(self, flavor, sign):
        vcpus, ram_mb, disk_gb = capacity.flavor_usage(flavor)
        self.vcpus_used += sign * vcpus
        self.memory_mb_used += sign * ram_mb
        self.local_gb_used += sign * disk_gb
        self.running_vms += sign
        self.num_instances += sign
        # A build is I/O work until the conductor reports otherwise.
        self.num_io_ops += sign
        self._recompute()

    def limits(self):
        """The ceilings the compute host's claim must respect."""
        return {'vcpu': self.vcpus_usable,
                'memory_mb': self.memory_mb_usable,
                'disk_gb': self.disk_gb_usable}

    def selection(self):
        return {'host': self.host, 'nodename': self.nodename,
                'compute_node_id': self.id, 'limits': self.limits()}

    def __repr__(self):
        return ('<HostState %s/%s free vcpus=%s ram_mb=%s disk_gb=%s>'
                % (self.host, self.nodename, self.free_vcpus,
                   self.free_ram_mb, self.free_disk_gb))
