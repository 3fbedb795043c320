"""Entry point plumbing shared by every daemon: config, logging, signals."""

import gc
import logging
import signal
import sys
import threading

from oslo_log import log as oslo_log

from common import metrics
from common import rpc
from common import systemd
from common import workers as worker_pool
from common.conf import CONF

LOG = logging.getLogger(__name__)
_logging_registered = False


def parse_config(argv, description=None):
    """Read nova.conf (and --config-file/--config-dir) into CONF."""
    global _logging_registered
    if not _logging_registered:
        oslo_log.register_options(CONF)
        _logging_registered = True
    CONF(argv, project='nova', description=description)
    oslo_log.setup(CONF, 'nova')
    logging.getLogger('oslo.messaging').setLevel(logging.WARNING)


# Python collects its youngest generation every 700 new container objects
# by default; bulk work (a full scheduler refresh reads 10,000 nodes, an
# API page holds 1,000 servers) then runs dozens of collections, each
# also walking what survived the last ones. Plain dicts and lists hold no
# cycles worth collecting that early. bench/full_refresh.py measures it.
GC_THRESHOLDS = (10000, 10, 10)


def tune_gc():
    """Once a daemon has started: move what startup made (modules, config,
    clients) out of the collector's sight, and collect less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def wait_for_signals(on_stop, on_reload=None):
    """The daemon has started: tune the collector, tell systemd it is
    ready, then block until SIGTERM/SIGINT (then call on_stop), feeding
    systemd's watchdog meanwhile; SIGHUP reloads."""
    stop = threading.Event()
    watchdog = systemd.Watchdog()

    def _terminate(signum, _frame):
        LOG.info('Caught signal %d, shutting down', signum)
        watchdog.stopping()
        stop.set()

    def _reload(_signum, _frame):
        LOG.info('Caught SIGHUP, reloading mutable config options')
        CONF.mutate_config_files()
        if on_reload:
            on_reload()

    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _terminate)
    signal.signal(signal.SIGHUP, _reload)
    tune_gc()
    watchdog.ready()
    while not stop.wait(watchdog.wait_step()):
        watchdog.tick()
    on_stop()


def run_service(description, make_service, argv=None, workers=None,
                metrics_port=None):
    """Parse config, open RPC, start the service and run until signalled.

    `workers`, called once the config is read, says how many processes
    serve; above one, a parent forks them (common/workers.py).
    `metrics_port`: the [metrics] option naming this daemon's port.
    """
    parse_config(sys.argv[1:] if argv is None else argv, description)
    count = workers() if workers else 1
    port = getattr(CONF.metrics, metrics_port) if metrics_port else None

    def serve():
        metrics.setup()
        rpc.init(CONF)
        service = make_service()
        service.start()
        wait_for_signals(service.stop)
        rpc.cleanup()

    if count <= 1:
        metrics.setup()
        if port is not None:
            metrics.serve(port)
        serve()
        return 0
    LOG.info('Starting %d worker processes', count)
    # The parent serves the workers' metrics, added up.
    metrics.prepare_workers()
    if port is not None:
        metrics.serve(port)
    try:
        return worker_pool.WorkerPool(
            count, serve, stop_timeout=CONF.graceful_shutdown_timeout + 5,
            on_exit=metrics.worker_exited).run()
    finally:
        metrics.forget_workers()
