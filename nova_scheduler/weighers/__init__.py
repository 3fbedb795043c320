"""Host weighers: the base class, normalizing and summing, all_weighers()."""

from common.conf import CONF
from nova_scheduler import aggregates


def normalize(values):
    """Scale values to 0..1 over the candidates; all equal -> all 0, since
    a weigher that cannot tell hosts apart must not tip the sum."""
    if not values:
        return []
    low = min(values)
    high = max(values)
    if high == low:
        return [0.0] * len(values)
    span = float(high - low)
    return [(v - low) / span for v in values]


class BaseHostWeigher:
    """Scores hosts on one measure; higher wins.

    Scores are normalized over the candidates of one request, then scaled
    by each host's weight_multiplier(): a negative multiplier turns
    spreading into stacking. A weigher naming its [filter_scheduler]
    option in multiplier_option gets Nova's per-aggregate override for
    free: aggregate metadata of the same name, the smallest if several.
    """

    #: The [filter_scheduler] option scaling this weigher, or None for 1.0.
    multiplier_option = None

    @classmethod
    def name(cls):
        return cls.__name__

    def weight_multiplier(self, host_state):
        """The multiplier for this host."""
        option = self.multiplier_option
        if option is None:
            return 1.0
        return aggregates.min_number(
            host_state, option, getattr(CONF.filter_scheduler, option))

    def weight_multipliers(self, host_states):
        """weight_multiplier() of each host, reading the option once rather
        than once per host (a config lookup costs microseconds, and there
        may be thousands of hosts)."""
        option = self.multiplier_option
        if option is None:
            return [self.weight_multiplier(hs) for hs in host_states]
        default = getattr(CONF.filter_scheduler, option)
        return [aggregates.min_number(hs, option, default)
                if option in hs.aggregate_metadata else default
                for hs in host_states]

    def _weigh_object(self, host_state, spec):
        raise NotImplementedError()

    def weigh_objects(self, host_states, spec):
        """Normalized scores, in the order of host_states."""
        weigh = self._weigh_object
        return normalize([weigh(hs, spec) for hs in host_states])


def weigh_hosts(weighers, host_states, spec):
    """(weight, host_state) pairs, best first; ties keep the input order."""
    totals = [0.0] * len(host_states)
    for weigher in weighers:
        multipliers = weigher.weight_multipliers(host_states)
        if not any(multipliers):
            continue
        scores = weigher.weigh_objects(host_states, spec)
        for i, score in enumerate(scores):
            totals[i] += multipliers[i] * score
    pairs = list(zip(totals, host_states))
    pairs.sort(key=lambda pair: -pair[0])
    return pairs


def all_weighers():
    """Every weigher class shipped in this package."""
    # Imported here: the weigher modules import BaseHostWeigher from us.
    import nova_scheduler.weighers as package
    from nova_scheduler import loader
    return loader.classes_in_package(package, BaseHostWeigher)
