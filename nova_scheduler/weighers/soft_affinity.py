"""ServerGroupSoftAffinityWeigher: gathers soft-affinity group members."""

import numpy as np

from nova_scheduler import server_groups
from nova_scheduler import weighers


class ServerGroupSoftAffinityWeigher(weighers.BaseHostWeigher):
    """Weighs a host, for a member of a 'soft-affinity' server group, by how
    many members it holds, scaled by [filter_scheduler]
    soft_affinity_weight_multiplier."""

    multiplier_option = 'soft_affinity_weight_multiplier'
    # The group policy weighed, and the sign of a member's score: +1
    # gathers members (here), -1 spreads them (soft_anti_affinity).
    policy = server_groups.SOFT_AFFINITY
    sign = 1

    def _group(self, spec):
        return server_groups.group_with_policy(spec, self.policy)

    def _weigh_object(self, host_state, spec):
        group = self._group(spec)
        if not group:
            return 0
        return self.sign * server_groups.members_on_host(host_state, group)

    def weigh_objects(self, host_states, spec):
        # Most requests have no such group: skip the per-host walk.
        if not self._group(spec):
            return [0.0] * len(host_states)
        return super().weigh_objects(host_states, spec)

    def weigh_slots(self, hosts, slots, spec):
        group = self._group(spec)
        if not group:
            return np.zeros(len(slots))
        # Only hosts holding a member, or named in the group, score.
        scored = (hosts.slots_holding(group.get('members') or ())
                  | hosts.slots_of_hosts(group.get('hosts') or ()))
        return self.sparse_scores(hosts, slots, scored, spec)
