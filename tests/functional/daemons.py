"""Plumbing for the fixtures that run other projects' daemons (Ceph,
Cinder) as child processes: waiting for them to be ready while checking
that they live, the tails of their logs for error messages, and the
cleanups run when they stop."""

import os
import sys
import time


def log_tails(log_dir, tail=3000):
    """The end of every file in `log_dir`, each under its name."""
    out = []
    for name in sorted(os.listdir(log_dir)) if os.path.isdir(
            log_dir) else ():
        with open(os.path.join(log_dir, name), errors='replace') as f:
            out.append('--- %s ---\n%s' % (name, f.read()[-tail:]))
    return '\n'.join(out)


def wait_until(lacking, procs, timeout, error, logs, interval=0.2):
    """Poll `lacking()` (what is still missing, None once ready) until it
    returns None. Raises `error` with `logs()` when one of `procs` (name
    -> Popen) exits first, or after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        missing = lacking()
        for name, proc in procs.items():
            if proc.poll() is not None:
                raise error('%s exited %s while waiting for %s\n%s' % (
                    name, proc.returncode, missing, logs()))
        if missing is None:
            return
        if time.monotonic() > deadline:
            raise error('not ready within %ss: waiting for %s\n%s' % (
                timeout, missing, logs()))
        time.sleep(interval)


def run_cleanups(cleanups):
    """Run `cleanups` last first; one that fails does not stop the rest."""
    for cleanup in reversed(cleanups):
        try:
            cleanup()
        except Exception as e:
            print('cleanup failed: %s' % e, file=sys.stderr)
    del cleanups[:]
