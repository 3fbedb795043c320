"""WorkerPool with real forked processes: start, restart, stop, orphans."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))

# A parent running 3 workers; each writes its pid to DIR and waits for
# SIGTERM, then writes DIR/<pid>.stopped.
POOL = textwrap.dedent('''
    import os, signal, sys, threading
    sys.path.insert(0, %(root)r)
    from common import workers

    def run_worker():
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        open(os.path.join(%(dir)r, str(os.getpid())), 'w').close()
        while not stop.wait(0.05):
            pass
        open(os.path.join(%(dir)r, '%%d.stopped' %% os.getpid()), 'w').close()

    sys.exit(workers.WorkerPool(3, run_worker, stop_timeout=10).run())
''')


def _pids(directory):
    return {int(n) for n in os.listdir(directory) if n.isdigit()}


def _wait_for(predicate, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError('condition not met in %ss' % timeout)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purposes.
    with open('/proc/%d/stat' % pid) as f:
        return f.read().split(') ')[1][0] != 'Z'


@pytest.fixture
def pool(tmp_path):
    proc = subprocess.Popen([sys.executable, '-c', POOL % {
        'root': ROOT, 'dir': str(tmp_path)}])
    try:
        _wait_for(lambda: len(_pids(tmp_path)) == 3)
        yield proc, tmp_path
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_sigterm_stops_every_worker_gracefully(pool):
    proc, directory = pool
    workers = _pids(directory)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=15) == 0
    assert {int(n.split('.')[0]) for n in os.listdir(directory)
            if n.endswith('.stopped')} == workers


def test_a_dead_worker_is_replaced(pool):
    _proc, directory = pool
    first = _pids(directory)
    victim = sorted(first)[0]
    os.kill(victim, signal.SIGKILL)
    _wait_for(lambda: len(_pids(directory) - first) == 1)
    assert not _alive(victim)


def test_workers_do_not_outlive_a_killed_parent(pool):
    proc, directory = pool
    workers = _pids(directory)
    proc.kill()
    proc.wait()
    _wait_for(lambda: not any(_alive(pid) for pid in workers))
