"""Server group facts the affinity filters and weighers share.

A request for a member of a server group carries spec['instance_group']:
{'uuid', 'policy', 'rules': {'max_server_per_host': N}, 'hosts': [host
names of the current members], 'members': [instance uuids]}. The
FilterScheduler appends to 'hosts' and 'members' as it places the
instances of one request, so later picks see the earlier ones.
"""

AFFINITY = 'affinity'
ANTI_AFFINITY = 'anti-affinity'
SOFT_AFFINITY = 'soft-affinity'
SOFT_ANTI_AFFINITY = 'soft-anti-affinity'


def group_with_policy(spec, policy):
    """The request's server group if its policy is `policy`, else None."""
    group = spec.get('instance_group')
    if group and group.get('policy') == policy:
        return group
    return None


def max_server_per_host(group):
    """How many members of an anti-affinity group one host may hold."""
    rules = group.get('rules') or {}
    try:
        return max(1, int(rules.get('max_server_per_host') or 1))
    except (TypeError, ValueError):
        return 1


def members_on_host(host_state, group):
    """How many of the group's members the host holds.

    Counted both ways and the larger taken: the host's instances may lag
    behind the group (the conductor has not reported a fresh build yet),
    and the group's 'hosts' list may name each host only once.
    """
    members = group.get('members') or ()
    by_instances = sum(1 for uuid in members if uuid in host_state.instances)
    by_hosts = list(group.get('hosts') or ()).count(host_state.host)
    return max(by_instances, by_hosts)
