"""The fleet's stuck-task sweep: one query per period for every host.

Each nova-compute used to ask for its own instances in a recoverable
task_state every [DEFAULT] recover_stuck_tasks_interval, an RPC call per
host per period that almost always found nothing (~170 calls/s at 10,000
hosts). Here one query finds the candidates of all hosts, and only the
hosts that have some are told (compute RPC 1.12, check_stuck_tasks);
the compute keeps the rule (nova_compute/recovery.py StuckTasks).

Several conductors may each sweep: a host told twice in one period
recovers nothing more for it, since it recovers an instance only when
its sightings, unchanged, span most of an interval.
"""

import collections
import logging

from common import context as nova_context
from common.conf import CONF
from nova_compute import recovery
from nova_conductor.db import instances as instances_db

LOG = logging.getLogger(__name__)
COMPUTE_VERSION = recovery.SWEEP_VERSION


def by_host(instances):
    """{host: [instances]}, hosts in name order."""
    grouped = collections.defaultdict(list)
    for instance in instances:
        grouped[instance['host']].append(instance)
    return dict(sorted(grouped.items()))


class StuckTaskSweep:

    def __init__(self, compute_api):
        self.compute_api = compute_api

    def sweep(self):
        """Tell each host with candidates about them; the hosts told.
        Nothing while the computes may predate 1.12 ([upgrade_levels]
        compute): they look for themselves then."""
        interval = CONF.recover_stuck_tasks_interval
        if not interval or not self.compute_api.can_send_version(
                COMPUTE_VERSION):
            return []
        ctxt = nova_context.get_admin_context()
        hosts = by_host(instances_db.in_a_task_on_a_host(
            recovery.RECOVERABLE))
        for host, instances in hosts.items():
            try:
                self.compute_api.check_stuck_tasks(ctxt, host, instances,
                                                   interval)
            except Exception:
                # The next period tells it again; the others go on.
                LOG.warning('Could not tell %s of its stuck-task '
                            'candidates', host, exc_info=True)
        return list(hosts)
