"""ComputeCapabilitiesFilter: hosts whose capabilities meet the flavor's."""

from nova_scheduler import extra_specs_ops
from nova_scheduler import filters

SCOPE = 'capabilities'

# What a flavor may ask of a host, by Nova's names. An allowlist rather
# than any HostState attribute, so a spec cannot reach internals.
CAPABILITIES = {
    'host': lambda hs: hs.host,
    'nodename': lambda hs: hs.nodename,
    'hypervisor_hostname': lambda hs: hs.nodename,
    'hypervisor_type': lambda hs: hs.hypervisor_type,
    'hypervisor_version': lambda hs: hs.hypervisor_version,
    'cpu_info': lambda hs: hs.cpu_info_dict,
    'supported_instances': lambda hs: hs.supported_instances,
    'vcpus': lambda hs: hs.vcpus,
    'vcpus_total': lambda hs: hs.vcpus,
    'vcpus_used': lambda hs: hs.vcpus_used,
    'free_vcpus': lambda hs: hs.free_vcpus,
    'memory_mb': lambda hs: hs.memory_mb,
    'memory_mb_used': lambda hs: hs.memory_mb_used,
    'free_ram_mb': lambda hs: hs.free_ram_mb,
    'total_usable_ram_mb': lambda hs: hs.memory_mb_usable,
    'local_gb': lambda hs: hs.local_gb,
    'local_gb_used': lambda hs: hs.local_gb_used,
    'free_disk_gb': lambda hs: hs.free_disk_gb,
    'free_disk_mb': lambda hs: hs.free_disk_gb * 1024,
    'total_usable_disk_gb': lambda hs: hs.disk_gb_usable,
    'num_instances': lambda hs: hs.num_instances,
    'num_io_ops': lambda hs: hs.num_io_ops,
    'running_vms': lambda hs: hs.running_vms,
}


# The capabilities every host of a static group shares (see
# host_state.STATIC_ATTRIBUTES); a requirement on any other reads per-host
# state. An unknown capability is None on every host, so static too.
STATIC_CAPABILITIES = frozenset(['hypervisor_type', 'hypervisor_version',
                                 'cpu_info', 'supported_instances'])


def _is_static(req):
    return req[1][0] in STATIC_CAPABILITIES or req[1][0] not in CAPABILITIES


def requirements(flavor):
    """(extra spec key, capability path, requirement) for each extra spec
    this filter checks: 'capabilities:' keys, and keys with no scope that
    name a capability (Nova's older spelling). Other scopes belong to other
    filters. Nested values take ':' (Nova's spelling) or '.' separators:
    capabilities:cpu_info:arch, capabilities:cpu_info.topology.cores."""
    found = []
    for key, requirement in sorted((flavor.get('extra_specs') or {}).items()):
        parts = key.split(':')
        if len(parts) == 1:
            if key not in CAPABILITIES:
                continue
        elif parts[0] != SCOPE:
            continue
        else:
            parts = parts[1:]
        path = [step for part in parts for step in part.split('.')]
        found.append((key, path, requirement))
    return found


def capability(host_state, path):
    """The host's value at `path`, or None if it has no such capability."""
    getter = CAPABILITIES.get(path[0])
    if getter is None:
        return None
    value = getter(host_state)
    for step in path[1:]:
        if not isinstance(value, dict):
            return None
        value = value.get(step)
    return value


def _unmet(host_state, reqs):
    """The first requirement the host does not meet, or None."""
    for req in reqs:
        _key, path, requirement = req
        if not extra_specs_ops.match(capability(host_state, path),
                                     requirement):
            return req
    return None


class ComputeCapabilitiesFilter(filters.ExtraSpecsFilter):
    """Passes a host whose capabilities meet every capabilities extra spec
    of the flavor (Nova's operator syntax, see extra_specs_ops)."""

    requirements = staticmethod(requirements)
    unmet = staticmethod(_unmet)

    def requirements_mask(self, hosts, mask, spec, reqs):
        static = [req for req in reqs if _is_static(req)]
        per_host = [req for req in reqs if not _is_static(req)]
        passed = None
        if static:
            passed = self.group_mask(hosts, mask, spec, static,
                                     lambda host: _unmet(host, static) is None)
        if per_host:
            if passed is not None:
                mask = mask & passed
            passed = hosts.per_host(mask,
                                    lambda hs: _unmet(hs, per_host) is None)
        return passed

    def explain_unmet(self, host_state, unmet):
        key, path, requirement = unmet
        return ("the best host has %s=%s, the flavor asks %s='%s'"
                % (':'.join(path), capability(host_state, path), key,
                   requirement))
