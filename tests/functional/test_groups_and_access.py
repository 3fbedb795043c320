"""Soft and ruled server groups, forced-down hosts, private flavors and
group quotas, through the API on real daemons.

One deployment (RabbitMQ + PostgreSQL, two compute hosts); none of this
depends on the SQL backend.
"""

import pytest

from tests.functional import deployment as deployment_mod

V264 = {'OpenStack-API-Version': 'compute 2.64'}
V253 = {'OpenStack-API-Version': 'compute 2.53'}
# Group weighers outweigh RAM spreading, so soft policies decide.
CONF = ('[filter_scheduler]\nsoft_affinity_weight_multiplier = 10.0\n'
        'soft_anti_affinity_weight_multiplier = 10.0\n')


@pytest.fixture(scope='module')
def dep():
    d = deployment_mod.Deployment('postgresql', extra_conf=CONF)
    d.start()
    yield d
    d.stop()


def _group(dep, policy, rules=None, token='admin:admin'):
    spec = {'name': policy, 'policy': policy}
    if rules:
        spec['rules'] = rules
    resp = dep.request('POST', '/v2.1/os-server-groups', token=token,
                       headers=dict(V264), json={'server_group': spec})
    assert resp.status_code == 200, resp.text
    return resp.json()['server_group']['id']


def _boot(dep, name, group=None, flavor='1', token='admin:admin'):
    body = {'server': {'name': name, 'flavorRef': flavor,
                       'imageRef': dep.image['id']}}
    if group:
        body['os:scheduler_hints'] = {'group': group}
    return dep.request('POST', '/v2.1/servers', token=token, json=body)


def _boot_all(dep, prefix, count, group=None):
    """Boot one at a time (each sees the last placed) and return servers."""
    servers = []
    for i in range(count):
        resp = _boot(dep, '%s-%d' % (prefix, i), group)
        assert resp.status_code == 202, resp.text
        servers.append(dep.wait_for_server(resp.json()['server']['id']))
    return servers


def _cleanup(dep, servers):
    for server in servers:
        dep.request('DELETE', '/v2.1/servers/%s' % server['id'])
    for server in servers:
        dep.wait_gone(server['id'])


def _hosts(servers):
    return [s['OS-EXT-SRV-ATTR:host'] for s in servers]


def test_soft_affinity_group_packs_members_on_one_host(dep):
    servers = _boot_all(dep, 'soft-aff', 3, _group(dep, 'soft-affinity'))
    assert [s['status'] for s in servers] == ['ACTIVE'] * 3
    assert len(set(_hosts(servers))) == 1
    _cleanup(dep, servers)


def test_soft_anti_affinity_spreads_and_still_places_extra_members(dep):
    servers = _boot_all(dep, 'soft-anti', 3,
                        _group(dep, 'soft-anti-affinity'))
    # Unlike hard anti-affinity, a third member on two hosts is placed.
    assert [s['status'] for s in servers] == ['ACTIVE'] * 3
    assert set(_hosts(servers[:2])) == set(dep.compute_hosts)
    _cleanup(dep, servers)


def test_anti_affinity_with_max_two_per_host(dep):
    group = _group(dep, 'anti-affinity', {'max_server_per_host': 2})
    servers = _boot_all(dep, 'max2', 5, group)
    placed = [s for s in servers if s['status'] == 'ACTIVE']
    assert len(placed) == 4
    assert sorted(_hosts(placed)) == sorted(dep.compute_hosts * 2)
    assert servers[-1]['status'] == 'ERROR'
    assert 'ServerGroupAntiAffinityFilter' in servers[-1]['fault']['message']
    shown = dep.request('GET', '/v2.1/os-server-groups/%s' % group,
                        headers=dict(V264)).json()['server_group']
    assert shown['rules'] == {'max_server_per_host': 2}
    assert shown['policy'] == 'anti-affinity'
    _cleanup(dep, servers)


def test_forced_down_host_gets_no_new_servers(dep):
    host1, host2 = dep.compute_hosts
    services = dep.request('GET', '/v2.1/os-services?binary=nova-compute',
                           headers=dict(V253)).json()['services']
    target = [s for s in services if s['host'] == host2][0]
    resp = dep.request('PUT', '/v2.1/os-services/%s' % target['id'],
                       headers=dict(V253), json={'forced_down': True})
    assert resp.status_code == 200, resp.text
    assert resp.json()['service']['state'] == 'down'
    try:
        servers = _boot_all(dep, 'avoid', 3)
        assert _hosts(servers) == [host1] * 3
    finally:
        dep.request('PUT', '/v2.1/os-services/%s' % target['id'],
                    headers=dict(V253), json={'forced_down': False})
    # Back up: RAM spreading sends the next server to the emptier host2.
    again = _boot_all(dep, 'back', 1)
    assert _hosts(again) == [host2]
    _cleanup(dep, servers + again)


def test_private_flavor_is_seen_only_with_access(dep):
    resp = dep.request('POST', '/v2.1/flavors', json={'flavor': {
        'name': 'private-one', 'id': 'priv1', 'ram': 256, 'vcpus': 1,
        'disk': 1, 'os-flavor-access:is_public': False}})
    assert resp.status_code == 200, resp.text
    bob = 'bob:proj-bob'
    listed = dep.request('GET', '/v2.1/flavors', token=bob).json()
    assert 'priv1' not in [f['id'] for f in listed['flavors']]
    assert dep.request('GET', '/v2.1/flavors/priv1',
                       token=bob).status_code == 404
    resp = dep.request('POST', '/v2.1/flavors/priv1/action', json={
        'addTenantAccess': {'tenant': 'proj-bob'}})
    assert resp.json() == {'flavor_access': [
        {'flavor_id': 'priv1', 'tenant_id': 'proj-bob'}]}
    listed = dep.request('GET', '/v2.1/flavors', token=bob).json()
    assert 'priv1' in [f['id'] for f in listed['flavors']]
    resp = _boot(dep, 'on-private', flavor='priv1', token=bob)
    assert resp.status_code == 202, resp.text
    server = dep.wait_for_server(resp.json()['server']['id'])
    assert server['status'] == 'ACTIVE'
    dep.request('POST', '/v2.1/flavors/priv1/action', json={
        'removeTenantAccess': {'tenant': 'proj-bob'}})
    assert dep.request('GET', '/v2.1/flavors/priv1',
                       token=bob).status_code == 404
    _cleanup(dep, [server])


def test_server_group_quotas(dep):
    carol = 'carol:proj-carol'
    resp = dep.request('PUT', '/v2.1/os-quota-sets/proj-carol', json={
        'quota_set': {'server_groups': 1, 'server_group_members': 1}})
    assert resp.status_code == 200, resp.text
    group = _group(dep, 'affinity', token=carol)
    resp = dep.request('POST', '/v2.1/os-server-groups', token=carol,
                       headers=dict(V264), json={'server_group': {
                           'name': 'two', 'policy': 'affinity'}})
    assert resp.status_code == 403
    assert resp.json()['forbidden']['message'].startswith(
        'Quota exceeded for server_groups')
    first = _boot(dep, 'member-1', group, token=carol)
    assert first.status_code == 202, first.text
    second = _boot(dep, 'member-2', group, token=carol)
    assert second.status_code == 403
    assert second.json()['forbidden']['message'] == \
        'Quota exceeded, too many servers in group'
    detail = dep.request('GET', '/v2.1/os-quota-sets/proj-carol/detail',
                         token=carol).json()['quota_set']
    assert detail['server_groups'] == {'limit': 1, 'in_use': 1,
                                       'reserved': 0}
    server = dep.wait_for_server(first.json()['server']['id'])
    _cleanup(dep, [server])
