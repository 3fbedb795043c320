"""bench/fleet_hosts.py's shared timer: many Periodic tasks, one thread."""

import importlib.util
import pathlib
import threading
import time

from common import service

_PATH = pathlib.Path(__file__).resolve().parents[2] / 'bench' / \
    'fleet_hosts.py'


def _module():
    spec = importlib.util.spec_from_file_location('fleet_hosts', _PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _counting(counts, name, fail_first=False):
    def task():
        counts[name] = counts.get(name, 0) + 1
        if fail_first and counts[name] == 1:
            raise RuntimeError('first call fails')
    return task


def test_shared_timers_run_every_task_and_stop_the_stopped():
    timers = _module().SharedTimers(workers=4)
    timers.start()
    counts = {}
    tasks = [service.Periodic('t%d' % i, 0.1, _counting(counts, i))
             for i in range(20)]
    later = service.Periodic('later', 0.1, _counting(counts, 'later'),
                             run_now=False)
    retried = service.Periodic('retried', 60,
                               _counting(counts, 'retried', True),
                               retry_after=0.05)
    try:
        for task in tasks + [later, retried]:
            timers.add(task)
        # Every task ran at once, and again within its interval.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not all(
                counts.get(i, 0) >= 3 for i in range(20)):
            time.sleep(0.02)
        assert all(counts[i] >= 3 for i in range(20)), counts
        assert counts['later'] >= 1
        # A failure is tried again after retry_after, not the interval.
        assert counts['retried'] == 2
        tasks[0].stop()
        time.sleep(0.3)
        stopped_at, other_at = counts[0], counts[1]
        time.sleep(0.4)
        # The stopped one no more; the others go on.
        assert counts[0] == stopped_at
        assert counts[1] > other_at
    finally:
        timers.stop()
    # One thread for all of them, plus the pool's.
    names = [t.name for t in threading.enumerate()]
    assert names.count('shared-timers') <= 1
    assert len(timers.take_lags()) >= 60
