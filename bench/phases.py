"""Timing one operation at a time, by phase, for the benchmarks that
compare operations (volumes.py, resize.py): wall time and the whole
machine's CPU seconds of each, and a p50/p95 table."""

import time

from bench.boot import percentile
from bench.metadata import machine_busy


def timed(phase, results, func):
    """Run func(), adding (seconds, machine CPU seconds) to
    results[phase]; what func returned."""
    busy = machine_busy()
    began = time.monotonic()
    out = func()
    results.setdefault(phase, []).append((time.monotonic() - began,
                                          machine_busy() - busy))
    return out


def print_table(results, title='phase', width=34):
    print('%-*s %8s %8s %12s' % (width, title, 'p50 s', 'p95 s',
                                 'CPU s/op'))
    for phase, samples in results.items():
        times = sorted(t for t, _ in samples)
        cpu = sum(c for _, c in samples) / len(samples)
        print('%-*s %8.3f %8.3f %12.2f' % (
            width, phase, percentile(times, 50), percentile(times, 95), cpu))
