"""Host weighers: the base class, normalizing and summing, all_weighers().

Each weigher scores a list of HostStates (weigh_objects) and, for the fast
path, the hosts at some slots of the HostManager's HostArrays
(weigh_slots); both must give the same numbers, which test_fast_path
checks for the shipped ones. A weigher without its own weigh_slots is
asked through weigh_objects, so it works unchanged, only slower.
"""

import numpy as np

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


def normalize_array(values):
    """normalize() over a numpy array, with the same arithmetic (so the
    same floats)."""
    if not len(values):
        return np.zeros(0)
    low = values.min()
    high = values.max()
    if high == low:
        return np.zeros(len(values))
    return (values - low) / float(high - low)


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

    def multipliers_at(self, hosts, slots):
        """weight_multipliers() of the hosts at `slots` of the HostArrays
        `hosts`: one number when all are equal, else an array. The
        aggregate override is read once per static group of hosts."""
        option = self.multiplier_option
        if (option is None or type(self).weight_multipliers
                is not BaseHostWeigher.weight_multipliers):
            return np.array(self.weight_multipliers(hosts.states_at(slots)),
                            dtype=float)
        default = getattr(CONF.filter_scheduler, option)

        def multiplier(group):
            if option not in group.aggregate_metadata:
                return default
            return aggregates.min_number(group, option, default)
        return hosts.group_values(('multiplier', option, default),
                                  multiplier, slots)

    def _weigh_object(self, host_state, spec):
        raise NotImplementedError()

    def weigh_objects(self, host_states, spec):
        """Normalized scores, in the order of host_states."""
        weigh = self._weigh_object
        return normalize([weigh(hs, spec) for hs in host_states])

    def weigh_slots(self, hosts, slots, spec):
        """The fast path: weigh_objects() of the hosts at `slots` (a numpy
        array of slots of the HostArrays `hosts`), as a numpy array. A
        subclass changing _weigh_object() must change this too; this
        default asks weigh_objects()."""
        return np.array(self.weigh_objects(hosts.states_at(slots), spec),
                        dtype=float)

    def sparse_scores(self, hosts, slots, scored, spec):
        """normalize()d _weigh_object() over `slots` for a measure that is
        0 on every host but the few at `scored` (from an index)."""
        values = np.zeros(len(slots))
        scored = sorted(scored)
        positions = np.searchsorted(slots, scored).tolist()
        for slot, position in zip(scored, positions):
            if position < len(slots) and slots[position] == slot:
                values[position] = self._weigh_object(hosts.states[slot],
                                                      spec)
        return normalize_array(values)


class ColumnWeigher(BaseHostWeigher):
    """Weighs a host by one of its numbers: the HostState attribute, and
    HostArrays column, named `column`."""

    column = None

    def _weigh_object(self, host_state, spec):
        return getattr(host_state, self.column)

    def weigh_slots(self, hosts, slots, spec):
        return normalize_array(getattr(hosts, self.column)[slots])


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


def weigh_slots(weighers, hosts, slots, spec):
    """weigh_hosts() for the hosts at `slots` of the HostArrays `hosts`:
    their total weights, in the order of slots (unsorted; see Ranking)."""
    totals = np.zeros(len(slots))
    for weigher in weighers:
        multipliers = weigher.multipliers_at(hosts, slots)
        if not np.any(multipliers):
            continue
        totals += multipliers * weigher.weigh_slots(hosts, slots, spec)
    return totals


def best_first(totals, count):
    """Positions of the `count` largest totals, largest first; equal
    totals keep their order, as weigh_hosts() sorts. O(len(totals))."""
    negated = -totals
    if count >= len(totals):
        return np.argsort(negated, kind='stable')
    kth = np.partition(negated, count - 1)[count - 1]
    better = np.flatnonzero(negated < kth)
    tied = np.flatnonzero(negated == kth)[:count - len(better)]
    chosen = np.concatenate((better, tied))
    return chosen[np.argsort(negated[chosen], kind='stable')]


class Ranking:
    """(weight, host_state) pairs, best first, of the hosts at `slots`, as
    weigh_hosts() lists them; sorted only as far as it is read, so taking
    the best few of 10,000 hosts does not sort them all."""

    def __init__(self, hosts, slots, totals):
        self._hosts = hosts
        self._slots = slots
        self._totals = totals
        self._pairs = []

    def __len__(self):
        return len(self._slots)

    def _extend(self, count):
        # At least a few: picking one host and then its alternates should
        # cost one partial sort, not two.
        count = min(max(count, 16), len(self._slots))
        if count <= len(self._pairs):
            return
        positions = best_first(self._totals, count)
        states = self._hosts.states_at(self._slots[positions])
        self._pairs = list(zip(self._totals[positions].tolist(), states))

    def __getitem__(self, index):
        if isinstance(index, slice):
            if index.stop is None or index.stop < 0 or index.step:
                self._extend(len(self._slots))
            else:
                self._extend(index.stop)
            return self._pairs[index]
        self._extend(index + 1 if index >= 0 else len(self._slots))
        return self._pairs[index]

    def __iter__(self):
        position = 0
        while position < len(self._slots):
            if position >= len(self._pairs):
                # Twice as many each time: a walk skipping hosts stays
                # O(n) overall.
                self._extend(2 * len(self._pairs))
            yield self._pairs[position]
            position += 1


def all_weighers():
    """Every weigher class shipped in this package."""
    # Imported here: the weigher modules import BaseHostWeigher from us.
    import nova_scheduler.weighers as package
    from nova_scheduler import loader
    return loader.classes_in_package(package, BaseHostWeigher)
