"""ImagePropertiesFilter: image architecture, hypervisor, mode and version."""

import pytest

from nova_scheduler.filters import image_props_filter
from tests.unit.nova_scheduler import make_host, make_spec

IPF = image_props_filter.ImagePropertiesFilter
KVM_HOST = {'supported_instances': [['x86_64', 'kvm', 'hvm'],
                                    ['x86_64', 'qemu', 'hvm']],
            'hypervisor_version': 8002000}


def _spec(**properties):
    spec = make_spec()
    spec['image']['properties'] = properties
    return spec


@pytest.mark.parametrize('properties,passes', [
    ({}, True),
    ({'hw_architecture': 'x86_64'}, True),
    ({'hw_architecture': 'amd64'}, True),          # an alias of x86_64
    ({'hw_architecture': 'aarch64'}, False),
    ({'img_hv_type': 'kvm', 'hw_vm_mode': 'hvm'}, True),
    ({'img_hv_type': 'QEMU'}, True),
    ({'img_hv_type': 'xen'}, False),
    ({'hw_vm_mode': 'hv'}, True),                   # an alias of hvm
    ({'hw_vm_mode': 'exe'}, False),
    ({'hw_architecture': 'x86_64', 'img_hv_type': 'kvm',
      'hw_vm_mode': 'xen'}, False),
    ({'img_hv_requested_version': '>=8.0'}, True),
    ({'img_hv_requested_version': '>= 8.2, < 9'}, True),
    ({'img_hv_requested_version': '>=8.3'}, False),
    ({'img_hv_requested_version': '8.2.0'}, True),
    ({'img_hv_requested_version': 'recent'}, False),
    ({'hw_architecture': 'x86_64', 'img_hv_requested_version': '<8'}, False),
    ({'os_distro': 'ubuntu'}, True),               # not this filter's
])
def test_image_properties_against_supported_instances(properties, passes):
    host = make_host(1, **KVM_HOST)
    assert IPF().host_passes(host, _spec(**properties)) is passes


def test_host_without_supported_instances_takes_only_plain_images():
    host = make_host(1)
    assert host.supported_instances == []
    assert IPF().host_passes(host, _spec(os_distro='ubuntu'))
    assert not IPF().host_passes(host, _spec(hw_architecture='x86_64'))


def test_versions_unpack_nova_style():
    assert image_props_filter.version_tuple(8002000) == (8, 2, 0)
    assert image_props_filter.version_tuple(1005003) == (1, 5, 3)
    assert image_props_filter.version_satisfies((8, 2, 0), '>=8.1,<=8.2')


def test_explains_what_the_image_asks_and_the_host_offers():
    host = make_host(1, **KVM_HOST)
    text = IPF().explain_rejection([host], _spec(hw_architecture='aarch64'))
    assert text == ('the image asks hw_architecture=aarch64; the best host '
                    'offers x86_64/kvm/hvm; x86_64/qemu/hvm (hypervisor '
                    'version 8002000)')
