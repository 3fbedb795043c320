"""SchedulerAPI -> SchedulerManager over a real oslo.messaging RPC server."""

import time

import oslo_messaging
import pytest

from common.conf import CONF
from common import context as nova_context
from common import exception
from common import rpc
from nova_scheduler import manager as scheduler_manager
from nova_scheduler import rpcapi
from tests.unit.nova_scheduler import FakeConductor, make_node, make_spec


@pytest.fixture(scope='module')
def scheduler_api():
    owned = rpc.TRANSPORT is None
    rpc.init(CONF, url='fake://')
    manager = scheduler_manager.SchedulerManager(
        conductor_api=FakeConductor([make_node(1), make_node(2,
                                                             memory_mb=4096)]))
    server = rpc.get_server(
        oslo_messaging.Target(topic=rpcapi.SchedulerAPI.TOPIC,
                              server='scheduler-test'), [manager])
    server.start()
    try:
        yield rpcapi.SchedulerAPI(timeout=10)
    finally:
        server.stop()
        server.wait()
        if owned:
            rpc.cleanup()


def test_select_destinations_round_trip(scheduler_api):
    ctxt = nova_context.RequestContext(user_id='u', project_id='p')
    result = scheduler_api.select_destinations(ctxt, make_spec(),
                                               ['instance-1'])
    assert [[s['host'] for s in r] for r in result] == [['host1', 'host2']]


def test_no_valid_host_reaches_the_caller_as_itself(scheduler_api):
    ctxt = nova_context.RequestContext(user_id='u', project_id='p')
    with pytest.raises(exception.NoValidHost, match='RamFilter 2 -> 0'):
        scheduler_api.select_destinations(
            ctxt, make_spec(memory_mb=16384), ['instance-1'])


def test_concurrent_requests_share_messages_and_fail_alone(scheduler_api):
    """Requests made while two batches are out leave together; one that
    fits nowhere gets its own NoValidHost, the others their hosts."""
    import concurrent.futures
    ctxt = nova_context.RequestContext(user_id='u', project_id='p')
    sent = []
    real_call = scheduler_api._call

    def counted(ctxt, method, version, server, timeout, resendable, kw):
        # One message, of one request or a batch of them.
        sent.append(len(kw.get('calls', [None])))
        return real_call(ctxt, method, version, server, timeout,
                         resendable, kw)
    scheduler_api._call = counted

    def select(i):
        memory = 16384 if i == 5 else 64
        try:
            return scheduler_api.select_destinations(
                ctxt, make_spec(memory_mb=memory), ['instance-%d' % i])
        except exception.NoValidHost as error:
            return error
    try:
        with concurrent.futures.ThreadPoolExecutor(12) as pool:
            results = list(pool.map(select, range(24)))
    finally:
        del scheduler_api._call
    assert isinstance(results[5], exception.NoValidHost)
    assert all(r[0][0]['host'] in ('host1', 'host2')
               for i, r in enumerate(results) if i != 5)
    assert sum(sent) == 24 and len(sent) < 24


def test_invalidate_host_cache_reaches_every_scheduler():
    """A fanout cast: each scheduler process, not one of them, drops its
    cached view."""
    owned = rpc.TRANSPORT is None
    rpc.init(CONF, url='fake://')
    managers, servers = [], []
    try:
        for name in ('scheduler-a', 'scheduler-b'):
            manager = scheduler_manager.SchedulerManager(
                conductor_api=FakeConductor([make_node(1)]))
            manager.select_destinations(None, make_spec(), ['instance-1'])
            server = rpc.get_server(
                oslo_messaging.Target(topic=rpcapi.SchedulerAPI.TOPIC,
                                      server=name), [manager])
            server.start()
            managers.append(manager)
            servers.append(server)
        ctxt = nova_context.RequestContext(user_id='u', project_id='p')
        rpcapi.SchedulerAPI().invalidate_host_cache(ctxt)
        deadline = time.monotonic() + 10
        while any(m.host_manager._last_refresh is not None
                  for m in managers) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert [m.host_manager._last_refresh for m in managers] == [None,
                                                                    None]
    finally:
        for server in servers:
            server.stop()
            server.wait()
        if owned:
            rpc.cleanup()
