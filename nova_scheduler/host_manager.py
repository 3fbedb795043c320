"""HostManager: the cache of compute nodes, refreshed from the conductor."""

import logging
import time

from common import metrics
from nova_scheduler import host_arrays
from nova_scheduler import host_state

LOG = logging.getLogger(__name__)


class HostManager:
    """Keeps one HostState per compute node, keyed by node id.

    The scheduler never reads SQL: nodes come from the conductor's
    compute_nodes_get_all. Each refresh asks only for nodes changed since
    the conductor's previous 'now', and gets the ids of nodes down now
    (a heartbeat is no change): O(nodes changed + nodes down), cheap
    enough to run before every request. Every writer of a node or service
    row moves its updated_at, and a row committed late is caught by the
    conductor's one-second overlap; admin changes (services, aggregates,
    a deleted service's nodes) invalidate the cache, and the next refresh
    is a full one. So the periodic full reload is only a safety net
    (FULL_REFRESH_INTERVAL), and repacks the arrays.
    """

    FULL_REFRESH_INTERVAL = 600

    def __init__(self, conductor_api, clock=time.monotonic):
        self.conductor_api = conductor_api
        self._clock = clock
        self.host_states = {}
        # The same hosts as columns, for filters and weighers that look at
        # all of them at once; kept in step by _apply().
        self.arrays = host_arrays.HostArrays()
        self._last_now = None
        self._last_full = None
        self._last_refresh = None
        self._down = set()

    def invalidate(self):
        """Make the next refresh a full one, however young the cache: an
        admin changed what filters see (service, aggregate), which may
        not move a node's row (aggregate membership, a deleted node)."""
        self._last_refresh = None
        self._last_now = None

    def refresh(self, ctxt, full=False, max_age=0):
        """Bring the cache up to date, unless it was refreshed less than
        `max_age` seconds ago; True when it asked the conductor.

        On a conductor error keep the cache we have (heartbeat ages keep
        growing, so dead hosts still drop out) unless there is none yet."""
        now_mono = self._clock()
        if (not full and self._last_refresh is not None
                and now_mono - self._last_refresh < max_age):
            return False
        full = (full or self._last_now is None
                or now_mono - self._last_full >= self.FULL_REFRESH_INTERVAL)
        try:
            result = self.conductor_api.compute_nodes_get_all(
                ctxt, changed_since=None if full else self._last_now)
        except Exception:
            if self._last_now is None:
                raise
            LOG.warning('Could not refresh compute nodes from the '
                        'conductor; scheduling on the cached view',
                        exc_info=True)
            return False
        self._apply(result, full, self._clock())
        self._last_refresh = now_mono
        return True

    def _apply(self, result, full, now_mono):
        conductor_now = result.get('now')
        # Parsed once here, not once per node.
        now = host_state.parse_isotime(conductor_now)
        states = {} if full else self.host_states
        old = self.host_states
        arrays = self.arrays
        down = result.get('down')
        down = None if down is None else set(down)
        if down is not None and not full:
            # Only the nodes whose liveness flipped: O(changed).
            for node_id in down ^ self._down:
                state = states.get(node_id)
                if state is not None:
                    state.service_down = node_id in down
                    arrays.store(state)
        for node in result.get('nodes') or ():
            node_id = node['id']
            if node.get('deleted'):
                gone = states.pop(node_id, None)
                if gone is not None and not full:
                    arrays.remove(gone)
                continue
            state = old.get(node_id)
            if state is None:
                state = host_state.HostState(node, now=now,
                                             now_mono=now_mono)
            else:
                state.update(node, now=now, now_mono=now_mono)
            state.service_down = None if down is None else node_id in down
            if not full:
                # A node new to the dict goes last there, and so in the
                # arrays: both paths then break ties in the same order.
                if node_id in states:
                    arrays.store(state)
                else:
                    arrays.add(state)
            states[node_id] = state
        if full:
            for node_id, state in old.items():
                if node_id not in states:
                    arrays.remove(state)
            arrays.load(states.values())
        self._down = down or set()
        self.host_states = states
        if down is not None and metrics.enabled():
            down_here = sum(1 for node_id in self._down if node_id in states)
            metrics.set_gauge('nova_hosts', len(states) - down_here,
                              state='up')
            metrics.set_gauge('nova_hosts', down_here, state='down')
        self._last_now = conductor_now
        if full:
            self._last_full = now_mono
        LOG.debug('%s refresh: %d compute nodes cached',
                  'Full' if full else 'Incremental', len(states))

    def get_all_host_states(self):
        return list(self.host_states.values())
