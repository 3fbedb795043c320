"""Each filter's rule, its whole-list path and its explanation."""

import datetime

import pytest

from common.conf import CONF
from nova_scheduler import filters
from nova_scheduler.filters import compute_filter
from nova_scheduler.filters import core_filter
from nova_scheduler.filters import disk_filter
from nova_scheduler.filters import ram_filter
from nova_scheduler import host_state
from tests.unit.nova_scheduler import NOW, make_node, make_spec


@pytest.fixture(autouse=True)
def _reset_conf():
    yield
    CONF.reset()


def _hs(**node):
    return host_state.HostState(make_node(1, **node), now=NOW)


def _ago(seconds):
    when = (datetime.datetime(2024, 5, 1, 12, tzinfo=datetime.timezone.utc)
            - datetime.timedelta(seconds=seconds))
    return when.isoformat()


def test_all_filters_lists_every_filter_module():
    names = {cls.__name__ for cls in filters.all_filters()}
    assert {'ComputeFilter', 'RamFilter', 'CoreFilter',
            'DiskFilter'} <= names


# -- ComputeFilter -------------------------------------------------------

def test_compute_filter_passes_an_enabled_live_service():
    assert compute_filter.ComputeFilter().host_passes(_hs(), make_spec())


def test_compute_filter_rejects_a_disabled_service():
    hs = _hs(service_disabled=True, service_disabled_reason='maintenance')
    f = compute_filter.ComputeFilter()
    assert not f.host_passes(hs, make_spec())
    assert 'disabled (maintenance)' in f.explain(hs, make_spec())


def test_compute_filter_rejects_a_forced_down_service():
    hs = _hs(service_forced_down=True)
    f = compute_filter.ComputeFilter()
    assert not f.host_passes(hs, make_spec())
    assert 'forced down' in f.explain(hs, make_spec())


def test_compute_filter_rejects_a_stale_heartbeat():
    hs = _hs(service_updated_at=_ago(120))
    f = compute_filter.ComputeFilter()
    assert not f.host_passes(hs, make_spec())
    assert 'heartbeat 120 s ago (service_down_time is 60 s)' in f.explain(
        hs, make_spec())


def test_compute_filter_heartbeat_limit_follows_service_down_time():
    hs = _hs(service_updated_at=_ago(120))
    CONF.set_override('service_down_time', 300)
    assert compute_filter.ComputeFilter().host_passes(hs, make_spec())


def test_compute_filter_passes_a_heartbeat_just_within_the_limit():
    hs = _hs(service_updated_at=_ago(50))
    assert compute_filter.ComputeFilter().host_passes(hs, make_spec())


def test_compute_filter_rejects_a_service_without_heartbeat():
    hs = _hs(service_updated_at=None)
    f = compute_filter.ComputeFilter()
    assert not f.host_passes(hs, make_spec())
    assert 'never sent a heartbeat' in f.explain(hs, make_spec())


def test_compute_filter_fast_path_agrees_with_host_passes():
    hosts = [host_state.HostState(make_node(i, **kw), now=NOW)
             for i, kw in enumerate([
                 {}, {'service_disabled': True},
                 {'service_forced_down': True},
                 {'service_updated_at': _ago(61)},
                 {'service_updated_at': None},
                 {'service_updated_at': _ago(10)}])]
    f = compute_filter.ComputeFilter()
    spec = make_spec()
    assert f.filter_all(hosts, spec) == [
        hs for hs in hosts if f.host_passes(hs, spec)]
    assert [hs.id for hs in f.filter_all(hosts, spec)] == [0, 5]


def test_compute_filter_counts_rejections_by_cause():
    hosts = [_hs(service_disabled=True), _hs(service_disabled=True),
             _hs(service_forced_down=True), _hs(service_updated_at=None)]
    text = compute_filter.ComputeFilter().explain_rejection(hosts,
                                                            make_spec())
    assert text == ('compute services: 2 disabled, 1 forced down, '
                    '1 without a heartbeat in the last 60 s')


# -- RamFilter -----------------------------------------------------------

def test_ram_filter_passes_when_request_equals_free():
    assert ram_filter.RamFilter().host_passes(
        _hs(memory_mb=4096, memory_mb_used=2048), make_spec(memory_mb=2048))


def test_ram_filter_rejects_when_request_exceeds_free():
    hs = _hs(memory_mb=4096, memory_mb_used=3072)
    f = ram_filter.RamFilter()
    spec = make_spec(memory_mb=2048)
    assert not f.host_passes(hs, spec)
    assert f.explain(hs, spec) == ('the best host has 1024 MB RAM free, '
                                   '2048 MB requested')


def test_ram_filter_applies_allocation_ratio():
    hs = _hs(memory_mb=4096, memory_mb_used=4096, ram_allocation_ratio=1.5)
    f = ram_filter.RamFilter()
    assert f.host_passes(hs, make_spec(memory_mb=2048))
    assert not f.host_passes(hs, make_spec(memory_mb=2049))


def test_ram_filter_subtracts_reserved_before_the_ratio():
    hs = _hs(memory_mb=4096, memory_mb_reserved=1024,
             ram_allocation_ratio=2.0)
    f = ram_filter.RamFilter()
    assert f.host_passes(hs, make_spec(memory_mb=6144))
    assert not f.host_passes(hs, make_spec(memory_mb=6145))


def test_ram_filter_explains_the_closest_host():
    hosts = [_hs(memory_mb=1024), _hs(memory_mb=1536), _hs(memory_mb=512)]
    text = ram_filter.RamFilter().explain_rejection(
        hosts, make_spec(memory_mb=2048))
    assert text == 'the best host has 1536 MB RAM free, 2048 MB requested'


# -- CoreFilter ----------------------------------------------------------

def test_core_filter_passes_and_rejects_on_free_vcpus():
    hs = _hs(vcpus=4, vcpus_used=2)
    f = core_filter.CoreFilter()
    assert f.host_passes(hs, make_spec(vcpus=2))
    assert not f.host_passes(hs, make_spec(vcpus=3))
    assert f.explain(hs, make_spec(vcpus=3)) == (
        'the best host has 2 vCPUs free, 3 requested')


def test_core_filter_applies_ratio_and_reserved():
    hs = _hs(vcpus=4, vcpus_reserved=1, vcpus_used=40,
             cpu_allocation_ratio=16.0)
    f = core_filter.CoreFilter()
    assert f.host_passes(hs, make_spec(vcpus=8))
    assert not f.host_passes(hs, make_spec(vcpus=9))


# -- DiskFilter ----------------------------------------------------------

def test_disk_filter_counts_root_ephemeral_and_swap():
    hs = _hs(local_gb=20, local_gb_used=4)
    f = disk_filter.DiskFilter()
    # 10 + 5 + ceil(1 MB / 1024) = 16 GB: exactly the free space.
    assert f.host_passes(hs, make_spec(root_gb=10, ephemeral_gb=5, swap=1))
    spec = make_spec(root_gb=10, ephemeral_gb=5, swap=1025)
    assert not f.host_passes(hs, spec)
    assert f.explain(hs, spec) == ('the best host has 16 GB disk free, '
                                   '17 GB requested')


def test_disk_filter_applies_ratio_and_reserved():
    hs = _hs(local_gb=100, local_gb_reserved=20, disk_allocation_ratio=1.5)
    f = disk_filter.DiskFilter()
    assert f.host_passes(hs, make_spec(root_gb=120))
    assert not f.host_passes(hs, make_spec(root_gb=121))


def test_format_amount_drops_needless_decimals():
    assert filters.format_amount(1024.0) == '1024'
    assert filters.format_amount(1023.5) == '1023.5'
