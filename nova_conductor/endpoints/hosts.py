"""Hosts: their services, compute nodes (hypervisors), and where the
scheduler would place a request among them."""

import functools
import logging

from nova_conductor import build
from nova_conductor import compute_queries
from nova_conductor.db import compute as compute_db
from nova_conductor.db import services as services_db

LOG = logging.getLogger(__name__)


def changes_hosts(method):
    """Schedulers cache hosts: after `method` has saved an admin's change
    to services or aggregates, tell them to read again, so a host disabled
    or moved out of a zone gets nothing."""
    @functools.wraps(method)
    def wrapper(self, context, *args, **kwargs):
        result = method(self, context, *args, **kwargs)
        try:
            self.builder.scheduler_api.invalidate_host_cache(context)
        except Exception:
            # Their cache still expires within [scheduler]
            # host_cache_max_age; the change itself is saved.
            LOG.warning('Could not tell the schedulers that hosts changed',
                        exc_info=True)
        return result
    return wrapper


class HostsEndpoints:
    # (1.0)
    def service_heartbeat(self, context, host, binary, topic,
                          service_version=None):
        return compute_db.service_heartbeat(host, binary, topic,
                                            service_version)

    # (1.20)
    def service_beat(self, context, host, binary, topic):
        """A heartbeat cast by a registered service (db driver): kept in
        memory, written with others at the next flush (heartbeats.py)."""
        self.heartbeats.record(host, binary, topic)

    # (1.0; hosts 1.21)
    def service_get_all(self, context, binary=None, hosts=None):
        return compute_db.service_get_all(binary, hosts)

    # (1.0)
    @changes_hosts
    def service_set_status(self, context, host, binary, disabled,
                           reason=None):
        return compute_db.service_set_status(host, binary, disabled, reason)

    # (1.1)
    @changes_hosts
    def service_update(self, context, service_id, values):
        return services_db.update(service_id, values)

    # (1.1)
    @changes_hosts
    def service_update_by_host(self, context, host, binary, values):
        return services_db.update_by_host(host, binary, values)

    # (1.1)
    @changes_hosts
    def service_delete(self, context, service_id):
        return services_db.delete(service_id)

    # (1.0)
    def compute_node_update(self, context, host, nodename, resources):
        return compute_db.compute_node_update(host, nodename, resources)

    # (1.0)
    def compute_nodes_get_all(self, context, changed_since=None):
        return compute_db.compute_nodes_get_all(changed_since)

    # (1.25)
    def compute_nodes_where(self, context, ids=(), uuids=(), hosts=()):
        return compute_db.compute_nodes_where(ids, uuids, hosts)

    # (1.25)
    def compute_nodes_page(self, context, after_id=None, limit=None):
        return compute_db.compute_nodes_page(after_id, limit)

    # (1.1)
    def hypervisor_servers(self, context, node_ids):
        # Keys cross RPC as JSON object keys: strings.
        return {str(k): v for k, v in
                services_db.servers_by_node(node_ids).items()}

    # (1.1)
    def hypervisor_uptime(self, context, host):
        """The host's uptime line, or None when its compute is down."""
        return compute_queries.host_uptime(self.compute_api, context, host)

    # (1.0)
    def scheduler_dry_run(self, context, request_spec):
        return self.builder.scheduler_api.dry_run(
            context, build.with_instance_group(request_spec))
