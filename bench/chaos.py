"""Chaos: the fault tests' faults at scale, repeated through long bursts.

Starts one deployment: nova-api, 2 nova-conductor (2 workers each), 2
nova-scheduler and 3 nova-compute processes (libvirt test driver, room
for 25% more than a burst) on RabbitMQ and PostgreSQL or MySQL. Then, for
each fault kind in turn, boots N servers from C keep-alive clients while
the fault strikes every few seconds, lets the deployment settle, checks
the invariants of tests/functional/faults/invariants.py, deletes every
server and checks that all was freed. Prints one row per fault kind.

    python bench/chaos.py [--servers 1000] [--concurrency 16]
                          [--backend postgresql] [--interval 5]
                          [--faults conductor,worker,...]

There is one nova-api: the harness has no load balancer, so an API kill
interrupts every client until its restart (they retry refused
connections; a create whose answer was lost counts as "unknown").
Kills are kill -9 of the whole daemon, restarted 2 s later (systemd's
RestartSec=2); the victims take turns (conductor, conductor1, ...).
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tests.functional.faults import harness  # noqa: E402
from tests.functional.faults import inject  # noqa: E402

FAULTS = ['none', 'conductor', 'worker', 'scheduler', 'compute', 'api',
          'broker', 'database']

COLUMNS = [('fault', 20), ('hits', 4), ('accepted', 8), ('ACTIVE', 6),
           ('ERROR', 5), ('stuck', 5), ('lost', 5), ('w/host', 6),
           ('unknown', 7), ('503', 4), ('overcommit', 10),
           ('usage!=', 7), ('orphan/dup', 10), ('5xx', 4),
           ('settle s', 8), ('freed', 5), ('CPU ms/boot', 11)]


def make_fault(env, kind):
    dep = env.dep
    if kind == 'none':
        return None
    if kind == 'conductor':
        return env.kill(env.conductors(), 'conductor')
    if kind == 'worker':
        return inject.KillConductorWorker(dep, env.conductors())
    if kind == 'scheduler':
        return env.kill(env.schedulers(), 'scheduler')
    if kind == 'compute':
        return env.kill(dep.compute_hosts, 'compute')
    if kind == 'api':
        return env.kill(['api'], 'api')
    if kind == 'broker':
        return inject.CloseBrokerConnections(dep)
    if kind == 'database':
        return inject.TerminateDatabaseConnections(dep)
    raise ValueError(kind)


def row(kind, report):
    answers = report.answers
    unknown = answers['unknown'] + answers['timeout']
    values = [
        kind, len(report.faults), report.accepted, report.active,
        report.error, len(report.stuck), len(report.lost),
        report.lost_with_host,
        '%d/%d' % (report.unknown_created, unknown), answers['503'],
        len(report.over_commit), len(report.usage_mismatch),
        '%d/%d' % (len(report.orphan) + len(report.missing),
                   len(report.duplicate_domains)),
        len(report.api_5xx),
        'never' if report.settle_s is None else '%.1f' % report.settle_s,
        'no' if report.not_freed else 'yes',
        '%.1f' % (report.machine_cpu_s * 1000 / max(1, report.burst.count)),
    ]
    return '  '.join(str(v).rjust(w) if i else str(v).ljust(w)
                     for i, (v, (_n, w)) in enumerate(zip(values, COLUMNS)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--servers', type=int, default=1000,
                        help='boots per fault kind')
    parser.add_argument('--concurrency', type=int, default=16)
    parser.add_argument('--backend', default='postgresql',
                        choices=['postgresql', 'mysql'])
    parser.add_argument('--computes', type=int, default=3)
    parser.add_argument('--interval', type=float, default=4.0,
                        help='seconds from the start of one fault to the '
                             'start of the next (at least the end of the '
                             'last: a kill takes its 2 s restart)')
    parser.add_argument('--deadline', type=float, default=120.0,
                        help='seconds after a burst for every build to '
                             'end ACTIVE or ERROR')
    parser.add_argument('--faults', default=','.join(FAULTS),
                        help='comma-separated, from: %s' % ', '.join(FAULTS))
    args = parser.parse_args()
    kinds = args.faults.split(',')
    for kind in kinds:
        if kind not in FAULTS:
            parser.error('unknown fault %r' % kind)

    t0 = time.monotonic()
    env = harness.FaultEnv.start(args.backend, args.servers,
                                 computes=args.computes)
    env.checker.deadline = args.deadline
    print('deployment up in %.1f s: %s, 1 api, %s, %s, %d computes of %d '
          'vCPUs each' % (time.monotonic() - t0, args.backend,
                          ', '.join(env.conductors()),
                          ', '.join(env.schedulers()),
                          args.computes, env.dep.host_vcpus), flush=True)
    rows, details = [], []
    try:
        for kind in kinds:
            fault = make_fault(env, kind)
            report = env.run(fault, boots=args.servers,
                             clients=args.concurrency,
                             repeat_every=args.interval if fault else None)
            rows.append(row(kind, report))
            details.append(report.text())
            print(report.text(), flush=True)
    finally:
        env.stop()
    print()
    print('%d boots per fault kind, %d clients, a fault every %.0f s; '
          'backend %s' % (args.servers, args.concurrency, args.interval,
                          args.backend))
    print('  '.join(n.rjust(w) if i else n.ljust(w)
                    for i, (n, w) in enumerate(COLUMNS)))
    for line in rows:
        print(line)
    print('\nhits: faults injected; unknown: created/creates without an '
          'answer; w/host: guests that died with their killed test-driver '
          'host (documented); usage!=: hypervisor usage not equal to the '
          'servers placed; orphan/dup: orphan or missing domains / domains '
          'on two hosts; freed: no usage, fixed IP or domain left after '
          'deleting everything; CPU: the whole machine, first boot to '
          'settled, per boot.')


if __name__ == '__main__':
    main()
