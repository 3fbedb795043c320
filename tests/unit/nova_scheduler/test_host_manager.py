"""HostManager: full and incremental refreshes of the host state cache."""

import pytest

from nova_scheduler import host_manager
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


def test_full_refresh_every_60_seconds_drops_vanished_nodes():
    manager, conductor, clock = _manager([make_node(1), make_node(2)])
    manager.refresh(None)
    # A node that vanished without a 'deleted' row; only a full reload
    # can notice.
    conductor.nodes = [make_node(2)]
    conductor.changed = []
    clock.now += 59
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
