"""An in-process oslo.messaging driver for the all-in-one mode (`inproc://`).

oslo.messaging's `fake://` driver polls its queues every 50 ms, so each RPC
call costs ~50 ms. This driver reuses its queues but wakes listeners with a
condition variable the moment a message arrives. Messages and replies are
JSON round-tripped so services see the same types as over RabbitMQ and never
share mutable objects.
"""

import queue
import threading
import time

import oslo_messaging
from oslo_messaging._drivers import base
from oslo_messaging._drivers import common as rpc_common
from oslo_messaging._drivers import impl_fake
from oslo_serialization import jsonutils


def _copy(value):
    return jsonutils.loads(jsonutils.dumps(value))


class _Exchange(impl_fake.FakeExchange):

    def __init__(self, name):
        super().__init__(name)
        self.arrived = threading.Condition(self._queues_lock)

    def deliver_message(self, topic, ctxt, message, **kwargs):
        with self._queues_lock:
            super().deliver_message(topic, ctxt, message, **kwargs)
            self.arrived.notify_all()


class _ExchangeManager(impl_fake.FakeExchangeManager):
    _exchanges_lock = threading.Lock()
    _exchanges = {}

    def get_exchange(self, name):
        name = name or self._default_exchange
        with self._exchanges_lock:
            return self._exchanges.setdefault(name, _Exchange(name))


class _IncomingMessage(impl_fake.FakeIncomingMessage):

    def reply(self, reply=None, failure=None):
        if self._reply_q:
            # Serialise errors exactly as the AMQP drivers do, so callers
            # see the same exception classes in every mode.
            if failure:
                failure = rpc_common.serialize_remote_exception(failure)
            self._reply_q.put((_copy(reply), failure))


class _Listener(impl_fake.FakeListener):

    @base.batch_poll_helper
    def poll(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        exchange = self._exchange_manager.get_exchange(
            self._targets[0].exchange)
        with exchange.arrived:
            while not self._stopped.is_set():
                for target in self._targets:
                    ctxt, message, reply_q, requeue = exchange.poll(
                        target, self._pool)
                    if message is not None:
                        return _IncomingMessage(ctxt, message, reply_q,
                                                requeue)
                wait = 1.0
                if deadline is not None:
                    wait = min(wait, deadline - time.monotonic())
                    if wait <= 0:
                        return None
                exchange.arrived.wait(wait)
        return None

    def stop(self):
        super().stop()
        exchange = self._exchange_manager.get_exchange(
            self._targets[0].exchange)
        with exchange.arrived:
            exchange.arrived.notify_all()


class InProcessDriver(impl_fake.FakeDriver):
    """RPC between threads of one process, woken without polling delays."""

    def __init__(self, conf, url, default_exchange=None,
                 allowed_remote_exmods=None):
        super().__init__(conf, url, default_exchange, allowed_remote_exmods)
        self._exchange_manager = _ExchangeManager(default_exchange)

    def _send(self, target, ctxt, message, wait_for_reply=None, timeout=None,
              transport_options=None):
        exchange = self._exchange_manager.get_exchange(target.exchange)
        reply_q = queue.Queue() if wait_for_reply else None
        exchange.deliver_message(target.topic, _copy(ctxt), _copy(message),
                                 server=target.server, fanout=target.fanout,
                                 reply_q=reply_q)
        if not wait_for_reply:
            return None
        try:
            reply, failure = reply_q.get(timeout=timeout)
        except queue.Empty:
            raise oslo_messaging.MessagingTimeout(
                'No reply on topic %s' % target.topic)
        if failure:
            raise rpc_common.deserialize_remote_exception(
                failure, self._allowed_remote_exmods)
        return reply

    def listen(self, target, batch_size, batch_timeout):
        exchange = target.exchange or self._default_exchange
        targets = [
            oslo_messaging.Target(topic=target.topic, server=target.server,
                                  exchange=exchange),
            oslo_messaging.Target(topic=target.topic, exchange=exchange),
        ]
        listener = _Listener(self._exchange_manager, targets)
        return base.PollStyleListenerAdapter(listener, batch_size,
                                             batch_timeout)
