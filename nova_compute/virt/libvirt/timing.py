"""libvirt calls timed for the metrics (nova_libvirt_call_seconds).

With [metrics] enabled the host's connection is wrapped: every method
called on it, and on the domains it returns, is observed under its
libvirt name ('connect.defineXML', 'domain.create'...): a label per
method, never per domain.
"""

import time

import libvirt

from common import metrics


class Timed:
    """A libvirt object whose method calls are timed."""

    def __init__(self, target, kind):
        self._target = target
        self._kind = kind

    def __getattr__(self, name):
        attr = getattr(self._target, name)
        if not callable(attr):
            return attr
        label = '%s.%s' % (self._kind, name)

        def call(*args, **kwargs):
            started = time.monotonic()
            try:
                result = attr(*args, **kwargs)
            finally:
                metrics.observe('nova_libvirt_call_seconds',
                                time.monotonic() - started, call=label)
            if isinstance(result, libvirt.virDomain):
                return Timed(result, 'domain')
            return result
        return call


def timed_connection(conn):
    """`conn`, timed when the metrics are on."""
    return Timed(conn, 'connect') if metrics.enabled() else conn
