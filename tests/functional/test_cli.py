"""novalite, run as a subprocess against separate daemons (noauth).

One deployment (RabbitMQ + PostgreSQL, two compute hosts): the CLI only
sees the REST API, which test_boot covers on every backend.
"""

import json
import os
import subprocess
import time

import pytest

from tests.functional import deployment as deployment_mod

NOVALITE = os.path.join(deployment_mod.BIN, 'novalite')
BUILD_STEPS = ['scheduling', 'networking', 'block_device_mapping',
               'spawning']


@pytest.fixture(scope='module')
def dep():
    d = deployment_mod.Deployment(
        'postgresql', extra_conf='[DEFAULT]\nshutdown_timeout = 0\n')
    d.start()
    yield d
    d.stop()


def novalite(dep, *args, token=None, expect=0):
    """Run the CLI with OS_* pointing at the deployment; (stdout, stderr).

    expect=None: return (exit code, stdout, stderr) whatever the code.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    env['OS_ENDPOINT'] = dep.api
    # Never a clouds.yaml from the machine running the tests.
    env['OS_CLIENT_CONFIG_FILE'] = os.path.join(dep.dir, 'no-clouds.yaml')
    if token:
        env['OS_TOKEN'] = token
    proc = subprocess.run([NOVALITE] + list(args), env=env, text=True,
                          capture_output=True, timeout=180)
    assert 'Traceback' not in proc.stderr
    if expect is None:
        return proc.returncode, proc.stdout, proc.stderr
    assert proc.returncode == expect, (
        'novalite %s exited %s\nstdout: %s\nstderr: %s' % (
            ' '.join(args), proc.returncode, proc.stdout, proc.stderr))
    return proc.stdout, proc.stderr


def as_json(dep, *args, **kw):
    out, _err = novalite(dep, *args, '-f', 'json', **kw)
    return json.loads(out)


def create(dep, name, *extra, **kw):
    return as_json(dep, 'server', 'create', name, '--flavor', 'm1.tiny',
                   '--image', 'test-image', '--wait', '--poll-interval',
                   '0.1', *extra, **kw)


def delete(dep, *names, **kw):
    novalite(dep, 'server', 'delete', '--wait', '--poll-interval', '0.1',
             *names, **kw)


def steps(progress_text):
    return [line.split()[1] for line in progress_text.splitlines()
            if len(line.split()) == 2 and line.startswith(' ')]


def test_create_wait_shows_each_build_step_and_ends_active(dep):
    out, err = novalite(dep, 'server', 'create', 'cli-vm', '--flavor',
                        'm1.tiny', '--image', 'test-image', '--wait',
                        '--poll-interval', '0.1', '-f', 'json')
    server = json.loads(out)
    assert server['status'] == 'ACTIVE'
    assert server['task_state'] is None
    assert server['power_state'] == 1
    assert server['host'] in dep.compute_hosts
    assert server['flavor'] == {'id': '1', 'name': 'm1.tiny'}
    assert server['image'] == {'id': dep.image['id'], 'name': 'test-image'}
    progress = steps(err)
    assert progress[0] == 'BUILD' and progress[-1] == 'ACTIVE', err
    assert [s for s in progress if s in BUILD_STEPS] == BUILD_STEPS, err

    listed = as_json(dep, 'server', 'list')
    assert [(s['Name'], s['Status']) for s in listed] == [
        ('cli-vm', 'ACTIVE')]
    assert listed[0]['Flavor'] == {'id': '1', 'name': 'm1.tiny'}
    shown = as_json(dep, 'server', 'show', 'cli-vm')
    assert shown['id'] == server['id']
    assert list(shown['addresses']) == ['private']
    out, _ = novalite(dep, 'server', 'list', '-c', 'Name', '-c', 'Status',
                      '-f', 'value')
    assert out == 'cli-vm ACTIVE\n'
    actions = as_json(dep, 'server', 'action-list', 'cli-vm')
    assert [a['Action'] for a in actions] == ['create']
    action = as_json(dep, 'server', 'action-show', 'cli-vm',
                     actions[0]['Request ID'])
    assert [e['event'] for e in action['events']] == BUILD_STEPS
    delete(dep, 'cli-vm')
    _, err = novalite(dep, 'server', 'show', server['id'], expect=1)
    assert "No server with a name or ID of '%s' exists." % server['id'] \
        in err


def test_create_wait_ends_in_error_with_the_schedulers_explanation(dep):
    out, err = novalite(dep, 'server', 'create', 'cli-huge', '--flavor',
                        'm1.xlarge', '--image', 'test-image', '--wait',
                        '--poll-interval', '0.1', expect=1)
    assert out == ''
    assert 'Server cli-huge is ERROR' in err
    assert 'No valid host was found' in err
    assert 'RamFilter 2 -> 0' in err
    assert 'scheduling' in steps(err)
    shown = as_json(dep, 'server', 'show', 'cli-huge')
    assert shown['status'] == 'ERROR'
    assert 'RamFilter 2 -> 0' in shown['fault']
    delete(dep, 'cli-huge')


def test_stop_start_reboot_rebuild_console_and_delete(dep):
    server = create(dep, 'cli-life')
    wait = ('--wait', '--poll-interval', '0.1')
    _, err = novalite(dep, 'server', 'stop', 'cli-life', *wait)
    assert 'powering-off' in steps(err)
    shown = as_json(dep, 'server', 'show', 'cli-life')
    assert (shown['status'], shown['power_state']) == ('SHUTOFF', 4)
    # Stopping again conflicts: the API's message, exit 1.
    _, err = novalite(dep, 'server', 'stop', 'cli-life', expect=1)
    assert 'stopped' in err and 'cli-life' in err
    novalite(dep, 'server', 'start', 'cli-life', *wait)
    assert as_json(dep, 'server', 'show', 'cli-life')['status'] == 'ACTIVE'
    _, err = novalite(dep, 'server', 'reboot', '--hard', 'cli-life', *wait)
    # The test driver may finish the reboot before the first poll, so the
    # HARD_REBOOT status can go unseen; the step comes from the action's
    # events either way.
    assert 'rebooting_hard' in steps(err) and steps(err)[-1] == 'ACTIVE'
    rebuilt = as_json(dep, 'server', 'rebuild', 'cli-life', '--name',
                      'cli-life2', *wait)
    assert (rebuilt['id'], rebuilt['name'], rebuilt['status']) == (
        server['id'], 'cli-life2', 'ACTIVE')
    novalite(dep, 'server', 'console-log', 'cli-life2', '--lines', '5')
    actions = [a['Action'] for a in as_json(dep, 'server', 'action-list',
                                            'cli-life2')]
    assert sorted(actions) == ['create', 'reboot', 'rebuild', 'start',
                               'stop']
    _, err = novalite(dep, 'server', 'delete', '--wait', '--poll-interval',
                      '0.1', 'cli-life2', 'no-such-server', expect=1)
    assert "No server with a name or ID of 'no-such-server'" in err
    assert 'deleted %s' % server['id'] in err
    assert as_json(dep, 'server', 'list') == []


def test_flavor_and_keypair(dep):
    flavor = as_json(dep, 'flavor', 'create', 'cli.flavor', '--ram', '256',
                     '--vcpus', '1', '--disk', '1', '--id', 'cli-1')
    assert (flavor['id'], flavor['ram'], flavor['is_public']) == (
        'cli-1', 256, True)
    names = [f['Name'] for f in as_json(dep, 'flavor', 'list')]
    assert 'cli.flavor' in names and 'm1.tiny' in names
    assert as_json(dep, 'flavor', 'show', 'cli.flavor')['id'] == 'cli-1'
    novalite(dep, 'flavor', 'delete', 'cli.flavor')
    _, err = novalite(dep, 'flavor', 'show', 'cli-1', expect=1)
    assert "No flavor with a name or ID of 'cli-1' exists." in err
    # Creating a flavor is for admins: the API's 403 message.
    _, err = novalite(dep, 'flavor', 'create', 'x', '--ram', '1', '--vcpus',
                      '1', token='bob:p-bob', expect=1)
    assert "Policy doesn't allow" in err

    key = as_json(dep, 'keypair', 'create', 'cli-key')
    assert key['private_key'].startswith('-----BEGIN')
    listed = as_json(dep, 'keypair', 'list')
    assert listed == [{'Name': 'cli-key',
                       'Fingerprint': key['fingerprint']}]
    server = create(dep, 'cli-keyed', '--key-name', 'cli-key')
    assert server['key_name'] == 'cli-key'
    delete(dep, 'cli-keyed')
    novalite(dep, 'keypair', 'delete', 'cli-key')
    _, err = novalite(dep, 'keypair', 'show', 'cli-key', expect=1)
    assert 'cli-key' in err and 'not found' in err


def test_aggregate_zone_and_dry_run(dep):
    host1, host2 = dep.compute_hosts
    agg = as_json(dep, 'aggregate', 'create', 'cli-agg', '--zone', 'cli-az',
                  '--property', 'ssd=true')
    assert agg['availability_zone'] == 'cli-az'
    agg = as_json(dep, 'aggregate', 'add', 'host', 'cli-agg', host2)
    assert agg['hosts'] == [host2]
    assert agg['properties']['ssd'] == 'true'
    zones = {z['Zone Name']: z['Zone Status']
             for z in as_json(dep, 'availability-zone', 'list')}
    assert zones == {'cli-az': 'available', 'nova': 'available'}
    detail = as_json(dep, 'availability-zone', 'list', '--long')
    assert {(z['Zone Name'], z['Host Name']) for z in detail
            if z['Service Name'] == 'nova-compute'} == {
        ('cli-az', host2), ('nova', host1)}

    answer = as_json(dep, 'scheduler', 'dry-run', '--flavor', 'm1.tiny',
                     '--image', 'test-image', '--availability-zone',
                     'cli-az')
    assert [c['host'] for c in answer['candidates']] == [host2]
    assert answer['reason'] is None
    zone_filter = [f for f in answer['filters']
                   if f['name'] == 'AvailabilityZoneFilter'][0]
    assert (zone_filter['hosts_in'], zone_filter['hosts_out']) == (2, 1)
    answer = as_json(dep, 'scheduler', 'dry-run', '--flavor', 'm1.xlarge',
                     '--image', 'test-image')
    assert answer['candidates'] == []
    assert 'RamFilter' in answer['reason']
    out, _ = novalite(dep, 'scheduler', 'dry-run', '--flavor', 'm1.tiny',
                      '--image', 'test-image')
    assert 'RamFilter: 2 -> 2' in out

    agg = as_json(dep, 'aggregate', 'remove', 'host', 'cli-agg', host2)
    assert agg['hosts'] == []
    novalite(dep, 'aggregate', 'delete', 'cli-agg')
    assert as_json(dep, 'aggregate', 'list') == []


def test_server_group_anti_affinity_spreads_servers(dep):
    group = as_json(dep, 'server-group', 'create', 'cli-group', '--policy',
                    'anti-affinity')
    assert group['policy'] == 'anti-affinity'
    hosts = {create(dep, name, '--hint', 'group=%s' % group['id'])['host']
             for name in ('cli-g1', 'cli-g2')}
    assert hosts == set(dep.compute_hosts)
    shown = as_json(dep, 'server-group', 'show', 'cli-group')
    assert len(shown['members']) == 2
    assert [g['Name'] for g in as_json(dep, 'server-group', 'list')] == [
        'cli-group']
    delete(dep, 'cli-g1', 'cli-g2')
    novalite(dep, 'server-group', 'delete', 'cli-group')
    assert as_json(dep, 'server-group', 'list') == []


def test_hypervisors_and_services(dep):
    hypervisors = as_json(dep, 'hypervisor', 'list')
    assert sorted(h['Hypervisor Hostname'] for h in hypervisors) == sorted(
        dep.compute_hosts)
    assert {h['State'] for h in hypervisors} == {'up'}
    host1 = dep.compute_hosts[0]
    shown = as_json(dep, 'hypervisor', 'show', host1)
    assert shown['vcpus'] == 4 and shown['memory_mb'] == 4096
    assert as_json(dep, 'hypervisor', 'stats')['count'] == 2

    services = as_json(dep, 'service', 'list', '--service', 'nova-compute')
    assert sorted(s['Host'] for s in services) == sorted(dep.compute_hosts)
    disabled = as_json(dep, 'service', 'disable', host1, 'nova-compute',
                       '--reason', 'maintenance')
    assert disabled['status'] == 'disabled'
    [row] = as_json(dep, 'service', 'list', '--host', host1, '--long')
    assert (row['Status'], row['Disabled Reason']) == (
        'disabled', 'maintenance')
    assert as_json(dep, 'service', 'enable', host1, 'nova-compute')[
        'status'] == 'enabled'
    _, err = novalite(dep, 'hypervisor', 'list', token='bob:p-bob',
                      expect=1)
    assert "Policy doesn't allow os_compute_api:os-hypervisors:list-detail "\
        "to be performed." in err


def test_quota_and_limits(dep):
    quota = as_json(dep, 'quota', 'set', 'p-cli', '--instances', '1',
                    '--cores', '4')
    assert (quota['instances'], quota['cores']) == (1, 4)
    shown = {q['Resource']: q['Limit']
             for q in as_json(dep, 'quota', 'show', token='u:p-cli')}
    assert shown['instances'] == 1
    create(dep, 'cli-q1', token='u:p-cli')
    usage = {q['Resource']: q['In Use'] for q in as_json(
        dep, 'quota', 'show', 'p-cli', '--usage')}
    assert usage['instances'] == 1 and usage['ram'] == 512
    limits = {l['Name']: l['Value']
              for l in as_json(dep, 'limits', 'show', token='u:p-cli')}
    assert (limits['maxTotalInstances'], limits['totalInstancesUsed']) == (
        1, 1)
    _, err = novalite(dep, 'server', 'create', 'cli-q2', '--flavor',
                      'm1.tiny', '--image', 'test-image', token='u:p-cli',
                      expect=1)
    assert 'Quota exceeded for instances' in err
    delete(dep, 'cli-q1', token='u:p-cli')
    novalite(dep, 'quota', 'delete', 'p-cli')
    defaults = {q['Resource']: q['Limit']
                for q in as_json(dep, 'quota', 'show', 'p-cli')}
    assert defaults['instances'] == 10


def test_errors_exit_non_zero_with_the_message(dep):
    _, err = novalite(dep, 'server', 'show', 'nope', expect=1)
    assert err.strip() == "No server with a name or ID of 'nope' exists."
    _, err = novalite(dep, 'server', 'create', 'x', '--flavor', 'nope',
                      '--image', 'test-image', expect=1)
    assert "No flavor with a name or ID of 'nope' exists." in err
    _, err = novalite(dep, 'server', 'create', ' bad name', '--flavor', '1',
                      '--image', 'test-image', expect=1)
    assert 'Invalid input for field/attribute name' in err
    novalite(dep, 'server', 'create', 'x', expect=2)
    novalite(dep, 'server', 'frobnicate', expect=2)


def test_evacuate_from_a_dead_host(dep):
    # Last in the module: it kills a compute host (and restarts it).
    server = create(dep, 'cli-evac')
    source = server['host']
    [target] = [h for h in dep.compute_hosts if h != source]
    _, err = novalite(dep, 'server', 'evacuate', 'cli-evac', expect=1)
    assert 'still in use' in err
    dep.kill(source)
    try:
        deadline = time.monotonic() + 40
        while True:
            code, out, err = novalite(
                dep, 'server', 'evacuate', 'cli-evac', '--wait',
                '--poll-interval', '0.1', expect=None)
            if code == 0 or time.monotonic() > deadline:
                break
            assert 'still in use' in err, err
            time.sleep(1)
        assert code == 0, err
        assert out == '%s\n' % target
        assert 'rebuild_spawning' in steps(err)
        shown = as_json(dep, 'server', 'show', 'cli-evac')
        assert (shown['id'], shown['host'], shown['status']) == (
            server['id'], target, 'ACTIVE')
    finally:
        dep.start_compute(source)
    delete(dep, 'cli-evac')
