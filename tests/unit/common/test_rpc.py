"""RPC plumbing: in-process transport, context travel, errors, threading."""

import time

import oslo_messaging as messaging
import pytest

from common import context
from common import exception
from common import rpc
from common.conf import CONF


class Endpoint:
    target = messaging.Target(version='1.0')

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


@pytest.fixture
def server():
    rpc.init(CONF, url='inproc://')
    srv = rpc.get_server(messaging.Target(topic=API.TOPIC, server='h1'),
                         [Endpoint()])
    srv.start()
    yield
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
