"""--wait: poll a server until an operation ends, printing each step.

A step is a task_state (scheduling, networking, block_device_mapping,
spawning for a build). Polling alone can miss a step that lasts less than
the interval, so the operation's instance-action events, which the
conductor records for every task_state, fill the gaps.
"""

import time

from nova_cli import http
from nova_cli import resolve

ERROR = 'ERROR'


class WaitFailed(Exception):
    """The operation ended in error, or did not end in time."""


def task_state(server):
    return server.get('OS-EXT-STS:task_state')


def fault_message(server):
    fault = server.get('fault') or {}
    return fault.get('message') or ''


class Progress:
    """Turns successive looks at a server into lines of progress."""

    def __init__(self):
        self.steps = []
        self.status = None

    def observe(self, server, events=(), elapsed=0.0):
        """The lines for what is new since the last look."""
        steps = []
        seen = [e.get('event') for e in events or () if e.get('event')]
        current = task_state(server)
        if current and current not in seen:
            seen.append(current)
        for step in seen:
            if step not in self.steps:
                self.steps.append(step)
                steps.append('%5.1fs    %s' % (elapsed, step))
        status = server.get('status')
        if status == self.status:
            return steps
        self.status = status
        line = ['%5.1fs  %s' % (elapsed, status)]
        # A status reached once the task is over comes after its steps.
        return steps + line if current is None else line + steps


def outcome(server, events, targets):
    """'done', 'failed' or None (still going) for this look at a server.

    Done means a target status with no task left. Failed means ERROR, or
    the task is over and one of its events failed (a stop the hypervisor
    refused leaves the server ACTIVE, with a fault).
    """
    if server.get('status') == ERROR:
        return 'failed'
    if task_state(server) is None:
        if server.get('status') in targets:
            return 'done'
        if any(e.get('result') == 'Error' for e in events or ()):
            return 'failed'
    return None


def _events(compute, server_id, request_id):
    if not request_id:
        return []
    try:
        return compute.get('/servers/%s/os-instance-actions/%s' % (
            server_id, request_id))['instanceAction'].get('events') or []
    except http.ApiError as e:
        if e.status == 404:
            return []
        raise


def wait_for_server(compute, server_id, targets, out, request_id=None,
                    timeout=600, interval=0.5, sleep=time.sleep,
                    clock=time.monotonic):
    """Poll until the server reaches a target status; the final server.

    Raises WaitFailed with the server's fault when it ends in error.
    """
    progress = Progress()
    start = clock()
    while True:
        server = compute.get('/servers/%s' % resolve.quote(server_id))[
            'server']
        events = _events(compute, server_id, request_id)
        elapsed = clock() - start
        for line in progress.observe(server, events, elapsed):
            out.write(line + '\n')
        out.flush()
        result = outcome(server, events, targets)
        if result == 'done':
            return server
        if result == 'failed':
            raise WaitFailed('Server %s is %s after %.1fs: %s' % (
                server.get('name') or server_id, server.get('status'),
                elapsed, fault_message(server) or 'no fault recorded'))
        if elapsed >= timeout:
            raise WaitFailed(
                'Timed out after %ds waiting for server %s (status %s, '
                'task_state %s).' % (timeout, server_id,
                                     server.get('status'), task_state(server)))
        sleep(interval)


def wait_for_delete(compute, server_id, out, timeout=600, interval=0.5,
                    sleep=time.sleep, clock=time.monotonic):
    start = clock()
    while True:
        try:
            server = compute.get('/servers/%s' % resolve.quote(server_id))[
                'server']
        except http.ApiError as e:
            if e.status == 404:
                out.write('%5.1fs  deleted %s\n' % (clock() - start,
                                                    server_id))
                return
            raise
        if server.get('status') == ERROR and task_state(server) is None:
            raise WaitFailed('Server %s could not be deleted: %s' % (
                server_id, fault_message(server) or 'no fault recorded'))
        if clock() - start >= timeout:
            raise WaitFailed('Timed out after %ds waiting for server %s to '
                             'be deleted.' % (timeout, server_id))
        sleep(interval)
