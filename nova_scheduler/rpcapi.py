"""Client proxy other services use to ask nova-scheduler for hosts."""

from common import rpc


class SchedulerAPI(rpc.RPCAPIBase):
    """RPC client for the 'scheduler' topic.

    Version history:
        1.0 - select_destinations
        1.1 - dry_run
        1.2 - invalidate_host_cache (fanout)
        1.3 - select_destinations_many: concurrent select_destinations
              travel together (what select_destinations sends now)
    """

    TOPIC = 'scheduler'
    RPC_API_VERSION = '1.3'
    SERVICE_NAME = 'nova-scheduler'
    # Sent again when no answer comes (rpc.RPCAPIBase): a choice claims
    # nothing (the conductor's claim does), so a second request only
    # counts the hosts twice in one scheduler's cache until its refresh.
    RESENDABLE = frozenset(('select_destinations', 'dry_run'))
    # Under a burst a conductor's builds ask at the same moments: their
    # requests share messages. The schedulers must therefore be upgraded
    # before the conductors.
    COALESCED = {'select_destinations': rpc.Coalesced(since='1.3')}

    def select_destinations(self, ctxt, request_spec, instance_uuids):
        """One list of selections per instance: the chosen host first,
        then alternates to try if the build on it fails."""
        return self.call(ctxt, 'select_destinations', '1.0',
                         request_spec=request_spec,
                         instance_uuids=instance_uuids)

    def dry_run(self, ctxt, request_spec):
        """{'filters': [[name, in, out]...], 'candidates': [...],
        'reason': text or None}: the scheduler's answer, nothing claimed."""
        return self.call(ctxt, 'dry_run', '1.1', request_spec=request_spec)

    def invalidate_host_cache(self, ctxt):
        """Tell every scheduler that services or aggregates changed."""
        self.cast(ctxt, 'invalidate_host_cache', '1.2', fanout=True)
