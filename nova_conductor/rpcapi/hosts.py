"""Hosts: their services, compute nodes (hypervisors), and where the
scheduler would place a request among them (nova-compute,
nova-scheduler, nova-api)."""

from common import service_version
from common.conf import CONF


class HostsAPI:
    # (1.0; 1.24 with this daemon's service version)
    def service_heartbeat(self, ctxt, host, binary, topic):
        """One short wait: a heartbeat lost (sent before any conductor
        consumed, or to one killed) is sent again promptly by the
        service's heartbeat timer (common.service), not waited for."""
        if self.can_send_version('1.24'):
            return self.call(ctxt, 'service_heartbeat', '1.24', host=host,
                             binary=binary, topic=topic,
                             service_version=(
                                 service_version.SERVICE_VERSION),
                             timeout=CONF.rpc_resend_after)
        return self.call(ctxt, 'service_heartbeat', '1.0', host=host,
                         binary=binary, topic=topic,
                         timeout=CONF.rpc_resend_after)

    # (1.20)
    def service_beat(self, ctxt, host, binary, topic):
        """A heartbeat of a registered service, cast (db service-group
        driver): the conductor stamps it when received and writes many in
        one UPDATE. A lost one is only a missed beat."""
        self.cast(ctxt, 'service_beat', '1.20', host=host, binary=binary,
                  topic=topic)

    # (1.0; 1.21 with hosts)
    def service_get_all(self, ctxt, binary=None, hosts=None):
        """Services of `binary` (all if None), of `hosts` only if given;
        a conductor older than 1.21 sends all, and they are sorted out
        here."""
        if hosts is None:
            return self.call(ctxt, 'service_get_all', '1.0', binary=binary)
        wanted = set(hosts)
        if self.can_send_version('1.21'):
            return self.call(ctxt, 'service_get_all', '1.21', binary=binary,
                             hosts=sorted(wanted))
        return [svc for svc in self.call(ctxt, 'service_get_all', '1.0',
                                         binary=binary)
                if svc['host'] in wanted]

    # (1.0)
    def service_set_status(self, ctxt, host, binary, disabled, reason=None):
        return self.call(ctxt, 'service_set_status', '1.0', host=host,
                         binary=binary, disabled=disabled, reason=reason)

    # (1.1)
    def service_update(self, ctxt, service_id, values):
        """values: disabled, disabled_reason, forced_down (uuid or id)."""
        return self.call(ctxt, 'service_update', '1.1',
                         service_id=service_id, values=values)

    # (1.1)
    def service_update_by_host(self, ctxt, host, binary, values):
        return self.call(ctxt, 'service_update_by_host', '1.1', host=host,
                         binary=binary, values=values)

    # (1.1)
    def service_delete(self, ctxt, service_id):
        return self.call(ctxt, 'service_delete', '1.1',
                         service_id=service_id)

    # (1.0)
    def compute_node_update(self, ctxt, host, nodename, resources):
        return self.call(ctxt, 'compute_node_update', '1.0', host=host,
                         nodename=nodename, resources=resources)

    # (1.0)
    def compute_nodes_get_all(self, ctxt, changed_since=None):
        return self.call(ctxt, 'compute_nodes_get_all', '1.0',
                         changed_since=changed_since)

    # (1.25; before it, every node is read and these picked out here)
    def compute_nodes_where(self, ctxt, ids=(), uuids=(), hosts=()):
        """The nodes with any of these ids, uuids or host names."""
        if self.can_send_version('1.25'):
            return self.call(ctxt, 'compute_nodes_where', '1.25',
                             ids=list(ids), uuids=list(uuids),
                             hosts=list(hosts))
        ids, uuids, hosts = set(ids), set(uuids), set(hosts)
        return [n for n in self.compute_nodes_get_all(ctxt)['nodes']
                if n['id'] in ids or n['uuid'] in uuids or
                n['host'] in hosts]

    # (1.25; before it, every node is read and the page cut here)
    def compute_nodes_page(self, ctxt, after_id=None, limit=None):
        """Up to `limit` nodes by id, after node `after_id`."""
        if self.can_send_version('1.25'):
            return self.call(ctxt, 'compute_nodes_page', '1.25',
                             after_id=after_id, limit=limit)
        nodes = [n for n in self.compute_nodes_get_all(ctxt)['nodes']
                 if after_id is None or n['id'] > after_id]
        return nodes if limit is None else nodes[:limit]

    # (1.1)
    def hypervisor_servers(self, ctxt, node_ids):
        """{str(node id): [{'name', 'uuid'}]} of live instances."""
        return self.call(ctxt, 'hypervisor_servers', '1.1',
                         node_ids=list(node_ids))

    # (1.1)
    def hypervisor_uptime(self, ctxt, host):
        return self.call(ctxt, 'hypervisor_uptime', '1.1', host=host)

    # (1.0)
    def scheduler_dry_run(self, ctxt, request_spec):
        """Where the scheduler would place this request, claiming nothing."""
        return self.call(ctxt, 'scheduler_dry_run', '1.0',
                         request_spec=request_spec)
