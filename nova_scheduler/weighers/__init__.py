"""Host weighers: the base class, normalizing and summing, all_weighers()."""


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
    by weight_multiplier(): a negative multiplier turns spreading into
    stacking.
    """

    @classmethod
    def name(cls):
        return cls.__name__

    def weight_multiplier(self):
        return 1.0

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
        multiplier = weigher.weight_multiplier()
        if not multiplier:
            continue
        for i, score in enumerate(weigher.weigh_objects(host_states, spec)):
            totals[i] += multiplier * score
    pairs = list(zip(totals, host_states))
    pairs.sort(key=lambda pair: -pair[0])
    return pairs


def all_weighers():
    """Every weigher class shipped in this package."""
    # Imported here: the weigher modules import BaseHostWeigher from us.
    import nova_scheduler.weighers as package
    from nova_scheduler import loader
    return loader.classes_in_package(package, BaseHostWeigher)
