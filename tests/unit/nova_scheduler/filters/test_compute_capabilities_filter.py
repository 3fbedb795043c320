"""ComputeCapabilitiesFilter: flavor extra specs against host capabilities."""

import json

import pytest

from nova_scheduler.filters import compute_capabilities_filter
from tests.unit.nova_scheduler import make_host, make_spec

CCF = compute_capabilities_filter.ComputeCapabilitiesFilter
CPU_INFO = json.dumps({'arch': 'x86_64', 'vendor': 'Intel',
                       'features': ['sse2', 'vmx', 'avx'],
                       'topology': {'sockets': 1, 'cores': 4}})


def _host(**node):
    node.setdefault('cpu_info', CPU_INFO)
    return make_host(1, **node)


def _spec(**extra_specs):
    return make_spec(extra_specs=extra_specs)


@pytest.mark.parametrize('extra_specs,passes', [
    ({}, True),
    ({'capabilities:hypervisor_type': 's== QEMU'}, True),
    ({'capabilities:hypervisor_type': 'xen'}, False),
    ({'capabilities:hypervisor_version': '>= 8000000'}, True),
    ({'capabilities:hypervisor_version': '>= 9000000'}, False),
    ({'capabilities:cpu_info:arch': 'x86_64'}, True),
    ({'capabilities:cpu_info:arch': 'aarch64'}, False),
    ({'capabilities:cpu_info:features': '<all-in> vmx avx'}, True),
    ({'capabilities:cpu_info:features': '<in> svm'}, False),
    ({'capabilities:cpu_info:topology:cores': '= 4'}, True),
    ({'capabilities:cpu_info.topology.cores': '>= 8'}, False),
    ({'capabilities:vcpus': '>= 8', 'capabilities:memory_mb': '= 8192'},
     True),
    ({'capabilities:free_ram_mb': '>= 9000'}, False),
    # A capability the host does not have fails the request.
    ({'capabilities:gpu_count': '>= 1'}, False),
    ({'capabilities:cpu_info:no_such_key': 'x'}, False),
    # Unscoped keys apply only when they name a capability.
    ({'hypervisor_type': '<or> xen <or> QEMU'}, True),
    ({'hypervisor_type': 'xen'}, False),
    ({'some_other_key': 'whatever'}, True),
    # Other scopes belong to other filters.
    ({'aggregate_instance_extra_specs:ssd': 'true'}, True),
    ({'hw:cpu_policy': 'dedicated'}, True),
])
def test_extra_specs_against_capabilities(extra_specs, passes):
    assert CCF().host_passes(_host(), _spec(**extra_specs)) is passes


def test_missing_or_bad_cpu_info_has_no_nested_capabilities():
    spec = _spec(**{'capabilities:cpu_info:arch': 'x86_64'})
    assert not CCF().host_passes(_host(cpu_info=None), spec)
    assert not CCF().host_passes(_host(cpu_info='not json'), spec)


def test_filter_all_keeps_only_matching_hosts():
    hosts = [_host(), make_host(2, hypervisor_type='xen')]
    spec = _spec(**{'capabilities:hypervisor_type': 'xen'})
    assert [hs.host for hs in CCF().filter_all(hosts, spec)] == ['host2']


def test_explains_the_unmet_extra_spec():
    spec = _spec(**{'capabilities:cpu_info:arch': 'aarch64'})
    assert CCF().explain_rejection([_host()], spec) == (
        "the best host has cpu_info:arch=x86_64, the flavor asks "
        "capabilities:cpu_info:arch='aarch64'")
