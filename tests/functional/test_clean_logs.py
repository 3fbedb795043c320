"""What an operator reads after a day of ordinary mistakes: a session of
`openstack` CLI calls that each end in a 4xx leaves no ERROR line and no
traceback in any daemon's log (the servers log one INFO line per refused
call), and the request id a client got back is in the log of every
daemon that worked on its request.

Separate daemons over RabbitMQ and PostgreSQL, the unmodified CLI with
README's noauth clouds.yaml, debug logging (so every daemon has lines
for a boot).
"""

import re

import pytest

from tests.functional import deployment as deployment_mod
from tests.functional import test_usage

ABSENT = '00000000-0000-4000-8000-000000000000'


@pytest.fixture(scope='module')
def dep():
    d = deployment_mod.Deployment(
        'postgresql', extra_conf='[DEFAULT]\nshutdown_timeout = 0\n'
                                 'debug = True\n')
    d.start()
    yield d
    d.stop()


def openstack(dep, *args):
    """(exit code, stdout, stderr) of the unmodified `openstack` CLI."""
    result = test_usage.run_openstack(dep, *args)
    return result.returncode, result.stdout, result.stderr


# Each ends in a 4xx at the API: lookups of what does not exist (the CLI
# looks a name up as an id first), refused state changes, conflicts.
MISTAKES = [
    ('server', 'show', 'no-such-server'),
    ('server', 'show', ABSENT),
    ('server', 'delete', 'no-such-server'),
    ('server', 'reboot', ABSENT),
    ('flavor', 'show', 'no-such-flavor'),
    ('flavor', 'create', '--ram', '64', '--disk', '1', '--vcpus', '1',
     'm1.tiny'),
    ('server', 'create', '--flavor', 'no-such-flavor', '--image',
     'test-image', 'never'),
    ('server', 'create', '--flavor', 'm1.tiny', '--image', ABSENT, 'never'),
    ('server', 'create', '--flavor', 'm1.tiny', '--image', 'test-image',
     '--availability-zone', 'no-such-zone', 'never'),
    ('keypair', 'show', 'no-such-key'),
    ('server', 'group', 'show', 'no-such-group'),
    ('aggregate', 'create', 'clean-logs'),      # the second one conflicts
    ('aggregate', 'add', 'host', 'clean-logs', 'no-such-host'),
    ('compute', 'service', 'set', '--disable', 'no-such-host',
     'nova-compute'),
    ('hypervisor', 'show', 'no-such-hypervisor'),
]


def test_a_session_of_4xx_mistakes_logs_no_error_and_no_traceback(dep):
    code, _out, err = openstack(dep, 'aggregate', 'create', 'clean-logs')
    assert code == 0, err
    server = dep.boot('clean-logs')
    before = {name: len(dep.log(name)) for name in dep.procs}
    failed = []
    for args in MISTAKES + [
            # A running server cannot be unpaused or confirmed.
            ('server', 'unpause', server['id']),
            ('server', 'resize', 'confirm', server['id'])]:
        code, _out, err = openstack(dep, *args)
        assert code != 0, args
        assert 'Traceback' not in err, (args, err)
        failed.append(args)
    assert len(failed) == len(MISTAKES) + 2
    for name in dep.procs:
        written = dep.log(name)[before[name]:]
        errors = [line for line in written.splitlines()
                  if ' ERROR ' in line or 'Traceback' in line]
        assert errors == [], '%s logged:\n%s' % (name, '\n'.join(errors))
    # The conductor said what it refused, once, at INFO.
    conductor = dep.log('conductor')[before['conductor']:]
    assert re.search(r' INFO common\.rpc .*answered InstanceInvalidState',
                     conductor), conductor[-3000:]


def test_one_request_id_is_in_the_log_of_every_daemon_it_reached(dep):
    server = dep.boot('traced')
    # The id of the POST that created it: the API answers it in a header.
    resp = dep.request('GET', '/v2.1/servers/%s/os-instance-actions'
                       % server['id'])
    [create] = [a for a in resp.json()['instanceActions']
                if a['action'] == 'create']
    request_id = create['request_id']
    assert re.fullmatch(r'req-[0-9a-f-]{36}', request_id), request_id
    host = dep.request('GET', '/v2.1/servers/%s' % server['id']).json()[
        'server']['OS-EXT-SRV-ATTR:host']
    # Each compute runs under its host name.
    assert host in dep.procs, (host, list(dep.procs))
    reached = ['api', 'conductor', 'scheduler', host]
    missing = [name for name in reached
               if request_id not in dep.log(name)]
    assert missing == [], 'no %s in the logs of %s' % (request_id, missing)
