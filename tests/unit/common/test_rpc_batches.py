"""Coalesced RPC calls: one mechanism for every method a client declares.

A caller calls the singular method; concurrent calls travel as one
`<method>_many` message; the server runs the singular method per item, or
the batch handler its receiver registered; a capped client (an older
server) sends each call alone.
"""

import logging
import threading
import time

import oslo_messaging as messaging
import pytest

from common import coalesce
from common import context
from common import exception
from common import rpc
from common.conf import CONF

TOPIC = 'unit_batches'


class Receiver:
    target = messaging.Target(version='1.2')

    def __init__(self):
        self.messages = []       # (method, items) per message received
        self.handled = []        # batches given to the batch handler
        self.gate = threading.Event()
        self.gate.set()

    def double(self, ctxt, value):
        self.messages.append(('double', 1))
        assert self.gate.wait(5)
        if value < 0:
            raise exception.Invalid(reason='%d is negative' % value)
        return {'value': value * 2, 'project': ctxt.project_id}

    def square(self, ctxt, value):
        return value * value

    @coalesce.batch_of('square')
    def square_together(self, items):
        self.handled.append(len(items))
        assert self.gate.wait(5)
        if any(kwargs['value'] == 13 for _ctxt, kwargs in items):
            raise ValueError('unlucky batch')
        return [exception.Invalid(reason='zero') if kwargs['value'] == 0
                else kwargs['value'] ** 2 for _ctxt, kwargs in items]

    def broken(self, ctxt):
        raise KeyError('secret-column')


class API(rpc.RPCAPIBase):
    TOPIC = TOPIC
    RPC_API_VERSION = '1.2'
    COALESCED = {'double': rpc.Coalesced(since='1.1'),
                 'square': rpc.Coalesced(since='1.2')}

    def double(self, ctxt, value):
        return self.call(ctxt, 'double', '1.0', value=value)

    def square(self, ctxt, value):
        return self.call(ctxt, 'square', '1.0', value=value)


class CountingDispatch:
    """Counts the messages the server receives, by method name."""

    def __init__(self, monkeypatch):
        self.methods = []
        real = messaging.rpc.dispatcher.RPCDispatcher.dispatch

        def dispatch(dispatcher, incoming):
            self.methods.append(incoming.message['method'])
            return real(dispatcher, incoming)
        monkeypatch.setattr(messaging.rpc.dispatcher.RPCDispatcher,
                            'dispatch', dispatch)


@pytest.fixture
def receiver(monkeypatch):
    rpc.init(CONF, url='inproc://')
    receiver = Receiver()
    receiver.wire = CountingDispatch(monkeypatch)
    server = rpc.get_server(messaging.Target(topic=TOPIC, server='s1'),
                            [receiver])
    server.start()
    yield receiver
    receiver.gate.set()
    server.stop()
    server.wait()
    rpc.cleanup()


def _ctxt(project):
    return context.RequestContext(user_id='u', project_id=project)


def _burst(api, method, values):
    """Call `method` for each value at once, the first one alone first
    (held at the server) so the rest queue behind it; each caller's
    result or exception, in order."""
    results = [None] * len(values)

    def one(index):
        try:
            results[index] = getattr(api, method)(
                _ctxt('p%d' % index), values[index])
        except Exception as error:
            results[index] = error
    threads = [threading.Thread(target=one, args=(i,))
               for i in range(len(values))]
    threads[0].start()
    time.sleep(0.2)
    for t in threads[1:]:
        t.start()
    deadline = time.monotonic() + 5
    while sum(len(c._waiting) for c in api._coalescers.values()) < \
            len(values) - 1:
        assert time.monotonic() < deadline
        time.sleep(0.005)
    return threads, results


def _finish(receiver, threads):
    receiver.gate.set()
    for t in threads:
        t.join(5)


def test_concurrent_calls_share_a_message_and_each_gets_its_own_answer(
        receiver):
    api = API()
    receiver.gate.clear()
    threads, results = _burst(api, 'double', [1, 2, -3, 4])
    _finish(receiver, threads)
    # The first alone, the three queued behind it together.
    assert receiver.wire.methods == ['double_many', 'double_many']
    assert [r for r in results if not isinstance(r, Exception)] == [
        {'value': 2, 'project': 'p0'}, {'value': 4, 'project': 'p1'},
        {'value': 8, 'project': 'p3'}]
    # No batch handler: the singular method ran per item, and the bad one
    # failed alone, as its own class.
    assert isinstance(results[2], exception.Invalid)
    assert results[2].message == 'Invalid input: -3 is negative'


def test_a_registered_batch_handler_gets_the_items_together(receiver):
    api = API()
    receiver.gate.clear()
    threads, results = _burst(api, 'square', [2, 3, 0, 4])
    _finish(receiver, threads)
    assert receiver.handled == [1, 3]
    assert results[:2] + results[3:] == [4, 9, 16]
    assert isinstance(results[2], exception.Invalid)


def test_a_batch_its_handler_cannot_run_runs_one_by_one(receiver):
    api = API()
    receiver.gate.clear()
    threads, results = _burst(api, 'square', [2, 13, 5])
    _finish(receiver, threads)
    assert receiver.handled == [1, 2]
    # The singular method ran for each item of the refused batch.
    assert results == [4, 169, 25]


def test_a_client_capped_below_the_batch_form_sends_each_call_alone(
        receiver):
    # An older server knows `double` but not `double_many` (1.1).
    api = API(version_cap='1.0')
    receiver.gate.clear()
    holder = threading.Thread(target=api.double, args=(_ctxt('p0'), 1))
    holder.start()
    time.sleep(0.2)
    others = [threading.Thread(target=api.double, args=(_ctxt('p'), i))
              for i in range(3)]
    for t in others:
        t.start()
    time.sleep(0.2)
    _finish(receiver, [holder] + others)
    assert receiver.wire.methods == ['double'] * 4
    assert api._coalescers == {}


def test_the_batch_form_travels_at_the_newer_of_the_two_versions(
        receiver, monkeypatch):
    api = API()
    sent = []
    real = api._call

    def recording(ctxt, method, version, *args):
        sent.append((method, version))
        return real(ctxt, method, version, *args)
    monkeypatch.setattr(api, '_call', recording)
    assert api.double(_ctxt('p'), 1)['value'] == 2
    assert api.call(_ctxt('p'), 'double', '1.2', value=2)['value'] == 4
    assert sent == [('double_many', '1.1'), ('double_many', '1.2')]
    # A call to one server, or with its own timeout, is not coalesced.
    api.call(_ctxt('p'), 'double', '1.0', server='s1', value=3)
    assert sent[-1] == ('double', '1.0')


def test_any_method_is_served_as_a_batch_but_not_a_batch_handler(receiver):
    api = API()
    outcomes = api.call(_ctxt('p'), 'square_many', '1.0', calls=[
        {'context': _ctxt('p').to_dict(), 'kwargs': {'value': 3}}])
    assert outcomes == [{'result': 9}]
    for method in ('square_together', 'nothing_many', '_private_many'):
        with pytest.raises(messaging.RemoteError) as raised:
            api.call(_ctxt('p'), method, '1.0', calls=[])
        assert raised.value.exc_type == 'NoSuchMethod', method


def test_our_own_errors_are_answers_not_server_errors(receiver, caplog):
    api = API()
    caplog.set_level(logging.DEBUG)
    with pytest.raises(exception.Invalid):
        api.call(_ctxt('p'), 'double', '1.0', server='s1', value=-1)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []
    # A bug is still logged with its traceback.
    with pytest.raises(KeyError):   # as the in-process transport raises it
        api.call(_ctxt('p'), 'broken', '1.0')
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors and errors[0].exc_info is not None
