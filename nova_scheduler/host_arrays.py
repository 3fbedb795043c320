"""HostArrays: the cached hosts as numpy columns, for whole-fleet filters.

Filters and weighers with a fast path read these columns instead of
walking 10,000 HostState objects per request. Each HostState has a slot
(its row); slots follow the HostManager's host order, so ties between
equally weighed hosts break the same way on both paths.
"""

import numpy as np

from nova_scheduler import host_state as hs_mod

# Columns copied from each HostState (float64: the values the per-host
# rules compare, exactly; integers below 2**53 convert without loss).
NUMBERS = ('free_vcpus', 'free_ram_mb', 'free_disk_gb', 'num_io_ops',
           'num_instances', 'failed_builds')
# Remembered static answers; past this many, start afresh (each costs one
# rule call per group to work out again).
MAX_ANSWERS = 4096
# A slot whose host name is not in the index yet (None is a name).
_NOT_INDEXED = object()


class HostGroup:
    """The static attributes (host_state.STATIC_ATTRIBUTES) a group of
    hosts shares. Static rules run on it instead of on each member; it has
    nothing else, so a rule reading per-host state fails loudly rather
    than answering for the whole group. `host` names one member, for log
    lines only."""

    __slots__ = hs_mod.STATIC_ATTRIBUTES + ('host',)

    def __init__(self, host_state):
        # Attributes are shared, not copied: HostState.update() replaces
        # them rather than changing them in place.
        for name in hs_mod.STATIC_ATTRIBUTES:
            setattr(self, name, getattr(host_state, name))
        self.host = host_state.host


class HostArrays:
    """Per-slot numbers, flags and indexes of the HostManager's hosts.

    Kept in step by the HostManager (add/store/remove on a refresh, load on
    a full one) and by HostState.consume()/release(). Each change costs
    O(that host), never O(all hosts).
    """

    def __init__(self):
        self.load(())

    # -- maintenance -------------------------------------------------------

    def load(self, host_states):
        """Start afresh with these hosts, in this order (a full refresh)."""
        self.states = list(host_states)
        count = len(self.states)
        self._capacity = 0
        self._columns = {}
        self._by_host = {}
        self._slot_host = [_NOT_INDEXED] * count
        self._by_instance = {}
        self._slot_instances = [()] * count
        self._group_ids = {}
        self.groups = []
        self._answers = {}
        self._grow(max(64, count))
        self.present[:] = True
        for slot, hs in enumerate(self.states):
            hs.arrays = self
            hs.slot = slot
            self.store(hs)

    def _grow(self, capacity):
        old = self._columns
        self._columns = {name: np.zeros(capacity)
                         for name in NUMBERS + ('heartbeat_mono',)}
        self._columns['enabled'] = np.zeros(capacity, dtype=bool)
        self._columns['present'] = np.zeros(capacity, dtype=bool)
        self._columns['group'] = np.zeros(capacity, dtype=np.intp)
        size = len(self.states)
        for name, column in old.items():
            self._columns[name][:size] = column[:size]
        self._capacity = capacity
        self._slice()

    def _slice(self):
        # Views of the used rows, the arrays filters read.
        size = len(self.states)
        for name, column in self._columns.items():
            setattr(self, name, column[:size])

    def add(self, hs):
        """Give a host new to the cache the next slot."""
        slot = len(self.states)
        if slot >= self._capacity:
            self._grow(self._capacity * 2)
        self.states.append(hs)
        self._slot_host.append(_NOT_INDEXED)
        self._slot_instances.append(())
        self._slice()
        hs.arrays = self
        hs.slot = slot
        self.present[slot] = True
        self.store(hs)

    def store(self, hs):
        """Copy a host's numbers, group and indexes after update()."""
        slot = hs.slot
        self._store_numbers(hs, slot)
        self.enabled[slot] = not (hs.service_disabled
                                  or hs.service_forced_down)
        self.heartbeat_mono[slot] = hs.liveness_mono()
        self.group[slot] = self._group_id(hs)
        if self._slot_host[slot] != hs.host:
            self._unindex_host(slot)
            self._by_host.setdefault(hs.host, set()).add(slot)
            self._slot_host[slot] = hs.host
        old = self._slot_instances[slot]
        new = hs.instances
        if old is not new:
            # The index holds exactly old's keys for this slot: move it by
            # the difference (an update usually changes an instance or two).
            if old:
                for uuid in old.keys() - new.keys():
                    self._unindex_instance(uuid, slot)
                added = new.keys() - old.keys()
            else:
                added = new.keys()
            index = self._by_instance
            on_other_nodes = added & index.keys()
            for uuid in on_other_nodes:
                self._index_instance(uuid, slot)
            index.update(dict.fromkeys(added - on_other_nodes, slot))
            self._slot_instances[slot] = new

    def _store_numbers(self, hs, slot):
        columns = self._columns
        for name in NUMBERS:
            columns[name][slot] = getattr(hs, name)

    def remove(self, hs):
        """Drop a deleted host; its slot stays empty until the next load."""
        slot = hs.slot
        if slot is None or self.states[slot] is not hs:
            return
        self.present[slot] = False
        self.states[slot] = None
        self._unindex_host(slot)
        for uuid in self._slot_instances[slot]:
            self._unindex_instance(uuid, slot)
        self._slot_instances[slot] = ()
        hs.arrays = hs.slot = None

    def consumed(self, hs, instance_uuid):
        self._store_numbers(hs, hs.slot)
        if instance_uuid is not None:
            self._index_instance(instance_uuid, hs.slot)

    def released(self, hs, instance_uuid):
        self._store_numbers(hs, hs.slot)
        if instance_uuid is not None and instance_uuid not in hs.instances:
            self._unindex_instance(instance_uuid, hs.slot)

    def _unindex_host(self, slot):
        name = self._slot_host[slot]
        slots = self._by_host.get(name)
        if slots is not None:
            slots.discard(slot)
            if not slots:
                del self._by_host[name]
        self._slot_host[slot] = _NOT_INDEXED

    # An instance normally sits on one node: its slot is stored bare, and
    # only the rare instance cached on two nodes (a reschedule not yet
    # reported) costs a set.
    def _index_instance(self, uuid, slot):
        owner = self._by_instance.get(uuid)
        if owner is None:
            self._by_instance[uuid] = slot
        elif isinstance(owner, set):
            owner.add(slot)
        elif owner != slot:
            self._by_instance[uuid] = {owner, slot}

    def _unindex_instance(self, uuid, slot):
        owner = self._by_instance.get(uuid)
        if owner == slot:
            del self._by_instance[uuid]
        elif isinstance(owner, set):
            owner.discard(slot)
            if len(owner) == 1:
                self._by_instance[uuid] = owner.pop()

    def _group_id(self, hs):
        key = hs.static_key()
        gid = self._group_ids.get(key)
        if gid is None:
            gid = len(self.groups)
            self._group_ids[key] = gid
            self.groups.append(HostGroup(hs))
        return gid

    # -- reading -----------------------------------------------------------

    def all_hosts(self):
        """A mask of every cached host, for a request to narrow."""
        return self.present.copy()

    def states_at(self, slots):
        states = self.states
        return [states[slot] for slot in slots.tolist()]

    def states_in(self, mask):
        """The HostStates a mask selects, in the HostManager's order."""
        return self.states_at(np.flatnonzero(mask))

    def mask_of(self, host_states):
        mask = np.zeros(len(self.states), dtype=bool)
        mask[[hs.slot for hs in host_states]] = True
        return mask

    def slots_of_hosts(self, names):
        """Slots of the nodes of these host names."""
        found = set()
        for name in names:
            found.update(self._by_host.get(name, ()))
        return found

    def slots_holding(self, instance_uuids):
        """Slots of the nodes holding any of these instances."""
        found = set()
        index = self._by_instance
        for uuid in instance_uuids:
            owner = index.get(uuid)
            if owner is None:
                continue
            if isinstance(owner, set):
                found.update(owner)
            else:
                found.add(owner)
        return found

    def per_host(self, mask, rule):
        """rule(host_state) for each host in mask; False elsewhere."""
        result = np.zeros(len(self.states), dtype=bool)
        states = self.states
        for slot in np.flatnonzero(mask).tolist():
            result[slot] = rule(states[slot])
        return result

    def only_these(self, mask, slots, rule):
        """rule(host_state) for the hosts at `slots` (those in mask); every
        other host is taken to fail. For a rule only a few hosts can pass,
        found through an index (host names, instances)."""
        return self._at_slots(mask, slots, rule, others=False)

    def all_but_these(self, mask, slots, rule):
        """As only_these(), but every other host is taken to pass: for a
        rule only a few hosts can fail."""
        return self._at_slots(mask, slots, rule, others=True)

    def _at_slots(self, mask, slots, rule, others):
        result = np.full(len(self.states), others, dtype=bool)
        states = self.states
        for slot in slots:
            if mask[slot]:
                result[slot] = rule(states[slot])
        return result

    # -- static groups -----------------------------------------------------

    def group_answer(self, key, rule):
        """rule(group) for each host's static group: a bool array over the
        slots, or None when every group passes.

        `key` must name the rule and every request attribute and option it
        reads: answers are remembered under it, and only groups formed
        since are asked again.
        """
        per_group, uniform = self._per_group(key, rule, bool)
        if uniform:
            return None if per_group[0] else np.zeros(
                len(self.states), dtype=bool)
        return per_group[self.group]

    def group_values(self, key, value, slots=None):
        """value(group) for each host's static group, for the hosts at
        `slots` (all slots if None): one number when every group has the
        same, else a float array. `key` as for group_answer()."""
        per_group, uniform = self._per_group(key, value, float)
        if uniform:
            return float(per_group[0])
        return per_group[self.group if slots is None else self.group[slots]]

    def _per_group(self, key, rule, dtype):
        known = self._answers.get(key)
        count = len(self.groups)
        if known is not None and len(known[0]) == count:
            return known
        if len(self._answers) >= MAX_ANSWERS:
            self._answers.clear()
            known = None
        done = [] if known is None else known[0].tolist()
        done.extend(rule(group) for group in self.groups[len(done):])
        if not done:
            # No hosts, so nobody reads the answer; nothing to remember.
            return np.zeros(1, dtype=dtype), True
        per_group = np.array(done, dtype=dtype)
        known = (per_group, bool(np.all(per_group == per_group[0])))
        self._answers[key] = known
        return known
