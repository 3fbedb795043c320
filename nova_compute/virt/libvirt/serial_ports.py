"""Which host port a new guest's TCP serial port listens on.

The ports of `[serial_console] port_range` that no domain of this host
uses and that nothing else holds (a trial bind) are free; the search
starts at a random place so that spawns running side by side seldom
pick the same one (a clash fails that spawn, which is then rescheduled).
"""

import random
import socket

from common import exception

# Ports tried before giving up on a crowded range.
MAX_TRIES = 512


def parse_range(text):
    low, high = (int(part) for part in text.split(':'))
    if not 0 < low <= high < 65536:
        raise exception.Invalid(reason='[serial_console] port_range %r is '
                                       'not min:max within 1-65535' % text)
    return low, high


def _bindable(host, port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def choose(host, port_range, used=()):
    """A free port of `port_range` ('min:max') on `host`; `used`: ports
    the host's domains have already."""
    low, high = parse_range(port_range)
    count = high - low + 1
    start = random.randrange(count)
    used = set(used)
    for step in range(min(count, MAX_TRIES)):
        port = low + (start + step) % count
        if port not in used and _bindable(host, port):
            return port
    raise exception.HypervisorError(
        reason='no free serial console port in %s on %s' % (port_range,
                                                            host))
