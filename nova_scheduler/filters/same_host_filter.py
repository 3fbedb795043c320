"""SameHostFilter: the scheduler hint same_host."""

from nova_scheduler import filters


class SameHostFilter(filters.BaseHostFilter):
    """Passes, when the same_host hint names instances, only a host holding
    at least one of them."""

    def host_passes(self, host_state, spec):
        uuids = filters.hint_values(spec, 'same_host')
        return not uuids or not uuids.isdisjoint(host_state.instances)

    def filter_mask(self, hosts, mask, spec):
        uuids = filters.hint_values(spec, 'same_host')
        if not uuids:
            return None
        return hosts.only_these(mask, hosts.slots_holding(uuids),
                                lambda hs: not uuids.isdisjoint(hs.instances))

    def explain_rejection(self, host_states, spec):
        return ('no host left holds any of the same_host instances (%s)'
                % ', '.join(sorted(filters.hint_values(spec, 'same_host'))))
