"""A deployment sized for fault runs, and one run: burst, fault, settle,
check, delete everything, check again."""

import contextlib
import itertools
import math
import signal
import time

import psutil

from tests.functional import deployment as deployment_mod
from tests.functional.faults import burst as burst_mod
from tests.functional.faults import inject
from tests.functional.faults import invariants
from tests.functional.faults import probe as probe_mod

# m1.tiny, the flavor every burst boots: 1 vCPU, 512 MB, 1 GB.
TINY = {'vcpus': 1, 'ram': 512, 'disk': 1}
# Ratios 1.0 keep the room just above the boots (see `headroom`), so a
# broken claim would over-commit where the checks can see it.
RATIOS = {'cpu': 1.0, 'ram': 1.0, 'disk': 1.0}
# A build whose conductor died waits this long before today's safety net
# (fail_lost_builds) puts it in error; short, so that the checks see
# "lost" rather than "stuck" within their deadline.
SCHEDULING_TIMEOUT = 30


def make_deployment(backend, boots, computes=2, conductors=2, schedulers=2,
                    conductor_workers=2, headroom=1.25, extra_conf=''):
    """Room for `boots` x `headroom` m1.tiny across `computes` hosts."""
    per_host = int(math.ceil(boots * headroom / computes))
    addresses = max(256, 2 ** int(math.ceil(math.log2(boots * 2 + 2))))
    prefix = 32 - int(math.log2(addresses))
    return deployment_mod.Deployment(
        backend,
        compute_hosts=['compute%d' % i for i in range(1, computes + 1)],
        host_vcpus=per_host * TINY['vcpus'],
        host_memory_mb=per_host * TINY['ram'],
        host_local_gb=per_host * TINY['disk'],
        conductors=conductors, schedulers=schedulers,
        fixed_range_v4='10.%d.0.0/%d' % (64, prefix),
        extra_conf='[DEFAULT]\n'
                   'cpu_allocation_ratio = %(cpu)s\n'
                   'ram_allocation_ratio = %(ram)s\n'
                   'disk_allocation_ratio = %(disk)s\n'
                   'default_log_levels = amqp=WARN\n'
                   '[quota]\ninstances = -1\ncores = -1\nram = -1\n'
                   '[conductor]\nworkers = %(workers)d\n'
                   'scheduling_timeout = %(timeout)d\n' % dict(
                       RATIOS, workers=conductor_workers,
                       timeout=SCHEDULING_TIMEOUT) + extra_conf)


class FaultEnv:
    """A started deployment with its readers: `run()` one fault after
    another on it; each run leaves it empty and every daemon running."""

    def __init__(self, dep, deadline=75):
        self.dep = dep
        self.reader = probe_mod.ApiReader(dep.api)
        self.probe = probe_mod.DomainProbe(dep.transport_url)
        self.checker = invariants.Checker(dep, self.reader, self.probe,
                                          RATIOS, deadline=deadline)
        self._runs = itertools.count(1)

    @classmethod
    def start(cls, backend, boots, **kwargs):
        dep = make_deployment(backend, boots, **kwargs)
        dep.start()
        try:
            return cls(dep)
        except BaseException:
            dep.stop()
            raise

    def stop(self):
        try:
            self.probe.close()
        finally:
            self.dep.stop()

    # -- faults ------------------------------------------------------------

    def conductors(self):
        return sorted(n for n in self.dep.procs if n.startswith('conductor'))

    def schedulers(self):
        return sorted(n for n in self.dep.procs if n.startswith('scheduler'))

    def kill(self, names, kind):
        return inject.KillDaemon(self.dep, names, kind, probe=self.probe)

    @contextlib.contextmanager
    def without(self, name):
        """Daemon `name` stopped cleanly for the block (to run with one of
        a kind), started again after it."""
        self.dep.kill(name, signal.SIGTERM)
        try:
            yield
        finally:
            self.dep.restart(name)

    # -- a run -------------------------------------------------------------

    def run(self, fault=None, boots=40, clients=8, at=0.3,
            repeat_every=None):
        """Boot `boots` servers; inject `fault` once when `at` of them
        are answered, or every `repeat_every` seconds through the burst.
        Returns the Report, after deleting every server."""
        leftovers = self.reader.servers()
        if leftovers:  # an earlier run failed before its own clean-up
            self.checker.delete_all()
        kind = fault.kind if fault is not None else 'none'
        prefix = '%s-%d' % (kind.replace(' ', '_'), next(self._runs))
        sampler = probe_mod.HypervisorSampler(self.dep.api, RATIOS)
        sampler.start()
        cpu_before, t0 = _machine_cpu(), time.monotonic()
        burst = burst_mod.Burst(self.dep.api, self.dep.image['id'], boots,
                                clients=clients, prefix=prefix)
        try:
            burst.start()
            if fault is not None and repeat_every:
                repeating = inject.Repeating(fault, repeat_every)
                repeating.start()
                burst.join()
                repeating.stop()
            elif fault is not None:
                burst.wait_answered(at)
                fault.inject()
                burst.join()
            else:
                burst.join()
            report = self.checker.check(
                burst, [fault] if fault else [], sampler,
                lost_hosts=fault.lost_hosts if fault else (),
                expect_unknown=kind == 'api')
            if fault is not None and repeat_every:
                report.fault_errors = repeating.errors
            # The whole machine's CPU from the first boot to settled.
            report.machine_cpu_s = _machine_cpu() - cpu_before
            report.wall_s = time.monotonic() - t0
        finally:
            sampler.stop()
        self.checker.delete_all(report)
        return report


def _machine_cpu():
    times = psutil.cpu_times()
    return times.user + times.system + times.nice + times.irq + \
        times.softirq
