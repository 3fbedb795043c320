"""A compute host reports its resources only when they changed, and an
unchanged report again after FORCED_REPORT_EVERY periods."""

from common.conf import CONF
from nova_compute import manager as compute_manager


class _Driver:
    def __init__(self):
        self.resources = {'vcpus': 4, 'memory_mb': 4096, 'local_gb': 100,
                          'hypervisor_type': 'fake',
                          'hypervisor_version': 1,
                          'hypervisor_hostname': 'h1', 'cpu_info': '{}'}

    def get_available_resource(self):
        return dict(self.resources)


class _Conductor:
    def __init__(self):
        self.reports = []

    def compute_node_update(self, ctxt, host, nodename, resources):
        self.reports.append(resources)


def test_only_changed_resources_are_reported_until_the_forced_resend(
        monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(compute_manager.time, 'monotonic', lambda: clock[0])
    driver, conductor = _Driver(), _Conductor()
    manager = compute_manager.ComputeManager(driver, conductor, 'h1')
    period = CONF.update_resources_interval
    assert manager.update_available_resource() is True
    clock[0] += period
    assert manager.update_available_resource() is False
    driver.resources['memory_mb'] = 8192
    clock[0] += period
    assert manager.update_available_resource() is True
    assert [r['memory_mb'] for r in conductor.reports] == [4096, 8192]
    for _ in range(compute_manager.FORCED_REPORT_EVERY - 1):
        clock[0] += period
        assert manager.update_available_resource() is False
    clock[0] += period
    assert manager.update_available_resource() is True
    assert len(conductor.reports) == 3


def test_a_failed_report_is_sent_again_next_time(monkeypatch):
    driver, conductor = _Driver(), _Conductor()
    manager = compute_manager.ComputeManager(driver, conductor, 'h1')
    real = conductor.compute_node_update

    def lost(*args, **kwargs):
        raise RuntimeError('no conductor')
    conductor.compute_node_update = lost
    try:
        manager.update_available_resource()
    except RuntimeError:
        pass
    conductor.compute_node_update = real
    assert manager.update_available_resource() is True
    assert len(conductor.reports) == 1
