"""AggregateImagePropertiesIsolation: aggregate metadata against image
properties."""

from common.conf import CONF
from nova_scheduler.filters import aggregate_image_properties_isolation
from tests.unit.nova_scheduler import make_aggregate, make_host, make_spec

AIPI = aggregate_image_properties_isolation.AggregateImagePropertiesIsolation


def _spec(**properties):
    spec = make_spec()
    spec['image']['properties'] = properties
    return spec


def _host(*aggregates):
    return make_host(1, aggregates=list(aggregates))


def test_host_in_no_aggregate_takes_any_image():
    assert AIPI().host_passes(_host(), _spec(os_distro='windows'))


def test_image_must_match_a_key_the_aggregate_sets():
    host = _host(make_aggregate(1, os_distro='ubuntu'))
    assert AIPI().host_passes(host, _spec(os_distro='ubuntu'))
    assert not AIPI().host_passes(host, _spec(os_distro='windows'))


def test_image_without_the_property_is_welcome():
    host = _host(make_aggregate(1, os_distro='ubuntu'))
    assert AIPI().host_passes(host, _spec())
    assert AIPI().host_passes(host, _spec(hw_architecture='x86_64'))


def test_values_of_several_aggregates_and_comma_lists_all_count():
    host = _host(make_aggregate(1, os_distro='ubuntu, debian'),
                 make_aggregate(2, os_distro='centos'))
    for distro in ('ubuntu', 'debian', 'centos'):
        assert AIPI().host_passes(host, _spec(os_distro=distro))
    assert not AIPI().host_passes(host, _spec(os_distro='windows'))


def test_list_property_must_be_wholly_allowed():
    host = _host(make_aggregate(1, licences='a,b'))
    assert AIPI().host_passes(host, _spec(licences=['a', 'b']))
    assert not AIPI().host_passes(host, _spec(licences=['a', 'c']))


def test_namespace_limits_the_keys_compared():
    CONF.set_override('aggregate_image_properties_isolation_namespace',
                      'isolate', group='filter_scheduler')
    host = _host(make_aggregate(1, os_distro='ubuntu',
                                **{'isolate.os_type': 'linux'}))
    # os_distro is outside the namespace: no longer compared.
    assert AIPI().host_passes(host, _spec(os_distro='windows'))
    assert AIPI().host_passes(host, _spec(**{'isolate.os_type': 'linux'}))
    assert not AIPI().host_passes(host,
                                  _spec(**{'isolate.os_type': 'windows'}))


def test_separator_option_is_used_with_the_namespace():
    CONF.set_override('aggregate_image_properties_isolation_namespace',
                      'isolate', group='filter_scheduler')
    CONF.set_override('aggregate_image_properties_isolation_separator',
                      '_', group='filter_scheduler')
    host = _host(make_aggregate(1, isolate_os_type='linux'))
    assert not AIPI().host_passes(host, _spec(isolate_os_type='windows'))


def test_explains_the_conflicting_property():
    host = _host(make_aggregate(1, os_distro='ubuntu,debian'))
    assert AIPI().explain_rejection([host], _spec(os_distro='windows')) == (
        "the image has os_distro=windows, the best host's aggregates take "
        "debian, ubuntu")
