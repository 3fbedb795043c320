"""AggregateMultiTenancyIsolation: aggregates reserved for some projects."""

from nova_scheduler import filters

KEY_PREFIX = 'filter_tenant_id'


def allowed_projects(host_state):
    """Projects the host's aggregates restrict it to (empty: anyone), from
    metadata filter_tenant_id and filter_tenant_id_<anything>, each a
    comma-separated list; several keys let a list outgrow one value."""
    allowed = set()
    for key, values in host_state.aggregate_metadata.items():
        if key.startswith(KEY_PREFIX):
            allowed.update(v for v in values if v)
    return allowed


class AggregateMultiTenancyIsolation(filters.BaseHostFilter):
    """Passes a host in an aggregate with filter_tenant_id metadata only for
    the projects listed there; a host in no such aggregate takes any."""

    def host_passes(self, host_state, spec):
        allowed = allowed_projects(host_state)
        return not allowed or spec.get('project_id') in allowed

    def filter_mask(self, hosts, mask, spec):
        return self.group_mask(hosts, mask, spec, spec.get('project_id'))

    def explain_rejection(self, host_states, spec):
        return ('every host left is in an aggregate reserved for other '
                'projects (filter_tenant_id), not project %s'
                % spec.get('project_id'))
