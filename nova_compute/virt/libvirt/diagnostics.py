"""What libvirt reports of a domain, in Nova's two diagnostics shapes: the
standard one of microversion 2.48 and later, and the libvirt driver's
own keys (cpu0_time, vda_read, vnet0_rx, memory...) that earlier
microversions show.

Both come from one read of the domain. A statistic the hypervisor does
not give (the test driver has no disks or NICs; some guests give no
per-vCPU times) is left out, or null, never a failure.
"""

import collections
import datetime
import xml.etree.ElementTree as ET

import libvirt

from common import states

Nic = collections.namedtuple('Nic', 'mac dev stats')
Stats = collections.namedtuple('Stats', [
    'power_state', 'max_memory_kib', 'memory_kib', 'vcpu_times', 'disks',
    'nics', 'memory_stats'])

# virDomainBlockStats: (rd_req, rd_bytes, wr_req, wr_bytes, errs).
_DISK_KEYS = ('read_requests', 'read_bytes', 'write_requests',
              'write_bytes', 'errors_count')
_DISK_LEGACY = ('_read_req', '_read', '_write_req', '_write', '_errors')
# virDomainInterfaceStats: (rx_bytes, rx_packets, rx_errs, rx_drop,
# tx_bytes, tx_packets, tx_errs, tx_drop).
_NIC_KEYS = ('rx_octets', 'rx_packets', 'rx_errors', 'rx_drop',
             'tx_octets', 'tx_packets', 'tx_errors', 'tx_drop')
_NIC_LEGACY = ('_rx', '_rx_packets', '_rx_errors', '_rx_drop', '_tx',
               '_tx_packets', '_tx_errors', '_tx_drop')


def _optional(read):
    """`read()`, or None when the hypervisor does not support it."""
    try:
        return read()
    except libvirt.libvirtError:
        return None


def read(dom, power_states):
    """One read of `dom`: its state (through `power_states`, libvirt's
    state -> ours), memory, per-vCPU times, disk and NIC counters."""
    state, max_mem_kib, mem_kib, _vcpus, _cpu_time = dom.info()
    devices = ET.fromstring(dom.XMLDesc(0)).find('devices')
    if devices is None:
        devices = ET.Element('devices')
    vcpus = _optional(dom.vcpus)
    disks = []
    for target in devices.findall('./disk/target'):
        dev = target.get('dev')
        found = _optional(lambda: dom.blockStats(dev))
        if dev and found is not None:
            disks.append((dev, tuple(found)))
    nics = []
    for interface in devices.findall('./interface'):
        mac = interface.find('mac')
        target = interface.find('target')
        dev = target.get('dev') if target is not None else None
        found = _optional(lambda: dom.interfaceStats(dev)) if dev else None
        nics.append(Nic(mac.get('address') if mac is not None else None,
                        dev, tuple(found) if found is not None else None))
    return Stats(
        power_state=power_states.get(state, states.NOSTATE),
        max_memory_kib=max_mem_kib, memory_kib=mem_kib,
        vcpu_times=[(cpu[0], cpu[2]) for cpu in vcpus[0]] if vcpus else [],
        disks=disks, nics=nics,
        memory_stats=_optional(dom.memoryStats) or {})


def _uptime(launched_at, now=None):
    """Seconds since the instance was launched, or None."""
    if not launched_at:
        return None
    try:
        launched = datetime.datetime.fromisoformat(str(launched_at))
    except ValueError:
        return None
    if launched.tzinfo is None:
        launched = launched.replace(tzinfo=datetime.timezone.utc)
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return max(0, int((now - launched).total_seconds()))


def standard(stats, instance, hypervisor, now=None):
    """Nova's diagnostics from 2.48: every key always there, the same for
    every driver."""
    return {
        'state': states.POWER_STATE_NAMES.get(stats.power_state, 'pending'),
        'driver': 'libvirt',
        'hypervisor': hypervisor,
        'hypervisor_os': 'linux',
        'uptime': _uptime(instance.get('launched_at'), now),
        'config_drive': bool(instance.get('config_drive')),
        'num_cpus': len(stats.vcpu_times),
        'num_nics': len(stats.nics),
        'num_disks': len(stats.disks),
        'cpu_details': [{'id': cpu, 'time': time, 'utilisation': None}
                        for cpu, time in stats.vcpu_times],
        'nic_details': [dict({'mac_address': nic.mac, 'rx_rate': None,
                              'tx_rate': None},
                             **dict(zip(_NIC_KEYS, nic.stats or
                                        (None,) * len(_NIC_KEYS))))
                        for nic in stats.nics],
        'disk_details': [dict(zip(_DISK_KEYS, found))
                         for _dev, found in stats.disks],
        'memory_details': {'maximum': stats.max_memory_kib // 1024,
                           'used': stats.memory_kib // 1024},
    }


def legacy(stats):
    """The libvirt driver's own keys, which Nova shows before 2.48:
    per-vCPU times (ns), per-disk and per-NIC counters by device name,
    memory in KiB and the balloon's statistics."""
    out = {}
    for cpu, time in stats.vcpu_times:
        out['cpu%d_time' % cpu] = time
    for dev, found in stats.disks:
        out.update((dev + suffix, value)
                   for suffix, value in zip(_DISK_LEGACY, found))
    for nic in stats.nics:
        if nic.dev and nic.stats is not None:
            out.update((nic.dev + suffix, value)
                       for suffix, value in zip(_NIC_LEGACY, nic.stats))
    out['memory'] = stats.memory_kib
    out.update(('memory-' + key, value)
               for key, value in stats.memory_stats.items())
    return out
