"""The admin APIs on real daemons (PostgreSQL, RabbitMQ): what an
operator running Tempest's admin tests, or nova's CLI, sees."""

import datetime
import time
import urllib.parse

import pytest

from tests.functional import deployment as deployment_mod

NOW = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
NO_SERVER = '00000000-0000-0000-0000-000000000000'
V280 = {'OpenStack-API-Version': 'compute 2.80'}


@pytest.fixture(scope='module')
def dep():
    d = deployment_mod.Deployment('postgresql')
    d.start()
    yield d
    d.stop()


@pytest.fixture(scope='module')
def server(dep):
    resp = dep.request('POST', '/v2.1/servers', token='alice:proj-usage',
                       json={'server': {'name': 'usage', 'flavorRef': '1',
                                        'imageRef': dep.image['id'],
                                        'networks': 'auto'}})
    assert resp.status_code == 202, resp.text
    found = dep.wait_for_server(resp.json()['server']['id'])
    assert found['status'] == 'ACTIVE', found
    return found


def _ok(resp, status=200):
    assert resp.status_code == status, resp.text
    return resp.json()


def test_hosts_list_every_service_and_show_a_compute(dep, server):
    controller = 'controller-%s' % dep.run_id
    wanted = {(controller, 'conductor'), (controller, 'scheduler')}
    deadline = time.monotonic() + 30
    while True:
        # The scheduler's first heartbeat may come after the boot.
        hosts = _ok(dep.request('GET', '/v2.1/os-hosts'))['hosts']
        services = {(h['host_name'], h['service']) for h in hosts}
        if wanted <= services or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert wanted <= services
    for host in dep.compute_hosts:
        assert (host, 'compute') in services
    placed = server['OS-EXT-SRV-ATTR:host']
    rows = _ok(dep.request('GET', '/v2.1/os-hosts/%s' % placed))['host']
    by_project = {r['resource']['project']: r['resource'] for r in rows}
    assert by_project['proj-usage']['memory_mb'] == 512
    assert by_project['(total)']['cpu'] == 4
    assert dep.request('GET', '/v2.1/os-hosts/%s/reboot'
                       % placed).status_code == 501
    assert dep.request('GET', '/v2.1/os-hosts/nope/reboot').status_code == 404
    assert dep.request('GET', '/v2.1/os-hosts', token='alice:proj-usage'
                       ).status_code == 403


def test_usage_counts_the_server_since_it_launched(dep, server):
    period = urllib.parse.urlencode({
        'start': (NOW - datetime.timedelta(days=1)).isoformat(),
        'end': (NOW + datetime.timedelta(days=1)).isoformat()})
    usage = _ok(dep.request('GET', '/v2.1/os-simple-tenant-usage/proj-usage?'
                            + period, token='rita:proj-usage:reader'))[
        'tenant_usage']
    [mine] = usage['server_usages']
    assert (mine['instance_id'], mine['state'], mine['flavor']) == (
        server['id'], 'active', 'm1.tiny')
    assert 0 < mine['hours'] < 1 and usage['total_memory_mb_usage'] == \
        pytest.approx(512 * mine['hours'])
    everyone = _ok(dep.request('GET', '/v2.1/os-simple-tenant-usage?' +
                               period))['tenant_usages']
    assert 'proj-usage' in [u['tenant_id'] for u in everyone]


def test_audit_log_migrations_and_networks(dep):
    log = _ok(dep.request('GET', '/v2.1/os-instance_usage_audit_log'))[
        'instance_usage_audit_logs']
    assert sorted(log['hosts_not_run']) == sorted(dep.compute_hosts)
    assert _ok(dep.request('GET', '/v2.1/os-migrations', headers=V280)) == {
        'migrations': []}
    [net] = _ok(dep.request('GET', '/v2.1/os-networks',
                            token='alice:proj-usage'))['networks']
    assert (net['label'], net['cidr']) == ('private', '10.11.0.0/24')


def test_external_events_for_a_server(dep, server):
    body = {'events': [{'name': 'network-vif-plugged',
                        'server_uuid': server['id'], 'tag': 'port'},
                       {'name': 'network-changed',
                        'server_uuid': NO_SERVER}]}
    got = _ok(dep.request('POST', '/v2.1/os-server-external-events',
                          token='neutron:service:service', json=body), 207)
    assert [e['code'] for e in got['events']] == [200, 404]


def test_the_default_quota_class_limits_new_projects(dep, server):
    try:
        _ok(dep.request('PUT', '/v2.1/os-quota-class-sets/default',
                        json={'quota_class_set': {'instances': 1}}))
        shown = _ok(dep.request('GET', '/v2.1/os-quota-class-sets/default'))
        assert shown['quota_class_set']['instances'] == 1
        # proj-usage has its server: a second one is over the default.
        refused = dep.request('POST', '/v2.1/servers',
                              token='alice:proj-usage', json={'server': {
                                  'name': 'over', 'flavorRef': '1',
                                  'imageRef': dep.image['id'],
                                  'networks': 'none'}})
        assert refused.status_code == 403, refused.text
        assert 'Quota exceeded for instances' in refused.json()[
            'forbidden']['message']
        defaults = _ok(dep.request('GET', '/v2.1/os-quota-sets/x/defaults'))
        assert defaults['quota_set']['instances'] == 1
    finally:
        _ok(dep.request('PUT', '/v2.1/os-quota-class-sets/default',
                        json={'quota_class_set': {'instances': 10}}))
