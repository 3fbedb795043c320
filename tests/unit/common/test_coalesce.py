"""Concurrent calls sent as batches, each caller getting its own outcome."""

import threading
import time

import pytest

from common import coalesce
from common import exception


class GatedSender:
    """A send() that records its batches and, when gated, holds each one
    until the test releases it."""

    def __init__(self, gated=False):
        self.batches = []
        self.gate = threading.Semaphore(0) if gated else None
        self.started = threading.Semaphore(0)

    def __call__(self, items):
        self.batches.append(list(items))
        self.started.release()
        if self.gate is not None:
            assert self.gate.acquire(timeout=5)
        return [{'result': item * 10} for item in items]


def _in_threads(func, args):
    results, threads = {}, []
    for arg in args:
        def run(arg=arg):
            try:
                results[arg] = func(arg)
            except Exception as e:
                results[arg] = e
        threads.append(threading.Thread(target=run))
        threads[-1].start()
    return results, threads


def _wait_for_queue(coalescer, length):
    deadline = time.monotonic() + 5
    while len(coalescer._waiting) < length:
        assert time.monotonic() < deadline, 'callers never queued'
        time.sleep(0.001)


def test_an_idle_call_goes_out_alone_and_at_once():
    sender = GatedSender()
    c = coalesce.Coalescer(sender)
    assert c.call(1) == {'result': 10}
    assert c.call(2) == {'result': 20}
    assert sender.batches == [[1], [2]]
    assert c._in_flight == 0


def test_calls_made_while_every_slot_is_busy_leave_together():
    sender = GatedSender(gated=True)
    c = coalesce.Coalescer(sender, max_in_flight=1)
    first, threads = _in_threads(c.call, [0])
    assert sender.started.acquire(timeout=5)
    queued, more = _in_threads(c.call, [1, 2, 3, 4])
    _wait_for_queue(c, 4)
    sender.gate.release()            # the first batch returns...
    assert sender.started.acquire(timeout=5)
    sender.gate.release()            # ...and the queue left as one batch
    for t in threads + more:
        t.join(5)
    assert sender.batches[0] == [0]
    assert sorted(sender.batches[1]) == [1, 2, 3, 4]
    assert len(sender.batches) == 2
    assert {**first, **queued} == {i: {'result': i * 10} for i in range(5)}
    assert c._in_flight == 0 and not c._waiting


def test_a_batch_never_exceeds_max_batch():
    sender = GatedSender(gated=True)
    c = coalesce.Coalescer(sender, max_in_flight=1, max_batch=2)
    _, threads = _in_threads(c.call, [0])
    assert sender.started.acquire(timeout=5)
    _, more = _in_threads(c.call, [1, 2, 3])
    _wait_for_queue(c, 3)
    for _ in range(2):
        sender.gate.release()        # a batch returns, the next one starts
        assert sender.started.acquire(timeout=5)
    sender.gate.release()
    for t in threads + more:
        t.join(5)
    assert [len(b) for b in sender.batches] == [1, 2, 1]
    assert c._in_flight == 0


def test_linger_does_not_delay_an_idle_call():
    sender = GatedSender()
    c = coalesce.Coalescer(sender, linger=5.0)
    started = time.monotonic()
    assert c.call(1) == {'result': 10}
    assert time.monotonic() - started < 2.5
    assert sender.batches == [[1]]


def test_under_load_a_batch_waits_out_its_linger_for_company():
    # The second batch would leave the moment the first came back, with
    # the one call then queued; with a linger it waits for the next one.
    sender = GatedSender(gated=True)
    c = coalesce.Coalescer(sender, linger=0.5)
    _, threads = _in_threads(c.call, [0])
    assert sender.started.acquire(timeout=5)
    _, more = _in_threads(c.call, [1])
    _wait_for_queue(c, 1)
    gate, sender.gate = sender.gate, None
    gate.release()                   # the first batch returns
    time.sleep(0.1)
    _, late = _in_threads(c.call, [2])
    for t in threads + more + late:
        t.join(5)
    assert sender.batches[0] == [0]
    assert sorted(sender.batches[1]) == [1, 2]
    assert c._in_flight == 0 and not c._waiting


def test_a_failed_batch_fails_each_of_its_callers_and_frees_its_slot():
    def send(items):
        raise exception.ServiceUnavailable(service='nova-conductor',
                                           reason='no reply')
    c = coalesce.Coalescer(send, max_in_flight=1)
    with pytest.raises(exception.ServiceUnavailable):
        c.call(1)
    assert c._in_flight == 0
    with pytest.raises(exception.ServiceUnavailable):
        c.call(2)


def test_a_short_answer_is_an_error_not_a_silent_none():
    c = coalesce.Coalescer(lambda items: [])
    with pytest.raises(exception.NovaException, match='Expected 1 outcomes'):
        c.call(1)


def test_each_item_gets_its_own_result_or_error():
    def work(uuid):
        if uuid == 'gone':
            raise exception.InstanceNotFound(instance_id=uuid)
        if uuid == 'bug':
            raise KeyError('secret-column')
        return uuid.upper()
    outcomes = [coalesce.outcome(work, u) for u in ('a', 'gone', 'bug')]
    assert coalesce.unwrap(outcomes[0]) == 'A'
    with pytest.raises(exception.InstanceNotFound) as info:
        coalesce.unwrap(outcomes[1])
    assert info.value.message == 'Instance gone could not be found.'
    assert info.value.code == 404
    with pytest.raises(exception.NovaException) as info:
        coalesce.unwrap(outcomes[2])
    # The server's internals stay in its log.
    assert 'secret-column' not in info.value.message
    assert 'KeyError' in info.value.message


def test_errors_survive_their_trip_as_plain_data():
    error = exception.UnexpectedTaskState(instance_uuid='u1',
                                          actual='deleting',
                                          expected='spawning')
    back = exception.from_primitive(exception.to_primitive(error))
    assert type(back) is exception.UnexpectedTaskState
    assert back.message == error.message
    assert back.kwargs == error.kwargs
    # A class name that is not one of ours is never looked up elsewhere.
    odd = exception.from_primitive({'class': 'SystemExit', 'message': 'x'})
    assert type(odd) is exception.NovaException and odd.message == 'x'


def test_an_unavailable_database_fails_the_whole_batch():
    # Not one item's own failure: the client sends the batch again.
    def work(uuid):
        if uuid == 'b':
            raise exception.DatabaseUnavailable(reason='connection lost')
        return uuid
    with pytest.raises(exception.DatabaseUnavailable):
        coalesce.run_each(lambda ctxt, uuid: work(uuid), [
            (None, {'uuid': u}) for u in 'abc'])
