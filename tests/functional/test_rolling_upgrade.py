"""A rolling upgrade from the previous release to this tree.

The previous release (the last line of RELEASES) is taken out of git into
a directory of its own; its nova-compute runs, from there, beside this
tree's api, conductor, scheduler and a compute of this tree, with the
control plane's `[upgrade_levels] compute` pinned to what the old compute
speaks, as the upgrade notes say. Servers boot, stop, start and are
deleted on the old compute; `nova-status upgrade check` names it; then
it is upgraded in place (stopped, started from this tree under the same
host name) and the server it kept runs on, and new ones boot there.
"""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from common import service_version
from tests.functional import deployment as deployment_mod

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))


def previous_release():
    """(version, commit) of the last line of RELEASES."""
    with open(os.path.join(ROOT, 'RELEASES')) as f:
        lines = [line.split() for line in f
                 if line.strip() and not line.startswith('#')]
    return tuple(lines[-1])


def checkout(commit, target):
    """The release's files at `target` (git archive: no work tree of
    ours changes). Fails, never skips, when the clone lacks the commit."""
    found = subprocess.run(['git', '-C', ROOT, 'cat-file', '-e',
                            commit + '^{commit}'], capture_output=True)
    assert found.returncode == 0, (
        'commit %s of the previous release is not in this clone (a '
        'shallow clone?): %s' % (commit, found.stderr.decode()))
    os.makedirs(target)
    archive = subprocess.Popen(['git', '-C', ROOT, 'archive', commit],
                               stdout=subprocess.PIPE)
    subprocess.run(['tar', '-x', '-C', target], stdin=archive.stdout,
                   check=True)
    assert archive.wait() == 0


def old_compute_command(tree, directory):
    """A nova-compute of the release in `tree`, on this venv's libraries:
    its tree comes first on sys.path (this tree's editable install is
    found only after sys.path)."""
    script = os.path.join(directory, 'old-nova-compute')
    with open(script, 'w') as f:
        f.write('#!%s\nimport sys\nsys.path.insert(0, %r)\n'
                'from nova_compute import cmd\n'
                'print("nova-compute from", cmd.__file__, flush=True)\n'
                'sys.exit(cmd.main())\n' % (sys.executable, tree))
    os.chmod(script, 0o755)
    return script


@pytest.fixture(scope='module')
def upgrade():
    version, commit = previous_release()
    pin = service_version.HISTORY[service_version.MINIMUM_SUPPORTED][2]
    dep = deployment_mod.Deployment(
        'postgresql', compute_hosts=('new1',),
        extra_conf='[upgrade_levels]\ncompute = %s\n' % pin)
    tree = os.path.join(dep.dir, 'release-%s' % version)
    checkout(commit, tree)
    dep.start()
    old_host = 'old1-%s' % dep.run_id
    # Started as Deployment.start_compute would, but from the release.
    host_conf = os.path.join(dep.dir, 'old1.conf')
    with open(host_conf, 'w') as f:
        f.write('[DEFAULT]\nhost = %s\n' % old_host)
    dep.commands['old1'] = [old_compute_command(tree, dep.dir),
                            '--config-file', dep.conf,
                            '--config-file', host_conf]
    dep.restart('old1')
    try:
        _wait_for_hypervisor(dep, old_host)
        yield dep, old_host, tree, version
    finally:
        dep.stop()


def _wait_for_hypervisor(dep, host, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        hypervisors = dep.request(
            'GET', '/v2.1/os-hypervisors/detail').json()['hypervisors']
        if any(h['service']['host'] == host and h['state'] == 'up'
               for h in hypervisors):
            return
        time.sleep(0.3)
    raise AssertionError('%s never came up:\n%s' % (host, dep.logs()))


def _status(dep):
    result = subprocess.run(
        [os.path.join(deployment_mod.BIN, 'nova-status'), '--config-file',
         dep.conf, 'upgrade', 'check', '--json'],
        capture_output=True, text=True, timeout=60)
    checks = {c['check']: c for c in json.loads(result.stdout)['checks']}
    return result.returncode, checks


def _on(dep, host, name):
    return dep.boot(name, availability_zone='nova:%s' % host)


def test_the_old_compute_runs_its_own_release(upgrade):
    dep, old_host, tree, _version = upgrade
    # Its code is the release's, not this tree's.
    assert 'nova-compute from %s/nova_compute/cmd.py' % tree in dep.log(
        'old1')
    code, checks = _status(dep)
    assert checks['Database schema']['result'] == 0
    details = checks['Service versions']['details']
    assert 'nova-compute: 2 at version' in ' '.join(details.split())
    assert code in (0, 1), checks


def test_boot_stop_start_delete_on_the_old_compute(upgrade):
    dep, old_host, _tree, _version = upgrade
    server = _on(dep, old_host, 'on-old')
    assert server['OS-EXT-SRV-ATTR:host'] == old_host
    assert dep.action(server['id'], {'os-stop': None}).status_code == 202
    dep.settle(server['id'], 'SHUTOFF')
    assert dep.action(server['id'], {'os-start': None}).status_code == 202
    dep.settle(server['id'], 'ACTIVE')
    assert dep.request('DELETE', '/v2.1/servers/%s'
                       % server['id']).status_code == 204
    dep.wait_gone(server['id'])


def test_upgrade_in_place_keeps_its_servers(upgrade):
    dep, old_host, _tree, _version = upgrade
    kept = _on(dep, old_host, 'kept')
    # The upgrade: stop the old daemon, start this tree's on that host.
    dep.kill('old1', sig=signal.SIGTERM)
    dep.start_compute(old_host)
    _wait_for_hypervisor(dep, old_host)
    shown = dep.request('GET', '/v2.1/servers/%s' % kept['id']).json()[
        'server']
    assert (shown['status'], shown['OS-EXT-SRV-ATTR:host']) == (
        'ACTIVE', old_host)
    assert dep.action(kept['id'], {'reboot': {'type': 'HARD'}}
                      ).status_code == 202
    dep.settle(kept['id'], 'ACTIVE')
    fresh = _on(dep, old_host, 'after-upgrade')
    assert fresh['OS-EXT-SRV-ATTR:host'] == old_host
    code, checks = _status(dep)
    assert code == 0, checks
    for server in (kept, fresh):
        dep.request('DELETE', '/v2.1/servers/%s' % server['id'])
        dep.wait_gone(server['id'])
