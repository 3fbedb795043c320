"""os-simple-tenant-usage from instance records, deleted ones inside the
window too, read by the unmodified `openstack usage list / show` (noauth,
README's clouds.yaml) and by 2.40 paging, over separate daemons."""

import datetime
import json
import os
import subprocess
import sys

import pytest

from tests.functional import deployment as deployment_mod
from tests.functional import test_noauth_cli

BIN = os.path.dirname(sys.executable)
V240 = {'OpenStack-API-Version': 'compute 2.40'}


@pytest.fixture(scope='module')
def dep():
    d = deployment_mod.Deployment(
        'postgresql', extra_conf='[DEFAULT]\nshutdown_timeout = 0\n')
    d.start()
    yield d
    d.stop()


@pytest.fixture(scope='module')
def servers(dep):
    """Two servers of project admin: one running, one deleted."""
    kept = dep.boot('kept')
    gone = dep.boot('gone')
    dep.request('DELETE', '/v2.1/servers/%s' % gone['id'])
    dep.wait_gone(gone['id'])
    return kept, gone


def run_openstack(dep, *args):
    """The unmodified `openstack` CLI against `dep` (README's noauth
    clouds.yaml), whatever its exit code: the CompletedProcess."""
    clouds = os.path.join(dep.dir, 'clouds.yaml')
    with open(clouds, 'w') as f:
        f.write(test_noauth_cli.CLOUDS_YAML % {'url': dep.api})
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    env['OS_CLIENT_CONFIG_FILE'] = clouds
    return subprocess.run(
        [os.path.join(BIN, 'openstack'), '--os-cloud', 'nova-lite'] +
        list(args), env=env, capture_output=True, text=True, timeout=120)


def openstack(dep, *args, parse=True):
    """run_openstack, which must succeed: its JSON output parsed, or with
    parse=False its text."""
    result = run_openstack(dep, *args, *(['-f', 'json'] if parse else []))
    assert result.returncode == 0, result.stderr
    assert 'Traceback' not in result.stderr
    return json.loads(result.stdout) if parse else result.stdout


def _days():
    today = datetime.date.today()
    return ((today - datetime.timedelta(days=1)).isoformat(),
            (today + datetime.timedelta(days=1)).isoformat())


def test_usage_list_and_show_count_deleted_servers_too(dep, servers):
    ids = {server['id'] for server in servers}
    start, end = _days()
    rows = openstack(dep, 'usage', 'list', '--start', start, '--end', end)
    [row] = [r for r in rows if r['Project'] == 'admin']
    # detailed=True (as the SDK sends it, text 'True') lists both servers
    # (the JSON formatter shows them; a table shows their count).
    assert {s['instance_id'] for s in row['Servers']} == ids
    assert float(row['RAM MB-Hours']) > 0
    shown = openstack(dep, 'usage', 'show', '--project', 'admin',
                      '--start', start, '--end', end)
    assert {s['instance_id'] for s in shown['Servers']} == ids
    assert float(shown['CPU Hours']) > 0


def test_usage_api_states_and_paging(dep, servers):
    kept, gone = servers
    start, end = _days()
    period = 'start=%sT00:00:00&end=%sT00:00:00' % (start, end)
    usage = dep.request('GET', '/v2.1/os-simple-tenant-usage/admin?' +
                        period).json()['tenant_usage']
    states = {s['instance_id']: s['state'] for s in usage['server_usages']}
    assert states == {kept['id']: 'active', gone['id']: 'terminated'}
    first = dep.request('GET', '/v2.1/os-simple-tenant-usage?%s&detailed=1'
                        '&limit=1' % period, headers=V240).json()
    [page] = first['tenant_usages']
    assert len(page['server_usages']) == 1
    [link] = first['tenant_usages_links']
    assert link['rel'] == 'next' and 'marker=' in link['href']
    # Outside the window nothing is counted.
    before = dep.request('GET', '/v2.1/os-simple-tenant-usage/admin?'
                         'start=2020-01-01T00:00:00&end=2020-01-02T00:00:00'
                         ).json()
    assert before == {'tenant_usage': {}}
