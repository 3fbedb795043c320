"""--wait: progress lines, outcomes, and the polling loop."""

import io

import pytest

from nova_cli import http
from nova_cli import progress


def _server(status, task=None, fault=None):
    out = {'id': 's1', 'name': 'vm', 'status': status,
           'OS-EXT-STS:task_state': task}
    if fault:
        out['fault'] = {'message': fault, 'code': 500}
    return out


def _strip(lines):
    return [line.split(None, 1)[1] for line in lines]


def test_progress_prints_each_step_once_in_order():
    p = progress.Progress()
    assert _strip(p.observe(_server('BUILD', 'scheduling'))) == [
        'BUILD', 'scheduling']
    assert p.observe(_server('BUILD', 'scheduling')) == []
    assert _strip(p.observe(_server('BUILD', 'spawning'))) == ['spawning']
    assert _strip(p.observe(_server('ACTIVE'))) == ['ACTIVE']


def test_events_fill_in_steps_polling_missed():
    p = progress.Progress()
    p.observe(_server('BUILD', 'scheduling'))
    events = [{'event': e, 'result': 'Success'} for e in (
        'scheduling', 'networking', 'block_device_mapping', 'spawning')]
    # Finished between two polls: the steps come before the final status.
    assert _strip(p.observe(_server('ACTIVE'), events)) == [
        'networking', 'block_device_mapping', 'spawning', 'ACTIVE']


def test_lines_carry_the_elapsed_time():
    p = progress.Progress()
    assert p.observe(_server('BUILD', 'scheduling'), elapsed=1.25) == [
        '  1.2s  BUILD', '  1.2s    scheduling']


@pytest.mark.parametrize('server, events, targets, expected', [
    (_server('ACTIVE'), [], ('ACTIVE',), 'done'),
    (_server('ACTIVE', 'powering-off'), [], ('SHUTOFF',), None),
    (_server('BUILD', 'spawning'), [], ('ACTIVE',), None),
    (_server('ERROR', fault='boom'), [], ('ACTIVE',), 'failed'),
    (_server('SHUTOFF'), [], ('SHUTOFF',), 'done'),
    # A stop the host refused: task over, server still ACTIVE, event failed.
    (_server('ACTIVE'), [{'event': 'powering-off', 'result': 'Error'}],
     ('SHUTOFF',), 'failed'),
])
def test_outcome(server, events, targets, expected):
    assert progress.outcome(server, events, targets) == expected


class FakeCompute:
    """Answers GET /servers/s1 from a script of server bodies."""

    def __init__(self, servers, events=None):
        self.servers = list(servers)
        self.events = events or []
        self.calls = []

    def get(self, url):
        self.calls.append(url)
        if '/os-instance-actions/' in url:
            return {'instanceAction': {'events': self.events}}
        if len(self.servers) > 1:
            return {'server': self.servers.pop(0)}
        if self.servers[0] is None:
            raise http.ApiError(404, 'Instance s1 could not be found.')
        return {'server': self.servers[0]}


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def _wait(compute, clock, **kw):
    out = io.StringIO()
    result = progress.wait_for_server(
        compute, 's1', ('ACTIVE',), out, sleep=clock.sleep, clock=clock,
        **kw)
    return result, out.getvalue()


def test_wait_returns_the_active_server_and_prints_the_build():
    clock = FakeClock()
    compute = FakeCompute([_server('BUILD', 'scheduling'),
                           _server('BUILD', 'networking'),
                           _server('BUILD', 'spawning'), _server('ACTIVE')])
    server, out = _wait(compute, clock, request_id='req-1', interval=0.5)
    assert server['status'] == 'ACTIVE'
    assert _strip(out.splitlines()) == [
        'BUILD', 'scheduling', 'networking', 'spawning', 'ACTIVE']
    assert out.splitlines()[-1] == '  1.5s  ACTIVE'
    assert '/servers/s1/os-instance-actions/req-1' in compute.calls


def test_wait_raises_with_the_fault_on_error():
    clock = FakeClock()
    compute = FakeCompute([_server('BUILD', 'scheduling'), _server(
        'ERROR', fault='No valid host was found. RamFilter 2 -> 0')])
    with pytest.raises(progress.WaitFailed) as e:
        _wait(compute, clock)
    assert 'is ERROR' in str(e.value)
    assert 'No valid host was found. RamFilter 2 -> 0' in str(e.value)


def test_wait_gives_up_after_the_timeout():
    clock = FakeClock()
    compute = FakeCompute([_server('BUILD', 'spawning')])
    with pytest.raises(progress.WaitFailed) as e:
        _wait(compute, clock, timeout=3, interval=1)
    assert 'Timed out after 3s' in str(e.value)
    assert 'task_state spawning' in str(e.value)


def test_wait_for_delete_ends_on_404():
    clock = FakeClock()
    compute = FakeCompute([_server('ACTIVE', 'deleting'), None])
    out = io.StringIO()
    progress.wait_for_delete(compute, 's1', out, sleep=clock.sleep,
                             clock=clock)
    assert 'deleted s1' in out.getvalue()
