"""FilterScheduler: filter hosts, weigh survivors, pick one plus alternates."""

import collections
import logging
import random

import numpy as np

from common.conf import CONF
from common import exception
from nova_scheduler import loader
from nova_scheduler import weighers

LOG = logging.getLogger(__name__)

# The outcome of one pass of the filters: surviving hosts, one
# (step name, hosts in, hosts out) per step that ran, and, when no host
# survived, a sentence saying why.
FilterResult = collections.namedtuple('FilterResult',
                                      ['hosts', 'counts', 'reason'])
# The same from the fast path: `mask` selects the surviving slots of the
# HostArrays.
MaskResult = collections.namedtuple('MaskResult', ['mask', 'counts', 'reason'])

# The names ignore_hosts and force_hosts/force_nodes show under in counts
# and reasons.
IGNORE_HOSTS_STEP = 'ignore_hosts'
FORCE_HOSTS_STEP = 'force_hosts'
# A host a request asks for (unshelve to a host, 2.91): it still passes
# the filters, as Nova's requested destination does.
REQUESTED_HOST_STEP = 'requested_host'


# The reason when ignore_hosts leaves no host.
ALL_IGNORED = 'every host is in ignore_hosts (already tried or excluded)'


def _not_requested(host):
    return 'the requested host %s is not a known, up compute host' % host


class _Steps:
    """The counts and the reason of one pass of the filters: one record
    for both paths, so that they count and explain alike."""

    def __init__(self, hosts_in):
        self.counts = []
        self.reason = (None if hosts_in else
                       'no compute nodes are known to the scheduler')

    def record(self, name, hosts_in, hosts_out, why):
        """A step that kept `hosts_out` of `hosts_in` hosts; `why()`, asked
        only when it kept none, says why."""
        self.counts.append((name, hosts_in, hosts_out))
        if not hosts_out:
            self.reason = why()


class FilterScheduler:
    """Places instances on hosts from the HostManager's cache.

    Filters come from [filter_scheduler] available_filters, are applied in
    enabled_filters order, and drop a host at its first failure; weighers
    come from weight_classes.

    Two paths give the same answers (test_fast_path proves it): the fast
    one over the HostManager's HostArrays (numpy columns; each filter's
    filter_mask, each weigher's weigh_slots), and the per-host one over a
    list of HostStates (host_passes / filter_all, weigh_objects), the
    reference, used for forced hosts and a HostManager without arrays, or
    everywhere with use_arrays=False.
    """

    def __init__(self, host_manager, filter_classes=None,
                 weigher_classes=None, use_arrays=True):
        self.host_manager = host_manager
        self.use_arrays = use_arrays
        opts = CONF.filter_scheduler
        if filter_classes is None:
            filter_classes = loader.load_classes(opts.available_filters)
        if weigher_classes is None:
            weigher_classes = loader.load_classes(opts.weight_classes)
        self.filters = self._enabled_filters(filter_classes,
                                             opts.enabled_filters)
        self.weighers = [cls() for cls in weigher_classes]

    @staticmethod
    def _enabled_filters(available, enabled):
        by_name = {cls.__name__: cls for cls in available}
        missing = [name for name in enabled if name not in by_name]
        if missing:
            # Fail at start-up: silently skipping a filter would place
            # instances on hosts the operator meant to exclude.
            raise ValueError(
                '[filter_scheduler] enabled_filters names %s, which '
                'available_filters does not provide (it has: %s)'
                % (', '.join(missing), ', '.join(sorted(by_name))))
        return [by_name[name]() for name in enabled]

    # -- filtering -------------------------------------------------------

    def run_filters(self, host_states, spec):
        """Apply ignore_hosts, then force_hosts / force_nodes or else the
        enabled filters, to host_states."""
        hosts = list(host_states)
        steps = _Steps(len(hosts))
        ignore = spec.get('ignore_hosts')
        if hosts and ignore:
            ignore = set(ignore)
            kept = [hs for hs in hosts if hs.host not in ignore]
            steps.record(IGNORE_HOSTS_STEP, len(hosts), len(kept),
                         lambda: ALL_IGNORED)
            hosts = kept
        requested = spec.get('requested_host')
        if hosts and requested:
            kept = [hs for hs in hosts if hs.host == requested]
            steps.record(REQUESTED_HOST_STEP, len(hosts), len(kept),
                         lambda: _not_requested(requested))
            hosts = kept
        force_hosts = set(spec.get('force_hosts') or ())
        force_nodes = set(spec.get('force_nodes') or ())
        if hosts and (force_hosts or force_nodes):
            # An admin naming a host ('az:host:node') overrides the
            # filters, as in Nova; the conductor's claim still checks room.
            kept = [hs for hs in hosts
                    if (not force_hosts or hs.host in force_hosts)
                    and (not force_nodes or hs.nodename in force_nodes)]
            steps.record(FORCE_HOSTS_STEP, len(hosts), len(kept),
                         lambda: 'no known host matches the forced %s'
                         % ', '.join(sorted(force_hosts | force_nodes)))
            return FilterResult(kept, steps.counts, steps.reason)
        for host_filter in self.filters:
            if not hosts:
                break
            kept = host_filter.filter_all(hosts, spec)
            steps.record(host_filter.name(), len(hosts), len(kept),
                         lambda: host_filter.explain_rejection(hosts, spec))
            hosts = kept
        return FilterResult(hosts, steps.counts, steps.reason)

    def run_filters_fast(self, hosts, spec):
        """run_filters() over the HostArrays `hosts`, for a request without
        forced hosts: a MaskResult with the same counts and reason."""
        mask = hosts.all_hosts()
        count = int(np.count_nonzero(mask))
        steps = _Steps(count)
        ignore = spec.get('ignore_hosts')
        if count and ignore:
            ignore = set(ignore)
            mask &= hosts.all_but_these(mask, hosts.slots_of_hosts(ignore),
                                        lambda hs: hs.host not in ignore)
            kept = int(np.count_nonzero(mask))
            steps.record(IGNORE_HOSTS_STEP, count, kept, lambda: ALL_IGNORED)
            count = kept
        requested = spec.get('requested_host')
        if count and requested:
            mask &= hosts.only_these(mask, hosts.slots_of_hosts([requested]),
                                     lambda hs: True)
            kept = int(np.count_nonzero(mask))
            steps.record(REQUESTED_HOST_STEP, count, kept,
                         lambda: _not_requested(requested))
            count = kept
        for host_filter in self.filters:
            if not count:
                break
            passed = host_filter.filter_mask(hosts, mask, spec)
            if passed is None:
                # Every host passed: a step that cannot need a reason.
                steps.counts.append((host_filter.name(), count, count))
                continue
            kept_mask = mask & passed
            kept = int(np.count_nonzero(kept_mask))
            steps.record(host_filter.name(), count, kept,
                         lambda: host_filter.explain_rejection(
                             hosts.states_in(mask), spec))
            mask, count = kept_mask, kept
        return MaskResult(mask, steps.counts, steps.reason)

    def _arrays_for(self, spec):
        """The HostArrays to schedule this request on, or None for the
        per-host path."""
        if not self.use_arrays or spec.get('force_hosts') or spec.get(
                'force_nodes'):
            return None
        return getattr(self.host_manager, 'arrays', None)

    def filter_counts(self, spec):
        """(step name, hosts in, hosts out) for each step over the cached
        hosts, for a dry run; nothing is consumed."""
        hosts = self._arrays_for(spec)
        if hosts is not None:
            return self.run_filters_fast(hosts, spec).counts
        return self.run_filters(self.host_manager.get_all_host_states(),
                                spec).counts

    def filter_and_weigh(self, spec, hosts=None):
        """(filter result, weighed hosts best first) for one pick: over the
        HostArrays `hosts` if given, else over every cached HostState. When
        no host passes, the weighed hosts are empty."""
        if hosts is None:
            result = self.run_filters(
                self.host_manager.get_all_host_states(), spec)
            if not result.hosts:
                return result, []
            return result, weighers.weigh_hosts(self.weighers, result.hosts,
                                                spec)
        result = self.run_filters_fast(hosts, spec)
        slots = np.flatnonzero(result.mask)
        if not len(slots):
            return result, []
        totals = weighers.weigh_slots(self.weighers, hosts, slots, spec)
        return result, weighers.Ranking(hosts, slots, totals)

    @staticmethod
    def explanation(result, index=0, count=1):
        """The NoValidHost reason for a FilterResult that kept no host."""
        which = ''
        if count > 1:
            which = ' for instance %d of %d' % (index + 1, count)
        # Steps that dropped no host only lengthen the sentence.
        steps = ', '.join('%s %d -> %d' % step for step in result.counts
                          if step[1] != step[2])
        why = result.reason or 'no host passed'
        if steps:
            return 'There are not enough hosts available%s. %s: %s.' % (
                which, steps, why)
        return 'There are not enough hosts available%s: %s.' % (which, why)

    @staticmethod
    def emptied_by(result):
        """The name of the filter that left no host (for the metrics):
        'no_hosts' when there were none to filter."""
        for name, hosts_in, hosts_out in result.counts:
            if hosts_in and not hosts_out:
                return name
        return 'no_hosts'

    # -- weighing and picking --------------------------------------------

    def _pick(self, weighed):
        # Picking at random among the best few keeps concurrent
        # schedulers from all racing for the same host.
        subset = weighed[:max(1, CONF.filter_scheduler.host_subset_size)]
        return random.choice(subset)[1]

    @staticmethod
    def _alternates(weighed, chosen, limit):
        """Up to `limit` more hosts, best first, none sharing a host name
        with the chosen one or each other."""
        seen = {chosen.host}
        alternates = []
        for _weight, hs in weighed:
            if len(alternates) >= limit:
                break
            if hs.host in seen:
                continue
            seen.add(hs.host)
            alternates.append(hs)
        return alternates

    def select_destinations(self, ctxt, spec, instance_uuids):
        """One list per instance: [chosen, alternate, ...] selections.

        Each choice is consumed on the cached host state before the next
        instance is placed, and recorded in the request's server group, so
        affinity rules see the earlier members of the same request; if any
        instance cannot be placed, the earlier choices are released again
        and NoValidHost says why.
        """
        count = (len(instance_uuids) if instance_uuids
                 else spec.get('num_instances') or 1)
        uuids = list(instance_uuids or ()) + [None] * count
        spec = _request_copy(spec)
        max_alternates = CONF.scheduler.max_attempts - 1
        hosts = self._arrays_for(spec)
        placed = []
        selections = []
        for index in range(count):
            result, weighed = self.filter_and_weigh(spec, hosts)
            if not weighed:
                for hs, uuid in placed:
                    hs.release(spec, uuid)
                reason = self.explanation(result, index, count)
                LOG.info('No valid host: %s', reason)
                error = exception.NoValidHost(reason=reason)
                error.emptied_by = self.emptied_by(result)
                raise error
            chosen = self._pick(weighed)
            alternates = self._alternates(weighed, chosen, max_alternates)
            selections.append([chosen.selection()]
                              + [hs.selection() for hs in alternates])
            chosen.consume(spec, uuids[index])
            placed.append((chosen, uuids[index]))
            _add_group_member(spec, chosen.host, uuids[index])
        return selections


def _request_copy(spec):
    """The spec with its own copy of the server group, which placing this
    request's members changes; the caller's spec stays as it was."""
    group = spec.get('instance_group')
    if not group:
        return spec
    spec = dict(spec)
    spec['instance_group'] = dict(
        group, hosts=list(group.get('hosts') or ()),
        members=list(group.get('members') or ()))
    return spec


def _add_group_member(spec, host, instance_uuid):
    group = spec.get('instance_group')
    if not group:
        return
    group['hosts'].append(host)
    if instance_uuid is not None:
        group['members'].append(instance_uuid)
