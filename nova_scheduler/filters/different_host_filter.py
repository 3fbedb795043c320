"""DifferentHostFilter: the scheduler hint different_host."""

from nova_scheduler import filters


class DifferentHostFilter(filters.BaseHostFilter):
    """Passes, when the different_host hint names instances, only a host
    holding none of them."""

    def host_passes(self, host_state, spec):
        uuids = filters.hint_values(spec, 'different_host')
        return uuids.isdisjoint(host_state.instances)

    def filter_mask(self, hosts, mask, spec):
        uuids = filters.hint_values(spec, 'different_host')
        if not uuids:
            return None
        return hosts.all_but_these(mask, hosts.slots_holding(uuids),
                                   lambda hs: uuids.isdisjoint(hs.instances))

    def explain_rejection(self, host_states, spec):
        return ('every host left holds one of the different_host instances '
                '(%s)' % ', '.join(sorted(
                    filters.hint_values(spec, 'different_host'))))
