"""HostManager: full and incremental refreshes of the host state cache."""

import datetime

import pytest

from nova_scheduler import host_manager
from nova_scheduler.filters import compute_filter
from tests.unit.nova_scheduler import FakeConductor, make_node


class _Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def _manager(nodes):
    conductor = FakeConductor(nodes)
    clock = _Clock()
    return host_manager.HostManager(conductor, clock=clock), conductor, clock


def _hosts(manager):
    return sorted(hs.host for hs in manager.get_all_host_states())


def test_first_refresh_loads_every_node():
    manager, conductor, _clock = _manager([make_node(1), make_node(2)])
    manager.refresh(None)
    assert conductor.calls == [None]
    assert _hosts(manager) == ['host1', 'host2']


def test_later_refresh_asks_only_for_changes_since_the_conductor_now():
    manager, conductor, clock = _manager([make_node(1), make_node(2)])
    manager.refresh(None)
    conductor.now = '2024-05-01T12:00:05Z'
    conductor.changed = [make_node(2, memory_mb_used=4096)]
    clock.now += 5
    manager.refresh(None)
    assert conductor.calls == [None, '2024-05-01T12:00:00Z']
    by_host = {hs.host: hs for hs in manager.get_all_host_states()}
    assert by_host['host2'].free_ram_mb == 4096
    assert by_host['host1'].free_ram_mb == 8192
    clock.now += 5
    manager.refresh(None)
    assert conductor.calls[-1] == '2024-05-01T12:00:05Z'


def test_incremental_refresh_adds_new_and_drops_deleted_nodes():
    manager, conductor, clock = _manager([make_node(1), make_node(2)])
    manager.refresh(None)
    conductor.changed = [{'id': 1, 'deleted': True}, make_node(3)]
    clock.now += 1
    manager.refresh(None)
    assert _hosts(manager) == ['host2', 'host3']


def test_full_refresh_every_600_seconds_drops_vanished_nodes():
    manager, conductor, clock = _manager([make_node(1), make_node(2)])
    manager.refresh(None)
    # A node that vanished without a 'deleted' row; only a full reload
    # can notice.
    conductor.nodes = [make_node(2)]
    conductor.changed = []
    clock.now += 599
    manager.refresh(None)
    assert _hosts(manager) == ['host1', 'host2']
    clock.now += 1
    manager.refresh(None)
    assert conductor.calls[-1] is None
    assert _hosts(manager) == ['host2']


def test_refresh_keeps_host_state_objects_for_known_nodes():
    manager, conductor, clock = _manager([make_node(1)])
    manager.refresh(None)
    before = manager.get_all_host_states()[0]
    manager.refresh(None, full=True)
    assert manager.get_all_host_states()[0] is before


def test_conductor_error_keeps_the_cache_once_loaded():
    manager, conductor, clock = _manager([make_node(1)])
    manager.refresh(None)
    conductor.error = RuntimeError('conductor gone')
    manager.refresh(None)
    assert _hosts(manager) == ['host1']


def test_conductor_error_on_first_refresh_is_raised():
    manager, conductor, _clock = _manager([make_node(1)])
    conductor.error = RuntimeError('conductor gone')
    with pytest.raises(RuntimeError):
        manager.refresh(None)


def _utcnow_iso():
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


def _passes(manager):
    """ComputeFilter's answer per host, on both paths (they must agree)."""
    f = compute_filter.ComputeFilter()
    states = manager.get_all_host_states()
    arrays = manager.arrays
    mask = f.filter_mask(arrays, arrays.all_hosts(), {})
    slow = {hs.host: f.host_passes(hs, {}) for hs in states}
    fast = {hs.host: bool(mask[hs.slot]) for hs in states}
    assert slow == fast
    return slow


def test_nodes_the_conductor_names_down_fail_the_compute_filter():
    # Heartbeat stamps are old (the conductor no longer sends them with
    # each beat): its 'down' answer alone decides.
    old = '2001-01-01T00:00:00Z'
    manager, conductor, clock = _manager(
        [make_node(1, service_updated_at=old),
         make_node(2, service_updated_at=old)])
    conductor.down = [2]
    manager.refresh(None)
    assert _passes(manager) == {'host1': True, 'host2': False}


def test_an_incremental_refresh_flips_only_nodes_whose_liveness_changed():
    manager, conductor, clock = _manager([make_node(1), make_node(2),
                                          make_node(3)])
    conductor.down = [3]
    manager.refresh(None)
    states = {hs.host: hs for hs in manager.get_all_host_states()}
    stored = []
    real_store = manager.arrays.store
    manager.arrays.store = lambda hs: (stored.append(hs.host),
                                       real_store(hs))
    # host1 dies, host3 comes back; no node row changed.
    conductor.changed = []
    conductor.down = [1]
    clock.now += 1
    manager.refresh(None)
    assert sorted(stored) == ['host1', 'host3']
    assert _passes(manager) == {'host1': False, 'host2': True,
                                'host3': True}
    assert states['host1'].service_down is True
    assert states['host3'].service_down is False


def test_without_a_down_answer_the_heartbeat_age_decides():
    # An older conductor: no 'down' key. (The real clock: the filter ages
    # heartbeats on time.monotonic().)
    conductor = FakeConductor(
        [make_node(1, service_updated_at=_utcnow_iso()),
         make_node(2, service_updated_at=None)])
    conductor.now = _utcnow_iso()
    manager = host_manager.HostManager(conductor)
    manager.refresh(None)
    assert manager.get_all_host_states()[0].service_down is None
    assert _passes(manager) == {'host1': True, 'host2': False}
