"""SchedulerManager: the RPC endpoint of nova-scheduler."""

import threading
import time

import oslo_messaging

from common import context as nova_context
from common import exception
from common import metrics
from common.conf import CONF
from nova_scheduler import filter_scheduler
from nova_scheduler import host_manager


class SchedulerManager:
    """Answers select_destinations; the work is in FilterScheduler.

    A batch of select_destinations (common.coalesce) runs them in turn, so
    a request that fits nowhere fails alone."""

    target = oslo_messaging.Target(version='1.3')

    def __init__(self, conductor_api=None):
        if conductor_api is None:
            # Imported here so tests (and this package's import) need no
            # conductor or RPC transport.
            from nova_conductor import rpcapi as conductor_rpcapi
            conductor_api = conductor_rpcapi.ConductorAPI()
        self.host_manager = host_manager.HostManager(conductor_api)
        self.driver = filter_scheduler.FilterScheduler(self.host_manager)
        # RPC requests arrive on several threads; refreshing and consuming
        # the shared host states must not interleave.
        self._lock = threading.Lock()

    def select_destinations(self, context, request_spec, instance_uuids):
        started = time.monotonic()
        try:
            selections = self._select_destinations(
                context, request_spec, instance_uuids)
        except exception.NoValidHost as error:
            metrics.inc('nova_scheduler_decisions_total',
                        result='no_valid_host')
            metrics.inc('nova_scheduler_no_valid_host_total',
                        filter=getattr(error, 'emptied_by', 'unknown'))
            raise
        finally:
            metrics.observe('nova_scheduler_seconds',
                            time.monotonic() - started)
        metrics.inc('nova_scheduler_decisions_total', result='placed')
        return selections

    def _select_destinations(self, context, request_spec, instance_uuids):
        # The cache is ours, not the caller's: refresh as the service.
        admin = nova_context.get_admin_context()
        with self._lock:
            fresh = self.host_manager.refresh(
                admin, max_age=CONF.scheduler.host_cache_max_age)
            try:
                return self.driver.select_destinations(
                    context, request_spec, instance_uuids)
            except exception.NoValidHost:
                if fresh:
                    raise
                # Deletes may have freed room the cached view cannot show.
                self.host_manager.refresh(admin)
                return self.driver.select_destinations(
                    context, request_spec, instance_uuids)

    def invalidate_host_cache(self, context):
        """An admin changed services or aggregates: the next request reads
        them again."""
        with self._lock:
            self.host_manager.invalidate()

    def dry_run(self, context, request_spec, candidates=10):
        """Where one instance of this request would go: per-filter counts
        and the best weighed hosts. Nothing is consumed or claimed."""
        with self._lock:
            self.host_manager.refresh(nova_context.get_admin_context())
            spec = dict(request_spec)
            result, weighed = self.driver.filter_and_weigh(
                spec, self.driver._arrays_for(spec))
            best = [{'host': hs.host, 'nodename': hs.nodename,
                     'weight': round(float(weight), 6),
                     'free_ram_mb': hs.free_ram_mb,
                     'free_vcpus': hs.free_vcpus,
                     'free_disk_gb': hs.free_disk_gb}
                    for weight, hs in weighed[:candidates]]
            return {'filters': [list(step) for step in result.counts],
                    'candidates': best,
                    'reason': None if best else
                    self.driver.explanation(result)}
