"""Entry point for oslo-config-generator (namespace `nova`)."""

import collections

from common import conf as nova_conf


def list_opts():
    grouped = collections.defaultdict(list)
    for module in nova_conf.MODULES:
        for group, opts in module.list_opts().items():
            grouped[group].extend(opts)
    return sorted(grouped.items(), key=lambda item: item[0])
