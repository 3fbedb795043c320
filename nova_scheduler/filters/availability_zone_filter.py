"""AvailabilityZoneFilter: hosts in the requested availability zone."""

from common.conf import CONF
from nova_scheduler import filters


def host_zones(host_state, default_zone):
    """A host's zones: its aggregates' availability_zone metadata, or the
    [DEFAULT] default_availability_zone when none of them sets one."""
    return host_state.aggregate_availability_zones or {default_zone}


class AvailabilityZoneFilter(filters.BaseHostFilter):
    """Passes a host in the requested availability zone; any host when the
    request names none."""

    def host_passes(self, host_state, spec):
        zone = spec.get('availability_zone')
        return not zone or zone in host_zones(
            host_state, CONF.default_availability_zone)

    def filter_mask(self, hosts, mask, spec):
        zone = spec.get('availability_zone')
        if not zone:
            return None
        return self.group_mask(hosts, mask, spec,
                               (zone, CONF.default_availability_zone))

    def explain_rejection(self, host_states, spec):
        default_zone = CONF.default_availability_zone
        zones = set()
        for hs in host_states:
            zones |= host_zones(hs, default_zone)
        return ("no host is in availability zone '%s' (the hosts left are "
                "in: %s)" % (spec.get('availability_zone'),
                             ', '.join(sorted(zones))))
