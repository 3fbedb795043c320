"""RPC plumbing: the transport, the context serializer, clients and servers.

Every daemon calls `init(CONF)` once; `rpcapi` modules build clients with
`get_client` and service entry points build servers with `get_server`.
"""

import logging
import time

import oslo_messaging as messaging
from oslo_messaging.rpc import dispatcher

from common import coalesce
from common import context as nova_context
from common import exception
from common.conf import CONF

LOG = logging.getLogger(__name__)

# Exceptions from these modules are re-raised as themselves by callers.
ALLOWED_EXMODS = [exception.__name__]

TRANSPORT = None
# How long a call safe to repeat waits before it is sent again when the
# answer was DatabaseUnavailable: a terminated connection is replaced at
# once, a database restarting needs longer (the pause doubles).
UNAVAILABLE_PAUSE = 0.1


class RequestContextSerializer(messaging.NoOpSerializer):
    """Carries our RequestContext (user, project, roles, request ids)."""

    def serialize_context(self, ctxt):
        return ctxt.to_dict()

    def deserialize_context(self, ctxt):
        return nova_context.RequestContext.from_dict(ctxt)


def init(conf, url=None):
    """Open the transport: `url` overrides [DEFAULT] transport_url."""
    global TRANSPORT
    if TRANSPORT is None:
        TRANSPORT = messaging.get_rpc_transport(
            conf, url=url, allowed_remote_exmods=ALLOWED_EXMODS)
    return TRANSPORT


def cleanup():
    global TRANSPORT
    if TRANSPORT is not None:
        TRANSPORT.cleanup()
        TRANSPORT = None


def get_client(target, version_cap=None):
    assert TRANSPORT is not None, 'common.rpc.init() was not called'
    return messaging.get_rpc_client(
        TRANSPORT, target, version_cap=version_cap,
        serializer=RequestContextSerializer())


def get_server(target, endpoints):
    assert TRANSPORT is not None, 'common.rpc.init() was not called'
    # No executor argument: oslo.messaging uses native threads.
    return messaging.get_rpc_server(
        TRANSPORT, target, endpoints,
        serializer=RequestContextSerializer(),
        access_policy=dispatcher.DefaultRPCAccessPolicy)


def resend_waits(total, first):
    """How long each attempt of a call that may be sent again waits for its
    answer: `first`, then twice as long each time, together `total` (the
    last one takes the rest; a rest shorter than `first` goes to the one
    before it)."""
    waits = []
    left = total
    wait = first
    while left > 0:
        if left < wait + first:
            waits.append(left)
            break
        waits.append(wait)
        left -= wait
        wait *= 2
    return waits


class RPCAPIBase:
    """Base of every service's rpcapi client: calls with clear errors.

    Subclasses set TOPIC and RPC_API_VERSION; each public method names the
    Target version it needs, so mixed-version daemons can coexist.

    RESENDABLE names the methods a server answers alike however often it
    gets them (reads; a create by instance uuid; a scheduler's choice).
    oslo.messaging acknowledges a message as the server takes it, so when
    that server is killed the call is lost: such a call is sent again when
    no answer came within [DEFAULT] rpc_resend_after, then after twice as
    long each time, all within the call's timeout. A server that is merely
    slow answers one of the copies; the others' answers are dropped, and
    a copy still queued when its wait ends expires in the broker (its TTL
    is that wait). Such a call answered DatabaseUnavailable (the
    conductor lost its database connection) is sent again too, after
    UNAVAILABLE_PAUSE, then twice as long each time up to
    rpc_resend_after, within the same timeout; any other call gets that
    error at once.
    """

    TOPIC = None
    RPC_API_VERSION = '1.0'
    SERVICE_NAME = None
    RESENDABLE = frozenset()

    def __init__(self, timeout=None, version_cap=None):
        """`version_cap`: the newest version the servers all know, during
        a rolling upgrade ([upgrade_levels]); None: this code's newest."""
        target = messaging.Target(topic=self.TOPIC,
                                  version=self.RPC_API_VERSION)
        self.client = get_client(target, version_cap=version_cap)
        self.timeout = timeout

    def can_send_version(self, version):
        return self.client.can_send_version(version)

    def _prepare(self, version, server=None, timeout=None, fanout=False):
        kwargs = {'version': version}
        if server is not None:
            kwargs['server'] = server
        if fanout:
            kwargs['fanout'] = True
        timeout = timeout or self.timeout
        if timeout is not None:
            kwargs['timeout'] = timeout
        return self.client.prepare(**kwargs)

    def call(self, ctxt, method, version, server=None, timeout=None, **kw):
        timeout = timeout or self.timeout
        resendable = method in self.RESENDABLE
        waits = [timeout]
        if resendable:
            total = timeout or CONF.rpc_response_timeout
            deadline = time.monotonic() + total
            waits = resend_waits(total, CONF.rpc_resend_after)
        pause = UNAVAILABLE_PAUSE
        error = None
        while waits:
            wait = waits.pop(0)
            cctxt = self._prepare(version, server, wait)
            try:
                return cctxt.call(ctxt, method, **kw)
            except messaging.MessagingTimeout as e:
                error = e
                if waits:
                    LOG.warning('No reply to %s from %s within %.1fs; '
                                'sending it again', method,
                                self.SERVICE_NAME or self.TOPIC, wait)
            except exception.DatabaseUnavailable:
                left = deadline - time.monotonic() - pause if resendable \
                    else 0
                if left < UNAVAILABLE_PAUSE:
                    # Too little time left for an answer: this one is it.
                    raise
                LOG.warning('%s could not reach its database for %s; '
                            'sending it again in %.1fs',
                            self.SERVICE_NAME or self.TOPIC, method, pause)
                time.sleep(pause)
                pause = min(pause * 2, CONF.rpc_resend_after)
                waits = resend_waits(left, CONF.rpc_resend_after)
        raise exception.ServiceUnavailable(
            service=self.SERVICE_NAME or self.TOPIC,
            reason='no reply to %s within the RPC timeout (%s)' % (
                method, error))

    def coalescer(self, method, version, **options):
        """A Coalescer whose batches go out as one call of `method`, which
        takes `calls` and answers one outcome each (coalesce.run_each).
        Its items are (context, kwargs) pairs."""
        def send(items):
            return self.call(items[0][0], method, version, calls=[
                {'context': ctxt.to_dict(), 'kwargs': kwargs}
                for ctxt, kwargs in items])
        return coalesce.Coalescer(send, **options)

    def cast(self, ctxt, method, version, server=None, fanout=False, **kw):
        self._prepare(version, server, fanout=fanout).cast(ctxt, method,
                                                           **kw)
