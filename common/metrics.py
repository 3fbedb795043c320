"""Each daemon's Prometheus metrics ([metrics], docs/metrics.md).

Off by default. With `[metrics] enabled` a daemon serves them at
http://<[metrics] listen>:<its port>/metrics (the all-in-one at /metrics
on its API port, to loopback callers only). Code records with inc(),
observe(), add() or timed() and a name from DEFINITIONS; while metrics
are off each returns at once and prometheus_client is never imported.

A daemon that forks workers (nova-conductor) uses prometheus_client's
multiprocess mode: the parent makes a directory before forking, each
worker writes its values to files there, and the parent's endpoint adds
them up (prepare_workers, worker_exited).
"""

import contextlib
import ipaddress
import logging
import os
import shutil
import tempfile
import threading
import time

from common.conf import CONF

LOG = logging.getLogger(__name__)

COUNTER, GAUGE, HISTOGRAM = 'counter', 'gauge', 'histogram'
# Seconds: RPC and API calls take milliseconds, a boot seconds.
QUICK = (.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10)
SLOW = (.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)

# name: (kind, help, label names[, histogram buckets])
DEFINITIONS = {
    'nova_api_requests_total': (
        COUNTER, 'API requests answered, by route and status.',
        ('method', 'route', 'status')),
    'nova_api_request_seconds': (
        HISTOGRAM, 'Time to answer an API request.', ('method', 'route'),
        QUICK),
    'nova_rpc_server_seconds': (
        HISTOGRAM, 'Time an RPC server took to handle a message, by topic '
        'and method.', ('topic', 'method'), QUICK),
    'nova_rpc_server_refusals_total': (
        COUNTER, 'RPC calls answered with an error for the caller (not '
        'found, a state that forbids it...).', ('topic', 'method', 'error')),
    'nova_db_transaction_seconds': (
        HISTOGRAM, 'Time a conductor\'s database transaction took, by '
        'kind.', ('kind',), QUICK),
    'nova_db_retries_total': (
        COUNTER, 'Database transactions run again, by reason.',
        ('reason',)),
    'nova_boots_total': (
        COUNTER, 'Servers whose build started, succeeded or failed.',
        ('result',)),
    'nova_boot_seconds': (
        HISTOGRAM, 'From the API accepting a server to the server ACTIVE.',
        (), SLOW),
    'nova_scheduler_decisions_total': (
        COUNTER, 'Scheduling requests, placed or not.', ('result',)),
    'nova_scheduler_seconds': (
        HISTOGRAM, 'Time to choose hosts for one scheduling request.', (),
        QUICK),
    'nova_scheduler_no_valid_host_total': (
        COUNTER, 'Requests no host could take, by the filter that left '
        'none.', ('filter',)),
    'nova_compute_builds_in_flight': (
        GAUGE, 'Builds a compute host is running now.', ()),
    'nova_libvirt_call_seconds': (
        HISTOGRAM, 'Time a libvirt call took, by call.', ('call',), QUICK),
    'nova_hosts': (
        GAUGE, 'Compute hosts by state, as the scheduler last saw them.',
        ('state',)),
}

_metrics = None        # name -> prometheus_client metric, once set up
_registry = None       # what this process's endpoint exposes
_pid = None            # the process that set them up
_multiprocess_dir = None


def enabled():
    return _metrics is not None


def _client():
    import prometheus_client
    return prometheus_client


def setup():
    """Make the metrics when [metrics] is enabled (once per process;
    a forked worker calls it again: see prepare_workers)."""
    global _metrics, _registry, _pid
    if not CONF.metrics.enabled:
        return False
    if _metrics is not None and _pid == os.getpid():
        return True
    client = _client()
    # No `_created` series beside each counter and histogram: they double
    # a scrape and no dashboard here reads them.
    client.disable_created_metrics()
    registry = client.CollectorRegistry(auto_describe=True)
    made = {}
    kinds = {COUNTER: client.Counter, GAUGE: client.Gauge,
             HISTOGRAM: client.Histogram}
    for name, (kind, text, labels, *buckets) in DEFINITIONS.items():
        kwargs = {'registry': registry, 'labelnames': labels}
        if kind == HISTOGRAM:
            kwargs['buckets'] = buckets[0]
        if kind == GAUGE:
            # Under workers: the live processes' values, added up.
            kwargs['multiprocess_mode'] = 'livesum'
        made[name] = kinds[kind](
            name[:-len('_total')] if kind == COUNTER else name, text,
            **kwargs)
    _metrics, _registry, _pid = made, registry, os.getpid()
    _children.clear()
    return True


def reset():
    """Metrics off again (tests)."""
    global _metrics, _registry, _pid
    _metrics = _registry = _pid = None
    _children.clear()


_children = {}  # (name, labels as items) -> the labelled metric


def _metric(name, labels):
    if not labels:
        return _metrics[name]
    # labels() checks and locks on every call; a series, once made, is
    # kept (labels are bounded, so is this dict).
    key = (name, tuple(labels.items()))
    child = _children.get(key)
    if child is None:
        child = _children[key] = _metrics[name].labels(**labels)
    return child


def inc(name, amount=1, **labels):
    if _metrics is not None:
        _metric(name, labels).inc(amount)


def add(name, amount, **labels):
    """Move a gauge by `amount` (negative: down)."""
    if _metrics is not None:
        _metric(name, labels).inc(amount)


def set_gauge(name, value, **labels):
    if _metrics is not None:
        _metric(name, labels).set(value)


def observe(name, value, **labels):
    if _metrics is not None:
        _metric(name, labels).observe(value)


@contextlib.contextmanager
def timed(name, **labels):
    """Observe how long the block took (also when it raised)."""
    if _metrics is None:
        yield
        return
    started = time.monotonic()
    try:
        yield
    finally:
        _metric(name, labels).observe(time.monotonic() - started)


# -- exposition --------------------------------------------------------------

def exposition():
    """(body, content type) of this process's metrics, or of its
    workers' when it forked them."""
    client = _client()
    if _multiprocess_dir is not None:
        from prometheus_client import multiprocess
        registry = client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=_multiprocess_dir)
    else:
        registry = _registry
    return client.generate_latest(registry), client.CONTENT_TYPE_LATEST


def loopback(address):
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def serve(port):
    """Serve /metrics on [metrics] listen:`port` from a thread; the
    server (its .server_port is the port it got), or None when off."""
    if not CONF.metrics.enabled:
        return None
    from http import server as http_server

    class Handler(http_server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path.split('?')[0] != '/metrics':
                self.send_error(404)
                return
            body, content_type = exposition()
            self.send_response(200)
            self.send_header('Content-Type', content_type)
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, fmt, *args):
            LOG.debug('metrics: ' + fmt, *args)

    server = http_server.ThreadingHTTPServer((CONF.metrics.listen, port),
                                             Handler)
    server.daemon_threads = True
    # A forked worker must not keep the parent's listening socket open.
    os.register_at_fork(after_in_child=server.socket.close)
    threading.Thread(target=server.serve_forever, name='metrics',
                     daemon=True).start()
    LOG.info('Metrics at http://%s:%d/metrics', CONF.metrics.listen,
             server.server_port)
    return server


# -- forking daemons ---------------------------------------------------------

def prepare_workers():
    """In a parent about to fork workers: a directory for their values
    (prometheus_client reads PROMETHEUS_MULTIPROC_DIR when first
    imported, so before any worker records anything)."""
    global _multiprocess_dir
    if not CONF.metrics.enabled:
        return
    _multiprocess_dir = tempfile.mkdtemp(prefix='nova-metrics-')
    os.environ['PROMETHEUS_MULTIPROC_DIR'] = _multiprocess_dir


def worker_exited(pid):
    """A worker is gone: its live gauges no longer count."""
    if _multiprocess_dir is not None:
        from prometheus_client import multiprocess
        multiprocess.mark_process_dead(pid, path=_multiprocess_dir)


def forget_workers():
    """The parent stops: remove the workers' files."""
    global _multiprocess_dir
    if _multiprocess_dir is not None:
        shutil.rmtree(_multiprocess_dir, ignore_errors=True)
        os.environ.pop('PROMETHEUS_MULTIPROC_DIR', None)
        _multiprocess_dir = None
