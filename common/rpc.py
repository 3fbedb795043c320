"""RPC plumbing: the transport, the context serializer, clients and servers.

Every daemon calls `init(CONF)` once; `rpcapi` modules build clients with
`get_client` and service entry points build servers with `get_server`.
"""

import functools
import logging
import threading
import time

import oslo_messaging as messaging
from oslo_messaging.rpc import dispatcher

from common import coalesce
from common import context as nova_context
from common import exception
from common import metrics
from common.conf import CONF

LOG = logging.getLogger(__name__)

# Exceptions from these modules are re-raised as themselves by callers.
ALLOWED_EXMODS = [exception.__name__]

TRANSPORT = None
# The transport URL init() opened (the all-in-one's differs from
# [DEFAULT] transport_url): nova-api's /healthcheck connects to its broker.
TRANSPORT_URL = None
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
    global TRANSPORT, TRANSPORT_URL
    if TRANSPORT is None:
        TRANSPORT = messaging.get_rpc_transport(
            conf, url=url, allowed_remote_exmods=ALLOWED_EXMODS)
        TRANSPORT_URL = url or conf.transport_url
    return TRANSPORT


def cleanup(timeout=10.0):
    """Close the transport, waiting at most `timeout` seconds: while the
    broker is unreachable, a call still trying to connect holds the lock
    the close needs, and a daemon told to stop must still exit."""
    global TRANSPORT, TRANSPORT_URL
    if TRANSPORT is None:
        return
    transport, TRANSPORT, TRANSPORT_URL = TRANSPORT, None, None
    closing = threading.Thread(target=transport.cleanup, daemon=True,
                               name='rpc-cleanup')
    closing.start()
    closing.join(timeout)
    if closing.is_alive():
        LOG.warning('The message transport did not close in %ss (a call '
                    'is still waiting for the broker); leaving it', timeout)


def get_client(target, version_cap=None):
    assert TRANSPORT is not None, 'common.rpc.init() was not called'
    return messaging.get_rpc_client(
        TRANSPORT, target, version_cap=version_cap,
        serializer=RequestContextSerializer())


def get_server(target, endpoints):
    """A server answering `endpoints`' public methods, and a batch of any
    of them (`<method>_many`, common.coalesce.BatchEndpoint)."""
    assert TRANSPORT is not None, 'common.rpc.init() was not called'
    # No executor argument: oslo.messaging uses native threads.
    return messaging.get_rpc_server(
        TRANSPORT, target, answering(endpoints, target.topic),
        serializer=RequestContextSerializer(),
        access_policy=dispatcher.DefaultRPCAccessPolicy)


def get_dispatcher(endpoints):
    """What get_server's server dispatches a message with, for a caller
    that receives messages its own way (bench/fleet.py's one consumer of
    many hosts' queues)."""
    return dispatcher.RPCDispatcher(
        answering(endpoints), RequestContextSerializer(),
        access_policy=dispatcher.DefaultRPCAccessPolicy)


def answering(endpoints, topic=''):
    """`endpoints` as a server serves them: each, and its batches."""
    result = []
    for endpoint in endpoints:
        result += [_Answering(endpoint, topic),
                   _Answering(coalesce.BatchEndpoint(endpoint), topic)]
    return result


class _Answering:
    """An endpoint as the RPC server sees it. Our own errors (NotFound, a
    refused state change, over quota...) are answers, not failures of the
    server: oslo.messaging logs them at debug instead of as a traceback at
    ERROR. A method registered as a batch handler is not served by itself
    (common.coalesce.batch_of)."""

    def __init__(self, endpoint, topic=''):
        self._endpoint = endpoint
        self._topic = topic
        self._batch_handlers = set(
            coalesce.batch_handlers(endpoint).values())
        target = getattr(endpoint, 'target', None)
        if target is not None:
            self.target = target

    def __getattr__(self, name):
        func = getattr(self._endpoint, name)
        if not callable(func) or name in self._batch_handlers:
            raise AttributeError(name)

        topic = self._topic

        @functools.wraps(func)
        def answer(*args, **kwargs):
            started = time.monotonic()
            try:
                return func(*args, **kwargs)
            except exception.NovaException as error:
                # One line for the operator (the context gives it the
                # request id); the caller gets the error itself.
                LOG.info('%s answered %s: %s', name, type(error).__name__,
                         error)
                metrics.inc('nova_rpc_server_refusals_total', topic=topic,
                            method=name, error=type(error).__name__)
                raise dispatcher.ExpectedException()
            finally:
                metrics.observe('nova_rpc_server_seconds',
                                time.monotonic() - started, topic=topic,
                                method=name)
        # Made once per method, not on every message (the dispatcher looks
        # each one up twice).
        setattr(self, name, answer)
        return answer


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


class Coalesced:
    """How a client coalesces one method: concurrent calls of it travel
    together as one call of `<method>_many` (common.coalesce), which
    servers answer from version `since`. A version cap below that (a
    rolling upgrade) sends each call alone. `linger`: see Coalescer."""

    def __init__(self, since, linger=0.0):
        self.since = since
        self.linger = linger


def version_key(version):
    """For comparing versions: '1.10' is newer than '1.9'."""
    return tuple(int(n) for n in version.split('.'))


class RPCAPIBase:
    """Base of every service's rpcapi client: calls with clear errors.

    Subclasses set TOPIC and RPC_API_VERSION; each public method names the
    Target version it needs, so mixed-version daemons can coexist.

    COALESCED names the methods whose concurrent calls travel together
    ({method: Coalesced}); their callers call the method as any other.
    Under a burst most of a small call's cost is its message: one message
    for many calls is the biggest single saving on the boot path
    (docs/architecture.md, "Coalesced calls").

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
    error at once. A batch of a RESENDABLE method is resent alike.
    """

    TOPIC = None
    RPC_API_VERSION = '1.0'
    SERVICE_NAME = None
    COALESCED = {}
    RESENDABLE = frozenset()

    def __init__(self, timeout=None, version_cap=None):
        """`version_cap`: the newest version the servers all know, during
        a rolling upgrade ([upgrade_levels]); None: this code's newest."""
        target = messaging.Target(topic=self.TOPIC,
                                  version=self.RPC_API_VERSION)
        self.client = get_client(target, version_cap=version_cap)
        self.timeout = timeout
        self._coalescers = {}
        self._coalescers_lock = threading.Lock()

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
        """`method(ctxt, **kw)` on a server of the topic (or `server`):
        its result, or its error raised here."""
        coalesced = self.COALESCED.get(method)
        if coalesced is not None and server is None and timeout is None:
            batch_version = max(version, coalesced.since, key=version_key)
            if self.can_send_version(batch_version):
                return coalesce.unwrap(self._coalescer(
                    method, batch_version, coalesced).call((ctxt, kw)))
        return self._call(ctxt, method, version, server, timeout,
                          method in self.RESENDABLE, kw)

    def _coalescer(self, method, version, coalesced):
        """One per method and version: a batch goes at one version."""
        key = (method, version)
        coalescer = self._coalescers.get(key)
        if coalescer is None:
            with self._coalescers_lock:
                coalescer = self._coalescers.get(key)
                if coalescer is None:
                    coalescer = self._coalescers[key] = coalesce.Coalescer(
                        functools.partial(self._send_batch, method, version),
                        linger=coalesced.linger)
        return coalescer

    def _send_batch(self, method, version, items):
        """One call of `<method>_many` for `items` ((context, kwargs)
        pairs): one outcome each."""
        return self._call(
            items[0][0], method + coalesce.BATCH_SUFFIX, version, None, None,
            method in self.RESENDABLE,
            {'calls': [{'context': ctxt.to_dict(), 'kwargs': kwargs}
                       for ctxt, kwargs in items]})

    def _call(self, ctxt, method, version, server, timeout, resendable, kw):
        timeout = timeout or self.timeout
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

    def cast(self, ctxt, method, version, server=None, fanout=False, **kw):
        self._prepare(version, server, fanout=fanout).cast(ctxt, method,
                                                           **kw)
