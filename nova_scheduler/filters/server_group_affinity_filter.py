"""ServerGroupAffinityFilter: members of an affinity group share a host."""

from nova_scheduler import filters
from nova_scheduler import server_groups


class ServerGroupAffinityFilter(filters.BaseHostFilter):
    """Passes, for a member of an 'affinity' server group, only a host that
    already holds a member; any host while the group has none placed."""

    def host_passes(self, host_state, spec):
        group = server_groups.group_with_policy(spec, server_groups.AFFINITY)
        hosts = group and group.get('hosts')
        return not hosts or host_state.host in hosts

    def filter_mask(self, hosts, mask, spec):
        group = server_groups.group_with_policy(spec, server_groups.AFFINITY)
        names = group and group.get('hosts')
        if not names:
            return None
        names = set(names)
        return hosts.only_these(mask, hosts.slots_of_hosts(names),
                                lambda hs: hs.host in names)

    def explain_rejection(self, host_states, spec):
        group = spec['instance_group']
        return ("server group %s (affinity) has its members on %s, which "
                "no host left is" % (group.get('uuid'),
                                     ', '.join(sorted(set(group['hosts'])))))
