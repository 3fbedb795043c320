"""Many concurrent calls of one kind run as one batch.

Under a burst most of a small call's cost is the message itself (about
2 ms of CPU across client, broker and server), not the work it carries;
locally, a transaction's commit.

The client side is `Coalescer`: it sends a call at once while fewer than
`max_in_flight` batches are out (one by default: more only splits the
queue into smaller batches), so an idle caller waits for nothing. Calls
made while they are all out queue up and leave together as the next batch
as soon as one comes back: they would have waited that long in the
server's queue anyway. With a `linger`, that next batch also waits until
its oldest call has waited that long, for more company: a batch otherwise
grows only with the server's delay, so a server that answers sooner gets
more messages. RPC clients coalesce the methods they declare
(`rpc.RPCAPIBase.COALESCED`); the conductor's first placements share one
transaction through a local one (`nova_conductor.build`).

The server side is `BatchEndpoint`: a batch of `method` arrives as one
call of `<method>_many(calls)` and is answered with one outcome per item
(`outcome`), so one failure never fails its neighbours (but an
unavailable database fails the batch, which the client sends again). The
receiver's singular method runs for each item, unless the receiver
registered a batch handler for it (`batch_of`) because the items can
share one transaction (the conductor's creates and advances). The caller
gets its own result or exception back (`unwrap`).
"""

import collections
import functools
import logging
import threading
import time

from common import context as nova_context
from common import exception

LOG = logging.getLogger(__name__)


class _Waiter:
    __slots__ = ('item', 'event', 'leads', 'queued_at', 'outcome', 'error')

    def __init__(self, item):
        self.item = item
        self.event = threading.Event()
        self.leads = False    # set when this caller is to send the next batch
        self.queued_at = time.monotonic()
        self.outcome = None
        self.error = None


class Coalescer:
    """Runs `send(items) -> outcomes` for batches of concurrent calls."""

    def __init__(self, send, max_in_flight=1, max_batch=32, linger=0.0):
        self._send = send
        self._max_in_flight = max_in_flight
        self._max_batch = max_batch
        self._linger = linger
        self._lock = threading.Lock()
        self._waiting = collections.deque()
        self._in_flight = 0

    def call(self, item):
        """Send `item` (alone or with others) and return its outcome; an
        error of the whole batch (e.g. an RPC timeout) is raised."""
        waiter = _Waiter(item)
        with self._lock:
            self._waiting.append(waiter)
            batch = None
            if self._in_flight < self._max_in_flight:
                # Nothing queues while a slot is free: this is a batch of one.
                self._in_flight += 1
                batch = self._take()
        if batch is None:
            waiter.event.wait()
            # Woken either with our result or to send the batch we head.
            if waiter.leads:
                # Under load, give the batch `linger` from our arrival to
                # fill up.
                delay = waiter.queued_at + self._linger - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                with self._lock:
                    batch = [waiter] + self._take(self._max_batch - 1)
        if batch is not None:
            self._run(batch)
        if waiter.error is not None:
            raise waiter.error
        return waiter.outcome

    def _take(self, limit=None):
        count = min(len(self._waiting),
                    self._max_batch if limit is None else limit)
        return [self._waiting.popleft() for _ in range(count)]

    def _run(self, batch):
        try:
            outcomes = self._send([w.item for w in batch])
            if len(outcomes) != len(batch):
                raise exception.NovaException(
                    'Expected %d outcomes, got %d'
                    % (len(batch), len(outcomes)))
            for waiter, outcome in zip(batch, outcomes):
                waiter.outcome = outcome
        except Exception as error:
            for waiter in batch:
                waiter.error = error
        finally:
            # The slot passes to the oldest queued caller with everything
            # queued behind it, so no thread sends more than its own batch.
            with self._lock:
                head = self._waiting.popleft() if self._waiting else None
                if head is None:
                    self._in_flight -= 1
                else:
                    head.leads = True
            if head is not None:
                head.event.set()
            for waiter in batch:
                waiter.event.set()


# A batch of `method` travels as one call of `method + BATCH_SUFFIX`.
BATCH_SUFFIX = '_many'


def batch_of(method):
    """Mark a receiver's method as the batch handler of `method`: it takes
    [(context, kwargs)...] and returns one result, or the exception that
    stopped that item, per item. When it raises, the items run one by one
    through `method` (except on DatabaseUnavailable, which fails the
    batch). It is not itself callable over RPC."""
    def mark(func):
        func.batch_of = method
        return func
    return mark


def batch_handlers(receiver):
    """{method: name of its batch handler} that `receiver`'s class or one
    of its bases registered (a subclass may override a handler)."""
    handlers = {}
    for klass in reversed(type(receiver).__mro__):
        for name, attr in vars(klass).items():
            method = getattr(attr, 'batch_of', None)
            if method is not None:
                handlers[method] = name
    return handlers


class BatchEndpoint:
    """Answers `<method>_many(calls)` for every public method of
    `receiver`, one outcome per call; `calls` are
    [{'context': dict, 'kwargs': dict}...] (`rpc.RPCAPIBase` sends them).

    Every method is served, not just those today's clients coalesce, so a
    newer client that coalesces one more method is served by this code."""

    def __init__(self, receiver):
        self._receiver = receiver
        self._handlers = batch_handlers(receiver)
        target = getattr(receiver, 'target', None)
        if target is not None:
            self.target = target

    def __getattr__(self, name):
        method = name[:-len(BATCH_SUFFIX)]
        if not name.endswith(BATCH_SUFFIX) or method.startswith('_') or \
                not callable(getattr(self._receiver, method, None)):
            raise AttributeError(name)
        return functools.partial(self.serve, method)

    def serve(self, method, context, calls):
        items = [(nova_context.RequestContext.from_dict(call['context']),
                  call['kwargs']) for call in calls]
        handler = self._handlers.get(method)
        if handler is not None:
            handler = getattr(self._receiver, handler)
            try:
                return [_as_outcome(result, method)
                        for result in handler(items)]
            except exception.DatabaseUnavailable:
                raise   # running them one by one would meet it too
            except exception.NovaException as refusal:
                # Expected now and then (a project at its quota).
                LOG.info('A batch of %d %s was refused together (%s); '
                         'running them one by one', len(items), method,
                         refusal.message)
            except Exception:
                LOG.warning('A batch of %d %s failed together; running '
                            'them one by one', len(items), method,
                            exc_info=True)
        return run_each(getattr(self._receiver, method), items)


def run_each(func, items):
    """`func(context, **kwargs)` for each of `items` ((context, kwargs)
    pairs) in turn, one outcome each."""
    return [outcome(func, ctxt, **kwargs) for ctxt, kwargs in items]


def _as_outcome(result, method):
    if isinstance(result, Exception):
        return _error_outcome(result, method)
    return {'result': result}


def outcome(func, *args, **kwargs):
    """Run one item of a batch on the server: {'result': ...} or
    {'error': ...}."""
    try:
        return {'result': func(*args, **kwargs)}
    except exception.DatabaseUnavailable:
        # Not this item's own failure: the whole batch fails, and the
        # client sends it again (batched methods are all RESENDABLE, so
        # the items done already answer alike the second time).
        raise
    except Exception as error:
        return _error_outcome(error, getattr(func, '__name__', 'call'))


def _error_outcome(error, name):
    if isinstance(error, exception.NovaException):
        return {'error': exception.to_primitive(error)}
    LOG.error('%s failed in a batch', name, exc_info=error)
    # Its details (SQL, paths) are for the log, not for the caller.
    return {'error': exception.to_primitive(exception.NovaException(
        '%s failed on the server (%s); see its log'
        % (name, type(error).__name__)))}


def unwrap(item_outcome):
    """The result of one item, or its error raised as its own class."""
    if item_outcome.get('error') is not None:
        raise exception.from_primitive(item_outcome['error'])
    return item_outcome.get('result')
