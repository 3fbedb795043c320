"""BuildFailureWeigher: steers builds away from hosts that keep failing
them."""

from nova_scheduler import weighers


class BuildFailureWeigher(weighers.BaseHostWeigher):
    """Weighs a host by minus its recent failed builds, scaled by
    [filter_scheduler] build_failure_weight_multiplier: fewer is better."""

    multiplier_option = 'build_failure_weight_multiplier'

    def _weigh_object(self, host_state, spec):
        return -host_state.failed_builds

    def weigh_slots(self, hosts, slots, spec):
        return weighers.normalize_array(-hosts.failed_builds[slots])
