"""ImagePropertiesFilter: hosts that can run the image's architecture,
hypervisor type, VM mode and hypervisor version."""

import re

from nova_scheduler import filters

# Spellings hosts and images use for the same thing, folded to one.
_ARCH_ALIASES = {'amd64': 'x86_64', 'x64': 'x86_64', 'i386': 'i686',
                 'i486': 'i686', 'i586': 'i686', 'x86_32': 'i686',
                 'arm64': 'aarch64'}
_HV_TYPE_ALIASES = {'xapi': 'xen'}
_VM_MODE_ALIASES = {'pv': 'xen', 'hv': 'hvm', 'baremetal': 'hvm'}
_ALIASES = (_ARCH_ALIASES, _HV_TYPE_ALIASES, _VM_MODE_ALIASES)

_CLAUSE = re.compile(r'^\s*(<=|>=|==|!=|<|>)?\s*(\d+(?:\.\d+)*)\s*$')


def _canonical(values):
    return tuple(aliases.get(str(v).lower(), str(v).lower()) if v else None
                 for aliases, v in zip(_ALIASES, values))


def _wanted(properties):
    """(arch, hv_type, vm_mode) the image asks for; None where it does not."""
    return _canonical((properties.get('hw_architecture'),
                       properties.get('img_hv_type'),
                       properties.get('hw_vm_mode')))


def version_tuple(version):
    """8002000 -> (8, 2, 0): Nova packs versions as 1000-based digits."""
    version = int(version)
    parts = []
    while version:
        version, part = divmod(version, 1000)
        parts.insert(0, part)
    return tuple(parts) or (0,)


def version_satisfies(version, requirement):
    """Whether a version tuple meets e.g. '>= 6.0, < 8': every clause;
    a clause without an operator means ==; a clause that cannot be read
    is not met."""
    for clause in str(requirement).split(','):
        found = _CLAUSE.match(clause)
        if not found:
            return False
        op, wanted = found.group(1) or '==', found.group(2)
        wanted = tuple(int(p) for p in wanted.split('.'))
        width = max(len(version), len(wanted))
        have = tuple(version) + (0,) * (width - len(version))
        wanted = wanted + (0,) * (width - len(wanted))
        if not {'<': have < wanted, '<=': have <= wanted,
                '==': have == wanted, '!=': have != wanted,
                '>=': have >= wanted, '>': have > wanted}[op]:
            return False
    return True


def _supports(host_state, wanted, requested_version):
    if requested_version and host_state.hypervisor_version:
        if not version_satisfies(
                version_tuple(host_state.hypervisor_version),
                requested_version):
            return False
    if not any(wanted):
        return True
    for triple in host_state.supported_instances:
        offered = _canonical(triple)
        if all(w is None or w == o for w, o in zip(wanted, offered)):
            return True
    return False


class ImagePropertiesFilter(filters.BaseHostFilter):
    """Passes a host listing, in supported_instances, an (arch, hv_type,
    vm_mode) triple matching the image's hw_architecture, img_hv_type and
    hw_vm_mode where set, and whose hypervisor_version meets the image's
    img_hv_requested_version (e.g. '>=8.0'); a host without
    supported_instances takes only images setting none of the three."""

    def host_passes(self, host_state, spec):
        properties = (spec.get('image') or {}).get('properties') or {}
        return _supports(host_state, _wanted(properties),
                         properties.get('img_hv_requested_version'))

    def filter_mask(self, hosts, mask, spec):
        properties = (spec.get('image') or {}).get('properties') or {}
        wanted = _wanted(properties)
        requested_version = properties.get('img_hv_requested_version')
        if not any(wanted) and not requested_version:
            return None
        return self.group_mask(
            hosts, mask, spec, (wanted, requested_version),
            lambda host: _supports(host, wanted, requested_version))

    def explain(self, host_state, spec):
        properties = (spec.get('image') or {}).get('properties') or {}
        asked = ', '.join('%s=%s' % (key, properties[key]) for key in (
            'hw_architecture', 'img_hv_type', 'hw_vm_mode',
            'img_hv_requested_version') if properties.get(key))
        offered = '; '.join('/'.join(str(v) for v in triple)
                            for triple in host_state.supported_instances)
        return ('the image asks %s; the best host offers %s (hypervisor '
                'version %s)' % (asked, offered or 'no supported_instances',
                                 host_state.hypervisor_version))
