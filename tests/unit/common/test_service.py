"""A daemon's timers: a failed heartbeat is sent again promptly."""

import threading
import time

from common import exception
from common import service


def _recorder(failures):
    """A task that fails `failures` times, then succeeds; the moments of
    its calls."""
    calls = []
    done = threading.Event()

    def task():
        calls.append(time.monotonic())
        if len(calls) <= failures:
            raise exception.ServiceUnavailable(service='nova-conductor',
                                               reason='not up yet')
        done.set()
    return task, calls, done


def test_a_failed_task_is_tried_again_sooner_each_time_longer():
    task, calls, done = _recorder(3)
    timer = service.Periodic('beat', 30, task, retry_after=0.05)
    timer.start()
    try:
        assert done.wait(5)
    finally:
        timer.stop()
    gaps = [b - a for a, b in zip(calls, calls[1:])]
    # 0.05, 0.1, 0.2 s, not the 30 s interval.
    assert len(gaps) == 3
    assert 0.04 < gaps[0] < gaps[1] < gaps[2] < 1


def test_without_retry_a_failed_task_waits_its_interval():
    task, calls, done = _recorder(1)
    timer = service.Periodic('report', 0.5, task)
    timer.start()
    try:
        assert done.wait(5)
    finally:
        timer.stop()
    assert calls[1] - calls[0] >= 0.45


def test_a_service_heartbeat_lost_at_start_is_sent_again_within_seconds(
        monkeypatch):
    """The daemon started before any conductor: its first heartbeat goes
    nowhere. It must not wait report_interval for the next."""
    task, calls, done = _recorder(1)
    monkeypatch.setattr(service.Service, 'HEARTBEAT_RETRY', 0.05)

    svc = service.Service('nova-scheduler', 'scheduler', 'h1', object(),
                          heartbeat=lambda host, binary, topic: task(),
                          report_interval=60)
    monkeypatch.setattr(service.rpc, 'get_server',
                        lambda target, endpoints: _NullServer())
    svc.start()
    try:
        assert done.wait(5)
    finally:
        svc.stop()
    assert calls[1] - calls[0] < 1


class _NullServer:
    def start(self):
        pass

    def stop(self):
        pass

    def wait(self):
        pass


def test_run_once_says_when_to_run_next():
    task, calls, _done = _recorder(2)
    timer = service.Periodic('beat', 30, task, retry_after=0.5)
    assert [timer.run_once() for _ in range(4)] == [0.5, 1.0, 30, 30]
    assert len(calls) == 4
    # Never started as a thread: run_once is all a shared timer needs.
    assert not timer.is_alive()


def test_a_service_takes_its_rpc_server_and_timers_from_its_caller():
    made, timed = [], []

    class Server:
        stopped = False

        def start(self):
            self.started = True

        def stop(self):
            self.stopped = True

        def wait(self):
            pass

    class Manager:
        def periodic_tasks(self):
            return [('report', 60, lambda: None, 1.0)]

    def rpc_server(target, endpoints):
        made.append((target.topic, target.server, endpoints))
        made.append(Server())
        return made[-1]

    mgr = Manager()
    svc = service.Service('nova-compute', 'compute', 'h7', mgr,
                          heartbeat=lambda *a: None, report_interval=10,
                          rpc_server=rpc_server, start_timer=timed.append)
    svc.start()
    assert made[0] == ('compute', 'h7', [mgr])
    assert made[1].started
    assert [(t.name, t.interval, t.retry_after) for t in timed] == [
        ('nova-compute-heartbeat', 10, svc.HEARTBEAT_RETRY),
        ('nova-compute-report', 60, 1.0)]
    # No thread of their own: the caller runs them.
    assert not any(t.is_alive() for t in timed)
    svc.stop()
    assert made[1].stopped
    assert all(t.stopped.is_set() for t in timed)


def test_a_service_registers_then_beats_cheaply_and_registers_after_a_failure(
        monkeypatch):
    calls = []
    fail = [False]

    def register(host, binary, topic):
        calls.append('register')

    def beat(host, binary, topic):
        calls.append('beat')
        if fail[0]:
            fail[0] = False
            raise RuntimeError('broker gone')
    svc = service.Service('nova-compute', 'compute', 'h1', object(),
                          heartbeat=register, beat=beat)
    svc._beat()
    svc._beat()
    fail[0] = True
    try:
        svc._beat()
    except RuntimeError:
        pass
    svc._beat()
    svc._beat()
    assert calls == ['register', 'beat', 'beat', 'register', 'beat']
