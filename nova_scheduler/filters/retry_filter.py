"""RetryFilter: skips hosts this request already tried."""

from nova_scheduler import filters


def tried_hosts(spec):
    """Host names and (host, node) pairs the request must not go back to:
    spec['retry']['hosts'] (each a host name or a [host, node] pair) and
    spec['ignore_hosts']."""
    names = set(spec.get('ignore_hosts') or ())
    pairs = set()
    for entry in (spec.get('retry') or {}).get('hosts') or ():
        if isinstance(entry, str):
            names.add(entry)
        else:
            pairs.add(tuple(entry[:2]))
    return names, pairs


class RetryFilter(filters.BaseHostFilter):
    """Rejects a host the request already tried or was told to ignore."""

    def host_passes(self, host_state, spec):
        names, pairs = tried_hosts(spec)
        return not _tried(host_state, names, pairs)

    def filter_mask(self, hosts, mask, spec):
        names, pairs = tried_hosts(spec)
        if not names and not pairs:
            return None
        named = hosts.slots_of_hosts(
            names | {pair[0] for pair in pairs if pair})
        return hosts.all_but_these(
            mask, named, lambda hs: not _tried(hs, names, pairs))

    def explain_rejection(self, host_states, spec):
        return 'every host was already tried for this request (%s)' % (
            ', '.join(sorted({hs.host for hs in host_states})))


def _tried(host_state, names, pairs):
    return (host_state.host in names
            or (host_state.host, host_state.nodename) in pairs)
