"""ServerGroupSoftAntiAffinityWeigher: spreads soft-anti-affinity group
members."""

from nova_scheduler import server_groups
from nova_scheduler.weighers import soft_affinity


class ServerGroupSoftAntiAffinityWeigher(
        soft_affinity.ServerGroupSoftAffinityWeigher):
    """Weighs a host, for a member of a 'soft-anti-affinity' server group,
    by minus how many members it holds, scaled by [filter_scheduler]
    soft_anti_affinity_weight_multiplier."""

    multiplier_option = 'soft_anti_affinity_weight_multiplier'
    policy = server_groups.SOFT_ANTI_AFFINITY
    sign = -1
