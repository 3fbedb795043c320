"""The scheduler's full refresh at fleet sizes, phase by phase.

A full refresh (the scheduler's first, one after an admin change, and the
10-minute safety net) reads every compute node with its service, its
aggregates and its instances, sends them over RPC, and rebuilds the
scheduler's host states and arrays. This times each part in one process
on a real database:

    python bench/full_refresh.py [--sizes 1000,10000] [--instances 2]
                                 [--db-url postgresql://...] [--repeat 3]

conductor: compute_nodes_get_all() on the conductor side; encode/decode:
the JSON an RPC reply carries, and its size; scheduler: HostManager's
rebuild from the decoded reply. Best of --repeat runs each. Each size is
measured twice, in the same process: gc "python" with Python's default
collector settings, gc "daemon" as the daemons set them (common.daemon.
tune_gc). Default database: a SQLite file in a temporary directory.
"""

import argparse
import gc
import json
import os
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import sqlalchemy as sa  # noqa: E402

from common import daemon  # noqa: E402
from nova_conductor.db import compute as compute_db  # noqa: E402
from nova_conductor.db import migration  # noqa: E402
from nova_conductor.db import models  # noqa: E402
from nova_conductor.db import session  # noqa: E402
from nova_scheduler import host_manager  # noqa: E402

CPU_INFO = json.dumps({'arch': 'x86_64', 'model': 'Skylake', 'vendor':
                       'Intel', 'topology': {'sockets': 2, 'cores': 12,
                                             'threads': 2}})


def populate(hosts, instances_per_host):
    """`hosts` services and nodes, each with some live instances."""
    now = models.utcnow()
    svc_t = models.Service.__table__
    cn_t = models.ComputeNode.__table__
    inst_t = models.Instance.__table__
    with session.writer() as s:
        s.execute(sa.insert(svc_t), [
            {'uuid': str(uuid.uuid4()), 'host': 'h%05d' % i,
             'binary': 'nova-compute', 'topic': 'compute',
             'report_count': 1, 'disabled': False, 'forced_down': False,
             'last_seen_up': now, 'created_at': now, 'updated_at': now}
            for i in range(hosts)])
        ids = dict(s.execute(sa.select(svc_t.c.host, svc_t.c.id)).all())
        s.execute(sa.insert(cn_t), [
            {'uuid': str(uuid.uuid4()), 'service_id': ids['h%05d' % i],
             'host': 'h%05d' % i, 'hypervisor_hostname': 'h%05d' % i,
             'hypervisor_type': 'QEMU', 'hypervisor_version': 8002000,
             'cpu_info': CPU_INFO, 'host_ip': '10.%d.%d.%d' % (
                 i >> 16, (i >> 8) & 255, i & 255),
             'vcpus': 48, 'vcpus_reserved': 0, 'vcpus_used': 2,
             'memory_mb': 262144, 'memory_mb_reserved': 512,
             'memory_mb_used': 4096, 'local_gb': 2000,
             'local_gb_reserved': 0, 'local_gb_used': 40, 'running_vms': 2,
             'failed_builds': 0, 'cpu_allocation_ratio': 4.0,
             'ram_allocation_ratio': 1.0, 'disk_allocation_ratio': 1.0,
             'created_at': now, 'updated_at': now}
            for i in range(hosts)])
        nodes = s.execute(sa.select(cn_t.c.id, cn_t.c.host)).all()
        if instances_per_host:
            s.execute(sa.insert(inst_t), [
                {'uuid': str(uuid.uuid4()), 'project_id': 'p%d' % (n % 50),
                 'user_id': 'u1', 'display_name': 'vm', 'host': host,
                 'node': host, 'compute_node_id': node_id,
                 'vm_state': 'active', 'power_state': 1, 'vcpus': 1,
                 'memory_mb': 2048, 'root_gb': 20, 'flavor': '{}',
                 'deleted': False,
                 'created_at': now, 'updated_at': now}
                for node_id, host in nodes
                for n in range(instances_per_host)])


DEFAULT_GC_THRESHOLDS = gc.get_threshold()


def best(repeat, func):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = func()
        times.append(time.perf_counter() - start)
    return min(times) * 1000, out


class Conductor:
    def __init__(self, reply):
        self.reply = reply

    def compute_nodes_get_all(self, ctxt, changed_since=None):
        return self.reply


def measure(size, instances, db_url, repeat):
    tmp = None
    if not db_url:
        tmp = tempfile.TemporaryDirectory()
        db_url = 'sqlite:///%s/nova.sqlite' % tmp.name
    session.configure(db_url)
    try:
        migration.db_sync()
        populate(size, instances)
        return [(mode,) + phases(size, repeat, tune)
                for mode, tune in (('python', False), ('daemon', True))]
    finally:
        session.dispose()
        if tmp:
            tmp.cleanup()


def phases(size, repeat, tune_gc):
    gc.unfreeze()
    gc.set_threshold(*DEFAULT_GC_THRESHOLDS)
    if tune_gc:
        daemon.tune_gc()
    gc.collect()
    conductor_ms, result = best(repeat, compute_db.compute_nodes_get_all)
    encode_ms, text = best(repeat, lambda: json.dumps(result))
    decode_ms, reply = best(repeat, lambda: json.loads(text))

    def rebuild():
        manager = host_manager.HostManager(Conductor(reply))
        manager.refresh({}, full=True)
        return manager
    scheduler_ms, manager = best(repeat, rebuild)
    assert len(manager.host_states) == size, len(manager.host_states)
    return (conductor_ms, encode_ms, decode_ms, scheduler_ms,
            len(text) / 1e6)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--sizes', default='1000,10000')
    parser.add_argument('--instances', type=int, default=2,
                        help='live instances per host')
    parser.add_argument('--db-url', default=None)
    parser.add_argument('--repeat', type=int, default=3)
    args = parser.parse_args()
    print('hosts     gc conductor_ms encode_ms decode_ms scheduler_ms '
          'total_ms reply_MB')
    for size in [int(s) for s in args.sizes.split(',')]:
        for mode, c, e, d, sch, mb in measure(size, args.instances,
                                              args.db_url, args.repeat):
            print('%6d %6s %12.1f %9.1f %9.1f %12.1f %8.1f %8.2f'
                  % (size, mode, c, e, d, sch, c + e + d + sch, mb))


if __name__ == '__main__':
    main()
