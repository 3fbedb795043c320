"""Run Tempest's compute API tests against a fresh cloud and judge them.

    .venv/bin/python -m tests.tempest.run [--regex R] [--concurrency N]

Starts the cloud (tests/tempest/cloud.py), writes tempest.conf into a new
Tempest workspace (`tempest init`), runs `tempest run`, and compares the
results with tests/tempest/known_failures.txt (tests/tempest/results.py).
Prints the counts, the skips by reason and what breaks the run; exits 0
only when the run matches the list. Everything worth reading afterwards
goes to test-artifacts/tempest/ (or $NOVA_TEST_ARTIFACTS/tempest):
summary.txt, tempest-run.log (Tempest's console), tempest.log, the
subunit stream, tempest.conf, and the daemons' logs.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from tests.tempest import cloud as cloud_mod
from tests.tempest import results
from tests.tempest import tempest_conf

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
VENV = os.environ.get('NOVA_TEST_TEMPEST_VENV',
                      os.path.join(ROOT, '.venv-tempest'))
KNOWN_FAILURES = os.path.join(HERE, 'known_failures.txt')
REGEX = r'^tempest\.api\.compute'
# Exit status when Tempest is not installed, so a caller can tell it
# from a failed run.
NOT_INSTALLED = 3


def artifacts_dir():
    base = os.environ.get('NOVA_TEST_ARTIFACTS',
                          os.path.join(ROOT, 'test-artifacts'))
    return os.path.join(base, 'tempest')


def installed():
    return os.path.exists(os.path.join(VENV, 'bin', 'tempest'))


def _tempest(*args, **kwargs):
    return subprocess.run([os.path.join(VENV, 'bin', 'tempest')] +
                          list(args), check=True, **kwargs)


def _run_in_group(argv, **kwargs):
    """Run `argv` in a process group of its own, so that an interrupted
    run also ends the workers it forked (stestr's)."""
    proc = subprocess.Popen(argv, start_new_session=True, **kwargs)
    try:
        # Its exit status only says whether anything failed; the results
        # decide.
        return proc.wait()
    except BaseException:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise


def run_tempest(cloud, artifacts, regex, concurrency):
    """Run Tempest in a new workspace; returns the subunit stream's path."""
    workdir = tempfile.mkdtemp(prefix='tempest-ws-')
    try:
        workspace = os.path.join(workdir, 'ws')
        registry = os.path.join(workdir, 'workspace.yaml')
        _tempest('init', '--workspace-path', registry, workspace,
                 capture_output=True)
        conf = tempest_conf.render(tempest_conf.sections(cloud, artifacts))
        with open(os.path.join(workspace, 'etc', 'tempest.conf'), 'w') as f:
            f.write(conf)
        with open(os.path.join(artifacts, 'tempest.conf'), 'w') as f:
            f.write(conf)
        with open(os.path.join(artifacts, 'tempest-run.log'), 'w') as log:
            _run_in_group(
                [os.path.join(VENV, 'bin', 'tempest'), 'run', '--regex',
                 regex, '--concurrency', str(concurrency)],
                cwd=workspace, stdout=log, stderr=subprocess.STDOUT)
        stream = os.path.join(artifacts, 'tempest.subunit')
        with open(stream, 'wb') as out:
            subprocess.run([os.path.join(VENV, 'bin', 'stestr'), 'last',
                            '--subunit'], cwd=workspace, stdout=out,
                           check=True)
        return stream
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def read_results(stream):
    out = subprocess.run(
        [os.path.join(VENV, 'bin', 'python'),
         os.path.join(HERE, 'subunit_to_json.py'), stream],
        check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--regex', default=REGEX,
                        help='tests to run (default %(default)s)')
    parser.add_argument('--concurrency', type=int, default=2)
    parser.add_argument('--known-failures', default=KNOWN_FAILURES)
    parser.add_argument('--keystone-database', default='postgresql',
                        choices=['postgresql', 'sqlite'],
                        help='sqlite: no PostgreSQL needed, but Keystone '
                             'serves one request at a time (slower)')
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    # SIGTERM (a timeout, Ctrl-C in make) still stops the cloud.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    if not installed():
        print('Tempest is not installed in %s (run tools/install.sh)' % VENV,
              file=sys.stderr)
        return NOT_INSTALLED
    with open(args.known_failures) as f:
        known = results.parse_known_failures(f.read())
    artifacts = artifacts_dir()
    shutil.rmtree(artifacts, ignore_errors=True)
    os.makedirs(artifacts)
    started = time.monotonic()
    cloud = cloud_mod.Cloud(artifacts,
                            keystone_database=args.keystone_database)
    cloud.start()
    try:
        stream = run_tempest(cloud, artifacts, args.regex, args.concurrency)
    finally:
        cloud.stop()
    ran = read_results(stream)
    if args.regex != REGEX:
        # Part of the suite: listed tests outside it are not stale.
        ids = {results.test_id(r['id']) for r in ran}
        known = {t: why for t, why in known.items() if t in ids}
    outcome = results.Outcome(ran, known)
    report = '%s\nTime: %.0f s. Logs: %s\n' % (
        outcome.report(), time.monotonic() - started, artifacts)
    with open(os.path.join(artifacts, 'summary.txt'), 'w') as f:
        f.write(report)
    print(report)
    return 0 if outcome.ok else 1


if __name__ == '__main__':
    sys.exit(main())
