"""Remote consoles in the conductor: tokens stored hashed, spent once,
expiring; the checks before the compute is asked (docs/consoles.md)."""

import hashlib
import time
import urllib.parse

import pytest
import sqlalchemy as sa

from common import exception
from common import states
from common.conf import CONF
from nova_conductor import consoles
from nova_conductor.db import console_tokens
from nova_conductor.db import instance_transitions
from nova_conductor.db import session
from tests.unit.nova_conductor import dbhelpers


class FakeCompute:

    def __init__(self):
        self.asked = []

    def _where(self, base):
        return {'host': '10.1.2.3', 'port': 10007,
                'internal_access_path': None, 'access_url_base': base}

    def get_serial_console(self, ctxt, host, instance, console_type):
        self.asked.append((host, 'serial', console_type))
        return self._where('ws://proxy:6083/')

    def get_vnc_console(self, ctxt, host, instance, console_type):
        self.asked.append((host, 'vnc', console_type))
        return self._where('http://proxy:6080/vnc_auto.html')


@pytest.fixture
def active(db):
    return dbhelpers.make_instance(host='host1', vm_state=states.ACTIVE,
                                   task_state=None)


def _token(url):
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    if 'token' in query:
        return query['token'][0]
    # noVNC: path=?token=...
    return urllib.parse.parse_qs(query['path'][0][1:])['token'][0]


def _rows():
    with session.reader() as s:
        return [dict(r) for r in s.execute(sa.text(
            'SELECT * FROM console_auth_tokens')).mappings()]


def test_serial_console_url_token_hashed_and_spent_once(active):
    compute = FakeCompute()
    found = consoles.get_console(compute, None, active['uuid'], 'serial',
                                 'serial')
    assert found['protocol'] == 'serial' and found['type'] == 'serial'
    assert found['url'].startswith('ws://proxy:6083/?token=')
    token = _token(found['url'])
    assert len(token) >= 40
    assert compute.asked == [('host1', 'serial', 'serial')]
    [row] = _rows()
    # Only the sha256 is kept.
    assert row['token_hash'] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(row)
    assert row['expires'] - time.time() == pytest.approx(
        CONF.consoleauth.token_ttl, abs=5)
    # An admin may look without spending it; the proxy spends it.
    assert consoles.show(token)['port'] == 10007
    spent = consoles.consume(token, 'serial')
    assert (spent['host'], spent['port'], spent['instance_uuid']) == (
        '10.1.2.3', 10007, active['uuid'])
    with pytest.raises(exception.InvalidToken):
        consoles.consume(token, 'serial')
    with pytest.raises(exception.InvalidToken):
        consoles.show(token)
    assert _rows() == []


def test_novnc_url_carries_the_websocket_path(active):
    found = consoles.get_console(FakeCompute(), None, active['uuid'],
                                 'vnc', 'novnc')
    assert found['url'].startswith(
        'http://proxy:6080/vnc_auto.html?path=%3Ftoken%3D')
    token = _token(found['url'])
    # A serial proxy may not spend a VNC token.
    with pytest.raises(exception.InvalidToken):
        consoles.consume(token, 'serial')


def test_expired_tokens_are_refused_and_purged(active, monkeypatch):
    CONF.set_override('token_ttl', 1, group='consoleauth')
    try:
        found = consoles.get_console(FakeCompute(), None, active['uuid'],
                                     'serial', 'serial')
    finally:
        CONF.clear_override('token_ttl', group='consoleauth')
    token = _token(found['url'])
    later = time.time() + 2
    monkeypatch.setattr(time, 'time', lambda: later)
    with pytest.raises(exception.InvalidToken):
        consoles.consume(token)
    assert len(_rows()) == 1
    assert console_tokens.purge_expired() == 1
    assert _rows() == []


def test_a_new_token_purges_expired_ones_and_bounds_per_instance(active):
    console_tokens.create('old', -5, console_type='serial', host='h',
                          port=1, instance_uuid=active['uuid'])
    for n in range(console_tokens.MAX_PER_INSTANCE + 3):
        console_tokens.create('t%d' % n, 600, console_type='serial',
                              host='h', port=1,
                              instance_uuid=active['uuid'])
    rows = _rows()
    assert len(rows) == console_tokens.MAX_PER_INSTANCE
    assert console_tokens.get('old') is None
    # The oldest went, the newest stay.
    assert console_tokens.get('t0') is None
    assert console_tokens.get('t%d' % (console_tokens.MAX_PER_INSTANCE + 2))


def test_a_token_of_a_deleted_or_stopped_instance_is_no_good(active):
    compute = FakeCompute()
    token = _token(consoles.get_console(compute, None, active['uuid'],
                                        'serial', 'serial')['url'])
    instance_transitions.update(active['uuid'],
                                {'vm_state': states.STOPPED})
    with pytest.raises(exception.InvalidToken):
        consoles.consume(token)


@pytest.mark.parametrize('protocol, kind, error', [
    ('vnc', 'serial', exception.ConsoleTypeInvalid),
    ('serial', 'novnc', exception.ConsoleTypeInvalid),
    ('spice', 'spice-html5', exception.ConsoleNotImplemented),
    ('rdp', 'rdp-html5', exception.ConsoleNotImplemented),
    ('mks', 'webmks', exception.ConsoleNotImplemented),
])
def test_what_the_compute_is_never_asked(active, protocol, kind, error):
    compute = FakeCompute()
    with pytest.raises(error):
        consoles.get_console(compute, None, active['uuid'], protocol, kind)
    assert compute.asked == [] and _rows() == []


@pytest.mark.parametrize('vm_state', [states.RESIZED, states.RESCUED])
def test_a_resized_or_rescued_guest_has_a_console(active, vm_state):
    instance_transitions.update(active['uuid'], {'vm_state': vm_state})
    compute = FakeCompute()
    token = _token(consoles.get_console(compute, None, active['uuid'],
                                        'serial', 'serial')['url'])
    assert len(compute.asked) == 1
    assert consoles.consume(token)['instance_uuid'] == active['uuid']


def test_an_instance_not_active_is_not_ready(db):
    building = dbhelpers.make_instance()
    compute = FakeCompute()
    with pytest.raises(exception.InstanceNotReady):
        consoles.get_console(compute, None, building['uuid'], 'serial',
                             'serial')
    assert compute.asked == []


@pytest.mark.parametrize('token', ['', None, 'x' * 256, 5])
def test_malformed_tokens_are_invalid(db, token):
    with pytest.raises(exception.InvalidToken):
        consoles.consume(token)
