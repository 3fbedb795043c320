"""WorkerPool with real forked processes: start, restart, stop, orphans."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from tests.notify_listener import NotifyListener

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))

# A parent running 3 workers; each writes its pid to DIR and waits for
# SIGTERM, then writes DIR/<pid>.stopped.
POOL = textwrap.dedent('''
    import os, signal, sys, threading
    sys.path.insert(0, %(root)r)
    from common import systemd, workers

    def run_worker():
        # A worker is not the unit's main process: systemd never hears
        # from it (see test_the_parent_alone_talks_to_systemd).
        systemd.notify('READY=1\\nWORKER=%%d' %% os.getpid())
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


def _start_pool(directory, **popen_args):
    return subprocess.Popen([sys.executable, '-c', POOL % {
        'root': ROOT, 'dir': str(directory)}], **popen_args)


@pytest.fixture
def pool(tmp_path):
    proc = _start_pool(tmp_path)
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


def test_the_parent_alone_talks_to_systemd(tmp_path):
    listener = NotifyListener(tmp_path)
    workers_dir = tmp_path / 'workers'
    workers_dir.mkdir()
    proc = _start_pool(workers_dir, env=listener.env(watchdog_sec=0.4))
    try:
        _wait_for(lambda: len(_pids(workers_dir)) == 3)
        listener.wait_for(lambda m: listener.count('WATCHDOG=1') >= 3)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
        listener.wait_for(lambda m: m[-1] == 'STOPPING=1')
        # READY=1 from the parent once, nothing from the three workers.
        assert listener.messages[0] == 'READY=1\nMAINPID=%d' % proc.pid
        assert listener.count('READY=1') == 1
        assert not any('WORKER' in m for m in listener.messages)
    finally:
        if proc.poll() is None:
            proc.kill()
        listener.close()
