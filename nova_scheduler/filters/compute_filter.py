"""ComputeFilter: hosts whose compute service is enabled and up."""

import time

from common.conf import CONF
from nova_scheduler import filters


def _is_up(host_state, now_mono, down_time):
    if host_state.service_down is not None:
        return not host_state.service_down
    age = host_state.heartbeat_age(now_mono)
    return age is not None and age <= down_time


class ComputeFilter(filters.BaseHostFilter):
    """Passes a host whose nova-compute service is enabled, not forced down,
    and sent a heartbeat within [DEFAULT] service_down_time seconds.

    The conductor's refresh names the nodes down now (its 'down' answer,
    from the service-group driver); without one, the heartbeat's age
    decides. The array path reads the same through liveness_mono()."""

    def host_passes(self, host_state, spec):
        if host_state.service_disabled or host_state.service_forced_down:
            return False
        return _is_up(host_state, time.monotonic(), CONF.service_down_time)

    def filter_mask(self, hosts, mask, spec):
        # A host that never sent a heartbeat has NaN there: never <=.
        age = time.monotonic() - hosts.heartbeat_mono
        return hosts.enabled & (age <= CONF.service_down_time)

    def explain(self, host_state, spec):
        if host_state.service_disabled:
            reason = host_state.service_disabled_reason
            return 'the compute service is disabled%s' % (
                ' (%s)' % reason if reason else '')
        if host_state.service_forced_down:
            return 'the compute service is forced down'
        if host_state.service_down:
            return ('the compute service sent no heartbeat in the last '
                    '%d s' % CONF.service_down_time)
        age = host_state.heartbeat_age()
        if age is None:
            return 'the compute service never sent a heartbeat'
        return ('the compute service last sent a heartbeat %d s ago '
                '(service_down_time is %d s)'
                % (age, CONF.service_down_time))

    def explain_rejection(self, host_states, spec):
        if len(host_states) == 1:
            return self.explain(host_states[0], spec)
        disabled = sum(1 for hs in host_states if hs.service_disabled)
        forced = sum(1 for hs in host_states
                     if hs.service_forced_down and not hs.service_disabled)
        down = len(host_states) - disabled - forced
        parts = []
        if disabled:
            parts.append('%d disabled' % disabled)
        if forced:
            parts.append('%d forced down' % forced)
        if down:
            parts.append('%d without a heartbeat in the last %d s'
                         % (down, CONF.service_down_time))
        return 'compute services: ' + ', '.join(parts)
