"""RPC plumbing: in-process transport, context travel, errors, threading."""

import logging
import threading
import time

import oslo_messaging as messaging
import pytest

from common import context
from common import exception
from common import rpc
from common.conf import CONF


class Endpoint:
    target = messaging.Target(version='1.0')

    def __init__(self):
        self.seen = []
        self.release = threading.Event()

    def lost_once(self, ctxt, value):
        """Never answers the first copy until released (its server was
        killed after taking it); answers the others at once."""
        self.seen.append(value)
        if len(self.seen) == 1:
            self.release.wait(10)
        return value

    def unavailable_twice(self, ctxt, value):
        """Answers as a conductor that lost its database connection,
        twice, then normally."""
        self.seen.append(value)
        if len(self.seen) <= 2:
            raise exception.DatabaseUnavailable(reason='connection lost')
        return value

    def whoami(self, ctxt):
        return {'user': ctxt.user_id, 'project': ctxt.project_id,
                'roles': ctxt.roles, 'request_id': ctxt.request_id,
                'global_request_id': ctxt.global_request_id}

    def fail(self, ctxt):
        raise exception.FlavorNotFound(flavor_id='42')

    def echo(self, ctxt, value):
        return value


class API(rpc.RPCAPIBase):
    TOPIC = 'unit_test_topic'
    RESENDABLE = frozenset(('lost_once', 'unavailable_twice'))


class OnceOnlyAPI(API):
    RESENDABLE = frozenset()


@pytest.fixture
def server():
    rpc.init(CONF, url='inproc://')
    endpoint = Endpoint()
    srv = rpc.get_server(messaging.Target(topic=API.TOPIC, server='h1'),
                         [endpoint])
    srv.start()
    yield endpoint
    endpoint.release.set()
    srv.stop()
    srv.wait()
    rpc.cleanup()


def test_oslo_service_runs_on_threads_not_eventlet():
    from oslo_service import backend
    assert backend.get_backend_type() == backend.BackendType.THREADING


def test_context_travels_with_the_call(server):
    ctxt = context.RequestContext(
        user_id='u1', project_id='p1', roles=['member'],
        request_id='req-11111111-2222-3333-4444-555555555555',
        global_request_id='req-99999999-2222-3333-4444-555555555555')
    got = API().call(ctxt, 'whoami', '1.0')
    assert got == {'user': 'u1', 'project': 'p1', 'roles': ['member'],
                   'request_id': ctxt.request_id,
                   'global_request_id': ctxt.global_request_id}


def test_remote_error_arrives_as_the_same_class(server):
    with pytest.raises(exception.FlavorNotFound) as raised:
        API().call(context.get_admin_context(), 'fail', '1.0')
    assert raised.value.message == 'Flavor 42 could not be found.'


def test_our_errors_are_one_info_line_on_the_server_and_no_traceback(
        server, caplog):
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(exception.FlavorNotFound):
            API().call(context.get_admin_context(), 'fail', '1.0')
    answered = [r for r in caplog.records if r.name == 'common.rpc']
    assert [(r.levelno, r.getMessage()) for r in answered] == [
        (logging.INFO, 'fail answered FlavorNotFound: '
                       'Flavor 42 could not be found.')]
    assert not [r for r in caplog.records
                if r.levelno >= logging.WARNING or r.exc_info]


def test_messages_are_copied_not_shared(server):
    sent = {'nested': [1, 2]}
    got = API().call(context.get_admin_context(), 'echo', '1.0', value=sent)
    assert got == sent and got is not sent


def test_call_to_absent_topic_is_service_unavailable(server):
    class Nobody(rpc.RPCAPIBase):
        TOPIC = 'nobody_listens'
        SERVICE_NAME = 'nova-nobody'
    with pytest.raises(exception.ServiceUnavailable) as raised:
        Nobody(timeout=0.2).call(context.get_admin_context(), 'x', '1.0')
    assert 'nova-nobody' in raised.value.message


def test_inproc_call_is_fast(server):
    api = API()
    ctxt = context.get_admin_context()
    api.call(ctxt, 'echo', '1.0', value=1)
    start = time.perf_counter()
    for i in range(50):
        api.call(ctxt, 'echo', '1.0', value=i)
    # fake:// takes ~50 ms per call; the in-process driver must not poll.
    assert (time.perf_counter() - start) / 50 < 0.02


def test_a_resendable_call_with_no_answer_is_sent_again(server):
    CONF.set_override('rpc_resend_after', 0.2)
    started = time.monotonic()
    assert API(timeout=10).call(context.get_admin_context(), 'lost_once',
                                '1.0', value=7) == 7
    assert time.monotonic() - started < 1
    assert server.seen == [7, 7]


def test_a_call_not_declared_resendable_is_sent_once(server):
    CONF.set_override('rpc_resend_after', 0.2)
    with pytest.raises(exception.ServiceUnavailable):
        OnceOnlyAPI(timeout=0.6).call(context.get_admin_context(),
                                      'lost_once', '1.0', value=7)
    assert server.seen == [7]


def test_a_lost_batch_frees_the_coalescers_slot_at_its_copy(server):
    """A coalesced call's batch whose message was lost is sent again, so
    the callers queued behind it wait seconds, not the RPC timeout."""
    CONF.set_override('rpc_resend_after', 0.2)
    api = API(timeout=10)

    def send(items):
        return [api.call(context.get_admin_context(), 'lost_once', '1.0',
                         value=item) for item in items]
    from common import coalesce
    batches = coalesce.Coalescer(send)
    started = time.monotonic()
    results = []
    threads = [threading.Thread(target=lambda i=i: results.append(
        batches.call(i))) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert sorted(results) == [0, 1, 2]
    assert time.monotonic() - started < 2


def test_resend_waits_double_within_the_timeout():
    assert rpc.resend_waits(30, 3) == [3, 6, 12, 9]
    assert rpc.resend_waits(60, 3) == [3, 6, 12, 24, 15]
    # A rest shorter than the first wait goes to the wait before it.
    assert rpc.resend_waits(10, 3) == [3, 7]
    assert rpc.resend_waits(2, 3) == [2]


def test_a_resendable_call_answered_database_unavailable_is_sent_again(
        server):
    started = time.monotonic()
    assert API(timeout=10).call(context.get_admin_context(),
                                'unavailable_twice', '1.0', value=3) == 3
    assert server.seen == [3, 3, 3]
    # After a short pause, doubled: not after rpc_resend_after.
    assert time.monotonic() - started < 1


def test_any_other_call_gets_database_unavailable_at_once(server):
    with pytest.raises(exception.DatabaseUnavailable) as raised:
        OnceOnlyAPI(timeout=10).call(context.get_admin_context(),
                                     'unavailable_twice', '1.0', value=3)
    assert server.seen == [3]
    assert raised.value.code == 503


def test_database_unavailable_ends_with_the_calls_timeout(server, monkeypatch):
    monkeypatch.setattr(rpc, 'UNAVAILABLE_PAUSE', 0.3)
    # Sent again after 0.3 s; after the second answer the next pause
    # (0.6 s) would leave less than a pause of the 1 s timeout: raised.
    with pytest.raises(exception.DatabaseUnavailable):
        API(timeout=1.0).call(context.get_admin_context(),
                              'unavailable_twice', '1.0', value=3)
    assert server.seen == [3, 3]


def test_cleanup_returns_while_the_transport_cannot_close(monkeypatch,
                                                          caplog):
    """A call blocked on an unreachable broker holds the driver's lock:
    closing waits for it, and a daemon told to stop must not."""
    stuck = threading.Event()

    class Stuck:
        def cleanup(self):
            stuck.wait(30)
    monkeypatch.setattr(rpc, 'TRANSPORT', Stuck())
    started = time.monotonic()
    try:
        rpc.cleanup(timeout=0.2)
    finally:
        stuck.set()
    assert time.monotonic() - started < 2
    assert rpc.TRANSPORT is None
    assert 'did not close in 0.2s' in caplog.text


def test_the_server_times_each_method_and_counts_refusals(server):
    from common import metrics
    from tests.unit.common.test_metrics import value
    CONF.set_override('enabled', True, group='metrics')
    metrics.reset()
    metrics.setup()
    try:
        ctxt = context.get_admin_context()
        API().call(ctxt, 'echo', '1.0', value=1)
        API().call(ctxt, 'echo', '1.0', value=2)
        with pytest.raises(exception.FlavorNotFound):
            API().call(ctxt, 'fail', '1.0')
        text = metrics.exposition()[0].decode()
    finally:
        metrics.reset()
        CONF.clear_override('enabled', group='metrics')
    assert value(text, 'nova_rpc_server_seconds_count',
                 topic=API.TOPIC, method='echo') == 2
    assert value(text, 'nova_rpc_server_seconds_count',
                 topic=API.TOPIC, method='fail') == 1
    assert value(text, 'nova_rpc_server_refusals_total', topic=API.TOPIC,
                 method='fail', error='FlavorNotFound') == 1
