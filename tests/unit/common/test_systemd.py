"""sd_notify (common/systemd.py), and the units in etc/systemd that use it."""

import glob
import logging
import os
import shutil
import subprocess
import sys

import pytest

from common import systemd
from tests.notify_listener import NotifyListener

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
UNITS = sorted(glob.glob(os.path.join(ROOT, 'etc', 'systemd', '*.service')))


@pytest.fixture
def listener(tmp_path, monkeypatch):
    listener = NotifyListener(tmp_path)
    monkeypatch.setenv('NOTIFY_SOCKET', listener.path)
    monkeypatch.delenv('WATCHDOG_USEC', raising=False)
    monkeypatch.delenv('WATCHDOG_PID', raising=False)
    yield listener
    listener.close()


def test_without_notify_socket_nothing_is_sent(monkeypatch):
    monkeypatch.delenv('NOTIFY_SOCKET', raising=False)
    assert systemd.notify('READY=1') is False


def test_ready_names_the_main_pid(listener):
    assert systemd.notify('READY=1\nMAINPID=%d' % os.getpid())
    assert listener.wait_for(len) == ['READY=1\nMAINPID=%d' % os.getpid()]


def test_abstract_socket_address(tmp_path, monkeypatch):
    import socket
    name = 'nova-test-%d' % os.getpid()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind('\0' + name)
    try:
        monkeypatch.setenv('NOTIFY_SOCKET', '@' + name)
        assert systemd.notify('WATCHDOG=1')
        assert sock.recv(100) == b'WATCHDOG=1'
    finally:
        sock.close()


def test_unreachable_socket_is_a_warning_not_a_crash(tmp_path, monkeypatch,
                                                     caplog):
    monkeypatch.setenv('NOTIFY_SOCKET', str(tmp_path / 'nobody-listens'))
    with caplog.at_level(logging.WARNING, logger='common.systemd'):
        assert systemd.notify('READY=1') is False
    assert 'Cannot notify systemd (READY=1)' in caplog.text


@pytest.mark.parametrize('usec,pid,interval', [
    ('60000000', None, 30.0),
    ('60000000', 'self', 30.0),
    ('60000000', 'other', None),   # set for our parent, not us
    ('0', None, None),
    ('soon', None, None),
    (None, None, None),
])
def test_watchdog_interval_is_half_of_watchdog_sec(monkeypatch, usec, pid,
                                                   interval):
    for name, value in (('WATCHDOG_USEC', usec), ('WATCHDOG_PID', {
            'self': str(os.getpid()), 'other': str(os.getpid() + 1)}.get(
                pid))):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert systemd.watchdog_interval() == interval


def test_watchdog_pings_once_per_interval(listener, monkeypatch):
    monkeypatch.setenv('WATCHDOG_USEC', '2000000')  # WatchdogSec=2
    now = [100.0]
    watchdog = systemd.Watchdog(clock=lambda: now[0])
    watchdog.tick()                  # not ready yet: no ping
    watchdog.ready()
    assert watchdog.wait_step() == 0.5
    for step in (0.5, 0.4, 0.2, 0.9, 0.2):   # pings at +1.1 and +2.2
        now[0] += step
        watchdog.tick()
    watchdog.stopping()
    now[0] += 5
    watchdog.tick()                  # stopping: no more pings
    listener.wait_for(lambda m: len(m) == 4)
    assert [m.split('\n')[0] for m in listener.messages] == [
        'READY=1', 'WATCHDOG=1', 'WATCHDOG=1', 'STOPPING=1']
    with pytest.raises(AssertionError):
        listener.wait_for(lambda m: len(m) > 4, timeout=0.2)


def test_without_watchdog_ticks_send_nothing(listener):
    watchdog = systemd.Watchdog()
    watchdog.ready()
    for _ in range(3):
        watchdog.tick()
    assert watchdog.wait_step() == 1.0
    assert listener.wait_for(len) == ['READY=1\nMAINPID=%d' % os.getpid()]


def test_forget_leaves_nothing_to_send_to(listener, monkeypatch):
    monkeypatch.setenv('WATCHDOG_USEC', '2000000')
    systemd.forget()
    assert 'NOTIFY_SOCKET' not in os.environ
    assert systemd.watchdog_interval() is None
    assert systemd.notify('READY=1') is False


# A daemon's main loop (common.daemon.wait_for_signals) under a notify
# socket: READY=1 before it waits, pings while it waits, STOPPING=1 on
# SIGTERM, then its on_stop runs.
DAEMON = '''
import sys
sys.path.insert(0, %r)
from common import daemon
daemon.wait_for_signals(lambda: print('stopped', flush=True))
'''


def test_wait_for_signals_tells_systemd(tmp_path):
    import signal
    listener = NotifyListener(tmp_path)
    try:
        proc = subprocess.Popen(
            [sys.executable, '-c', DAEMON % ROOT], stdout=subprocess.PIPE,
            text=True, env=listener.env(watchdog_sec=0.4))
        try:
            listener.wait_for(lambda m: listener.count('WATCHDOG=1') >= 3)
            assert listener.messages[0] == 'READY=1\nMAINPID=%d' % proc.pid
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(10) == 0
        finally:
            proc.kill()
        assert proc.stdout.read() == 'stopped\n'
        listener.wait_for(lambda m: m[-1] == 'STOPPING=1')
        assert listener.count('READY=1') == 1
    finally:
        listener.close()


def _units_pointing_at(directory):
    """The units, copied with ExecStart at this venv's commands (verify
    checks that the program exists)."""
    copies = []
    for unit in UNITS:
        with open(unit) as f:
            text = f.read()
        text = text.replace('/usr/local/bin/', os.path.dirname(
            sys.executable) + '/')
        copy = os.path.join(directory, os.path.basename(unit))
        with open(copy, 'w') as f:
            f.write(text)
        copies.append(copy)
    return copies


def _verify(units):
    analyze = shutil.which('systemd-analyze')
    assert analyze, 'systemd-analyze is missing: tools/install.sh installs it'
    return subprocess.run([analyze, 'verify'] + units, capture_output=True,
                          text=True, timeout=120)


def test_units_pass_systemd_analyze_verify(tmp_path):
    assert len(UNITS) == 8
    result = _verify(_units_pointing_at(str(tmp_path)))
    assert (result.returncode, result.stdout, result.stderr) == (0, '', '')


def test_every_unit_notifies_restarts_and_is_hardened():
    for unit in UNITS:
        with open(unit) as f:
            lines = set(f.read().splitlines())
        for needed in ('Type=notify', 'NotifyAccess=main', 'WatchdogSec=60',
                       'Restart=on-failure', 'NoNewPrivileges=yes',
                       'ProtectHome=yes'):
            assert needed in lines, (unit, needed)
        compute = unit.endswith('nova-compute.service')
        assert ('ProtectSystem=full' if compute else
                'ProtectSystem=strict') in lines, unit
        assert ('PrivateTmp=yes' in lines) is not compute, unit


def test_verify_reports_a_misspelt_key(tmp_path):
    """The check above can fail: a typo in a unit is reported."""
    unit = _units_pointing_at(str(tmp_path))[0]
    with open(unit) as f:
        text = f.read()
    with open(unit, 'w') as f:
        f.write(text.replace('NoNewPrivileges=', 'NoNewPrivilege='))
    result = _verify([unit])
    assert 'NoNewPrivilege' in result.stderr, result
