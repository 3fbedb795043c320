"""Weigher normalization, multipliers and the RAM weigher."""

import pytest

from common.conf import CONF
from nova_scheduler import host_state
from nova_scheduler import weighers
from nova_scheduler.weighers import ram
from tests.unit.nova_scheduler import NOW, make_node, make_spec


@pytest.fixture(autouse=True)
def _reset_conf():
    yield
    CONF.reset()


def _hosts(*free_ram):
    return [host_state.HostState(make_node(i + 1, memory_mb=mb), now=NOW)
            for i, mb in enumerate(free_ram)]


def test_normalize_scales_to_zero_one():
    assert weighers.normalize([10, 20, 15]) == [0.0, 1.0, 0.5]


def test_normalize_all_equal_gives_all_zero():
    assert weighers.normalize([7, 7, 7]) == [0.0, 0.0, 0.0]
    assert weighers.normalize([]) == []


def test_all_weighers_includes_the_ram_weigher():
    assert ram.RAMWeigher in weighers.all_weighers()


def test_ram_weigher_spreads_by_default():
    hosts = _hosts(2048, 8192, 4096)
    weighed = weighers.weigh_hosts([ram.RAMWeigher()], hosts, make_spec())
    assert [hs.host for _w, hs in weighed] == ['host2', 'host3', 'host1']
    assert [w for w, _hs in weighed] == [1.0, pytest.approx(1 / 3), 0.0]


def test_negative_multiplier_stacks():
    CONF.set_override('ram_weight_multiplier', -2.0, group='filter_scheduler')
    hosts = _hosts(2048, 8192, 4096)
    weighed = weighers.weigh_hosts([ram.RAMWeigher()], hosts, make_spec())
    assert [hs.host for _w, hs in weighed] == ['host1', 'host3', 'host2']
    assert weighed[0][0] == 0.0 and weighed[-1][0] == -2.0


class _RunningVMsWeigher(weighers.BaseHostWeigher):
    def weight_multiplier(self, host_state):
        return 3.0

    def _weigh_object(self, host_state, spec):
        return host_state.running_vms


def test_weights_of_several_weighers_are_summed():
    hosts = _hosts(2048, 8192)
    hosts[0].running_vms = 5
    weighed = weighers.weigh_hosts([ram.RAMWeigher(), _RunningVMsWeigher()],
                                   hosts, make_spec())
    assert [(w, hs.host) for w, hs in weighed] == [(3.0, 'host1'),
                                                   (1.0, 'host2')]


def test_zero_multiplier_leaves_order_unchanged():
    CONF.set_override('ram_weight_multiplier', 0.0, group='filter_scheduler')
    hosts = _hosts(2048, 8192, 4096)
    weighed = weighers.weigh_hosts([ram.RAMWeigher()], hosts, make_spec())
    assert [hs.host for _w, hs in weighed] == ['host1', 'host2', 'host3']
