"""Active/active: two conductors and two schedulers never over-commit.

Many boots at once against tight capacity, on PostgreSQL and MySQL: every
host stays within its limits and every hard group policy holds.
"""

import concurrent.futures

import pytest
import sqlalchemy as sa

from tests.functional import deployment as deployment_mod

# 2 hosts x 4096 MB at ratio 1.0: room for exactly 16 m1.tiny (512 MB).
CAPACITY = 16


@pytest.fixture(scope='module', params=['postgresql', 'mysql'])
def dep(request):
    d = deployment_mod.Deployment(
        request.param, conductors=2, schedulers=2, host_vcpus=64,
        extra_conf='[DEFAULT]\nram_allocation_ratio = 1.0\n'
                   # Capacity, not quota, must be what limits these boots.
                   '[quota]\ninstances = -1\ncores = -1\nram = -1\n')
    d.start()
    yield d
    d.stop()


def _boot_many(dep, count, prefix, hints=None):
    def boot(i):
        body = {'server': {'name': '%s-%d' % (prefix, i), 'flavorRef': '1',
                           'imageRef': dep.image['id'],
                           'networks': 'none'}}
        if hints:
            body['os:scheduler_hints'] = hints
        resp = dep.request('POST', '/v2.1/servers', json=body)
        assert resp.status_code == 202, resp.text
        return resp.json()['server']['id']
    with concurrent.futures.ThreadPoolExecutor(12) as pool:
        ids = list(pool.map(boot, range(count)))
    return [dep.wait_for_server(i, timeout=90) for i in ids]


def _usage(dep):
    engine = sa.create_engine(dep.db_url)
    try:
        with engine.connect() as conn:
            return {row.host: row for row in conn.execute(sa.text(
                'SELECT host, memory_mb, memory_mb_used, running_vms '
                'FROM compute_nodes'))}
    finally:
        engine.dispose()


def _delete_all(dep, servers):
    for server in servers:
        dep.request('DELETE', '/v2.1/servers/%s' % server['id'])
    for server in servers:
        dep.wait_gone(server['id'], timeout=60)


def test_concurrent_boots_fill_exactly_to_capacity(dep):
    servers = _boot_many(dep, 28, 'race')
    active = [s for s in servers if s['status'] == 'ACTIVE']
    errors = [s for s in servers if s['status'] == 'ERROR']
    assert len(active) == CAPACITY and len(errors) == 28 - CAPACITY
    for server in errors:
        assert 'No valid host was found' in server['fault']['message']
    usage = _usage(dep)
    for host in dep.compute_hosts:
        assert usage[host].memory_mb_used <= usage[host].memory_mb
        placed = [s for s in active if s['OS-EXT-SRV-ATTR:host'] == host]
        assert usage[host].memory_mb_used == 512 * len(placed)
        assert usage[host].running_vms == len(placed)
    _delete_all(dep, servers)
    assert all(u.memory_mb_used == 0 for u in _usage(dep).values())


def test_concurrent_anti_affinity_boots_never_share_a_host(dep):
    group_id = dep.request('POST', '/v2.1/os-server-groups', json={
        'server_group': {'name': 'race', 'policies': ['anti-affinity']}}
    ).json()['server_group']['id']
    servers = _boot_many(dep, 6, 'anti', hints={'group': group_id})
    active = [s for s in servers if s['status'] == 'ACTIVE']
    hosts = [s['OS-EXT-SRV-ATTR:host'] for s in active]
    assert len(hosts) == len(set(hosts)) == 2
    _delete_all(dep, servers)


def test_concurrent_boots_into_a_group_stop_at_its_member_quota(dep):
    """server_group_members is checked in the transaction that writes the
    members, so racing creates through two conductors cannot pass it."""
    project = 'grp-race'
    token = 'admin:%s' % project
    assert dep.request('PUT', '/v2.1/os-quota-sets/%s' % project, json={
        'quota_set': {'server_group_members': 3}}).status_code == 200
    group_id = dep.request('POST', '/v2.1/os-server-groups', token=token,
                           json={'server_group': {
                               'name': 'capped', 'policies': ['affinity']}}
                           ).json()['server_group']['id']

    def boot(i):
        return dep.request('POST', '/v2.1/servers', token=token, json={
            'server': {'name': 'capped-%d' % i, 'flavorRef': '1',
                       'imageRef': dep.image['id'], 'networks': 'none'},
            'os:scheduler_hints': {'group': group_id}})
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(boot, range(8)))
    accepted = [r for r in answers if r.status_code == 202]
    refused = [r for r in answers if r.status_code == 403]
    assert len(accepted) == 3 and len(refused) == 5, [
        (r.status_code, r.text) for r in answers]
    for resp in refused:
        assert 'too many servers in group' in \
            resp.json()['forbidden']['message']
    group = dep.request('GET', '/v2.1/os-server-groups/%s' % group_id,
                        token=token).json()['server_group']
    assert len(group['members']) == 3
    servers = [dep.wait_for_server(r.json()['server']['id'], timeout=90)
               for r in accepted]
    _delete_all(dep, servers)
