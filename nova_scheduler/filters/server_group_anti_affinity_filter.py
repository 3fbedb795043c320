"""ServerGroupAntiAffinityFilter: members of an anti-affinity group spread."""

from nova_scheduler import filters
from nova_scheduler import server_groups


class ServerGroupAntiAffinityFilter(filters.BaseHostFilter):
    """Passes, for a member of an 'anti-affinity' server group, a host
    holding fewer than the group's max_server_per_host rule (default 1)
    of its members."""

    def host_passes(self, host_state, spec):
        group = server_groups.group_with_policy(
            spec, server_groups.ANTI_AFFINITY)
        if not group:
            return True
        return (server_groups.members_on_host(host_state, group)
                < server_groups.max_server_per_host(group))

    def filter_mask(self, hosts, mask, spec):
        group = server_groups.group_with_policy(
            spec, server_groups.ANTI_AFFINITY)
        if not group:
            return None
        limit = server_groups.max_server_per_host(group)
        # Only a host holding a member, or named in the group, can fail.
        holding = (hosts.slots_holding(group.get('members') or ())
                   | hosts.slots_of_hosts(group.get('hosts') or ()))
        return hosts.all_but_these(
            mask, holding,
            lambda hs: server_groups.members_on_host(hs, group) < limit)

    def explain_rejection(self, host_states, spec):
        group = spec['instance_group']
        return ('every host left already holds %d member(s) of server group '
                '%s, the most its anti-affinity policy allows per host'
                % (server_groups.max_server_per_host(group),
                   group.get('uuid')))
