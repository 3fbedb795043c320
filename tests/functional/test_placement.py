"""Placement through the API: availability zones, aggregates, server groups.

One deployment (RabbitMQ + PostgreSQL, two compute hosts): the placement
logic does not depend on the SQL backend, which test_boot covers.
"""

import pytest

from tests.functional import deployment as deployment_mod


FILTERS = ('RetryFilter,AvailabilityZoneFilter,RamFilter,CoreFilter,'
           'DiskFilter,ComputeFilter,ComputeCapabilitiesFilter,'
           'ImagePropertiesFilter,ServerGroupAntiAffinityFilter,'
           'ServerGroupAffinityFilter,AggregateInstanceExtraSpecsFilter,'
           'AggregateMultiTenancyIsolation')


@pytest.fixture(scope='module')
def dep():
    d = deployment_mod.Deployment(
        'postgresql',
        extra_conf='[filter_scheduler]\nenabled_filters = %s\n' % FILTERS)
    d.start()
    yield d
    d.stop()


def _boot(dep, name, **extra):
    hints = extra.pop('hints', None)
    body = {'server': dict({'name': name, 'flavorRef': '1',
                            'imageRef': dep.image['id']}, **extra)}
    if hints:
        body['os:scheduler_hints'] = hints
    resp = dep.request('POST', '/v2.1/servers', json=body)
    assert resp.status_code == 202, resp.text
    return resp.json()['server']['id']


def _cleanup(dep, ids):
    for server_id in ids:
        dep.request('DELETE', '/v2.1/servers/%s' % server_id)
    for server_id in ids:
        dep.wait_gone(server_id)


def test_boot_into_an_availability_zone(dep):
    host1, host2 = dep.compute_hosts
    resp = dep.request('POST', '/v2.1/os-aggregates', json={
        'aggregate': {'name': 'zone-agg', 'availability_zone': 'az1'}})
    assert resp.status_code == 200, resp.text
    agg = resp.json()['aggregate']
    resp = dep.request('POST', '/v2.1/os-aggregates/%s/action' % agg['id'],
                       json={'add_host': {'host': host2}})
    assert resp.json()['aggregate']['hosts'] == [host2]

    zones = dep.request('GET', '/v2.1/os-availability-zone').json()
    names = {z['zoneName']: z['zoneState']['available']
             for z in zones['availabilityZoneInfo']}
    assert names == {'az1': True, 'nova': True}
    detail = dep.request('GET', '/v2.1/os-availability-zone/detail').json()
    az1 = [z for z in detail['availabilityZoneInfo']
           if z['zoneName'] == 'az1'][0]
    assert list(az1['hosts']) == [host2]

    ids = [_boot(dep, 'in-az1-%d' % i, availability_zone='az1')
           for i in range(3)]
    servers = [dep.wait_for_server(i) for i in ids]
    assert {s['OS-EXT-SRV-ATTR:host'] for s in servers} == {host2}
    assert {s['OS-EXT-AZ:availability_zone'] for s in servers} == {'az1'}
    default = dep.wait_for_server(_boot(dep, 'in-nova',
                                        availability_zone='nova'))
    assert default['OS-EXT-SRV-ATTR:host'] == host1

    resp = dep.request('POST', '/v2.1/servers', json={'server': {
        'name': 'x', 'flavorRef': '1', 'imageRef': dep.image['id'],
        'availability_zone': 'nowhere'}})
    assert resp.status_code == 400
    assert resp.json()['badRequest']['message'] == \
        'The requested availability zone is not available'
    _cleanup(dep, ids + [default['id']])
    dep.request('POST', '/v2.1/os-aggregates/%s/action' % agg['id'],
                json={'remove_host': {'host': host2}})
    assert dep.request('DELETE', '/v2.1/os-aggregates/%s' % agg['id']
                       ).status_code == 200


def test_second_zone_for_a_host_is_refused(dep):
    host1 = dep.compute_hosts[0]
    a = dep.request('POST', '/v2.1/os-aggregates', json={
        'aggregate': {'name': 'za', 'availability_zone': 'za'}}).json()
    b = dep.request('POST', '/v2.1/os-aggregates', json={
        'aggregate': {'name': 'zb', 'availability_zone': 'zb'}}).json()
    dep.request('POST', '/v2.1/os-aggregates/%s/action' %
                a['aggregate']['id'], json={'add_host': {'host': host1}})
    resp = dep.request('POST', '/v2.1/os-aggregates/%s/action' %
                       b['aggregate']['id'],
                       json={'add_host': {'host': host1}})
    assert resp.status_code == 409
    assert 'already in availability zone za' in \
        resp.json()['conflictingRequest']['message']
    dep.request('POST', '/v2.1/os-aggregates/%s/action' %
                a['aggregate']['id'], json={'remove_host': {'host': host1}})
    for agg in (a, b):
        dep.request('DELETE', '/v2.1/os-aggregates/%s' %
                    agg['aggregate']['id'])


def test_anti_affinity_group_spreads_then_refuses(dep):
    group = dep.request('POST', '/v2.1/os-server-groups', json={
        'server_group': {'name': 'spread', 'policies': ['anti-affinity']}})
    assert group.status_code == 200, group.text
    group_id = group.json()['server_group']['id']
    ids = []
    for i in range(2):
        ids.append(_boot(dep, 'anti-%d' % i, hints={'group': group_id}))
        dep.wait_for_server(ids[-1])
    hosts = {dep.wait_for_server(i)['OS-EXT-SRV-ATTR:host'] for i in ids}
    assert hosts == set(dep.compute_hosts)
    members = dep.request('GET', '/v2.1/os-server-groups/%s' % group_id
                          ).json()['server_group']['members']
    assert sorted(members) == sorted(ids)
    # Both hosts hold a member: a third has nowhere to go.
    third = dep.wait_for_server(_boot(dep, 'anti-2',
                                      hints={'group': group_id}))
    assert third['status'] == 'ERROR'
    assert 'ServerGroupAntiAffinityFilter' in third['fault']['message']
    _cleanup(dep, ids + [third['id']])
    assert dep.request('DELETE', '/v2.1/os-server-groups/%s' % group_id
                       ).status_code == 204


def test_affinity_group_keeps_members_together(dep):
    group_id = dep.request('POST', '/v2.1/os-server-groups', json={
        'server_group': {'name': 'together', 'policies': ['affinity']}}
    ).json()['server_group']['id']
    ids = []
    for i in range(3):
        ids.append(_boot(dep, 'aff-%d' % i, hints={'group': group_id}))
        dep.wait_for_server(ids[-1])
    hosts = {dep.wait_for_server(i)['OS-EXT-SRV-ATTR:host'] for i in ids}
    assert len(hosts) == 1
    _cleanup(dep, ids)


def test_admin_can_force_a_host_and_users_cannot(dep):
    host1 = dep.compute_hosts[0]
    server = dep.wait_for_server(_boot(dep, 'forced',
                                       availability_zone='nova:%s' % host1))
    assert server['OS-EXT-SRV-ATTR:host'] == host1
    resp = dep.request('POST', '/v2.1/servers', token='bob:p2', json={
        'server': {'name': 'x', 'flavorRef': '1',
                   'imageRef': dep.image['id'],
                   'availability_zone': 'nova:%s' % host1}})
    assert resp.status_code == 403
    _cleanup(dep, [server['id']])


def test_unknown_group_hint_is_rejected(dep):
    resp = dep.request('POST', '/v2.1/servers', json={
        'server': {'name': 'x', 'flavorRef': '1',
                   'imageRef': dep.image['id']},
        'os:scheduler_hints': {'group': 'not-a-uuid'}})
    assert resp.status_code == 400


def test_build_failure_reschedules_to_an_alternate(dep):
    import os
    import subprocess
    import time
    # A third host that looks best (most RAM) but cannot create instance
    # directories: once it is up, its instances_path is made immutable
    # (chattr +i stops even root).
    broken = 'broken-%s' % dep.run_id
    blocked = os.path.join(dep.dir, 'blocked-instances')
    os.makedirs(blocked)
    dep.start_compute(broken, 'instances_path = %s\n[libvirt]\n'
                              'test_node_memory_mb = 65536\n' % blocked)
    # Wait until the scheduler itself ranks it first (its service row can
    # be listed before its resources reach the scheduler).
    probe = {'server': {'name': 'probe', 'flavorRef': '1',
                        'imageRef': dep.image['id']}}
    deadline = time.monotonic() + 30
    first = None
    while first != broken and time.monotonic() < deadline:
        time.sleep(0.2)
        candidates = dep.request('POST', '/v2.1/os-scheduler/dry-run',
                                 json=probe).json()['dry_run']['candidates']
        first = candidates[0]['host'] if candidates else None
    assert first == broken, dep.log(broken)
    subprocess.run(['chattr', '+i', blocked], check=True)
    created = []
    try:
        resp = dep.request('POST', '/v2.1/servers', json={'server': {
            'name': 'resched', 'flavorRef': '1',
            'imageRef': dep.image['id']}})
        request_id = resp.headers['x-openstack-request-id']
        created.append(resp.json()['server']['id'])
        server = dep.wait_for_server(created[0])
        assert server['status'] == 'ACTIVE'
        assert server['OS-EXT-SRV-ATTR:host'] in dep.compute_hosts
        events = dep.request(
            'GET', '/v2.1/servers/%s/os-instance-actions/%s'
            % (server['id'], request_id)).json()['instanceAction']['events']
        # The first attempt spawned on the broken host and failed there;
        # the build then went back to scheduling and on to the alternate.
        names = [e['event'] for e in events]
        assert names.count('scheduling') == 2, names
        assert 'Error' not in [e['result'] for e in events[-4:]]
    finally:
        # Deleted even when an assertion failed, so later tests in this
        # module start with no servers.
        try:
            _cleanup(dep, created)
        finally:
            subprocess.run(['chattr', '-i', blocked], check=True)
            dep.kill(broken, sig=15)


def test_dry_run_explains_without_claiming(dep):
    body = {'server': {'name': 'what-if', 'flavorRef': '2',
                       'imageRef': dep.image['id']}}
    resp = dep.request('POST', '/v2.1/os-scheduler/dry-run', json=body)
    assert resp.status_code == 200, resp.text
    answer = resp.json()['dry_run']
    assert [f['name'] for f in answer['filters']][:2] == [
        'RetryFilter', 'AvailabilityZoneFilter']
    assert {c['host'] for c in answer['candidates']} >= set(
        dep.compute_hosts)
    assert answer['reason'] is None
    weights = [c['weight'] for c in answer['candidates']]
    assert weights == sorted(weights, reverse=True)
    # Nothing was created or claimed.
    assert dep.request('GET', '/v2.1/servers').json()['servers'] == []

    too_big = dict(body, server=dict(body['server'], flavorRef='5'))
    answer = dep.request('POST', '/v2.1/os-scheduler/dry-run',
                         json=too_big).json()['dry_run']
    assert answer['candidates'] == []
    assert answer['reason'].startswith('There are not enough hosts')
    assert answer['filters'][-1]['hosts_out'] == 0
    ram = [f for f in answer['filters'] if f['name'] == 'RamFilter'][0]
    # Both healthy hosts are too small (a host left by another test may
    # pass RamFilter and be dropped later as down).
    assert ram['hosts_in'] - ram['hosts_out'] >= 2
    assert 'RamFilter' in answer['reason']

    denied = dep.request('POST', '/v2.1/os-scheduler/dry-run', json=body,
                         token='bob:p2')
    assert denied.status_code == 403


def test_flavor_extra_specs_steer_to_an_aggregate(dep):
    host1, host2 = dep.compute_hosts
    agg = dep.request('POST', '/v2.1/os-aggregates', json={
        'aggregate': {'name': 'ssd'}}).json()['aggregate']
    dep.request('POST', '/v2.1/os-aggregates/%s/action' % agg['id'],
                json={'add_host': {'host': host2}})
    dep.request('POST', '/v2.1/os-aggregates/%s/action' % agg['id'],
                json={'set_metadata': {'metadata': {'ssd': 'true'}}})
    flavor = dep.request('POST', '/v2.1/flavors', json={'flavor': {
        'name': 'ssd.tiny', 'ram': 256, 'vcpus': 1, 'disk': 1,
        'id': 'ssd-tiny'}})
    assert flavor.status_code == 200, flavor.text
    resp = dep.request('POST', '/v2.1/flavors/ssd-tiny/os-extra_specs',
                       json={'extra_specs': {
                           'aggregate_instance_extra_specs:ssd': 'true'}})
    assert resp.status_code == 200, resp.text
    assert dep.request('GET', '/v2.1/flavors/ssd-tiny/os-extra_specs/'
                       'aggregate_instance_extra_specs:ssd').json() == {
        'aggregate_instance_extra_specs:ssd': 'true'}
    ids = [_boot(dep, 'ssd-%d' % i, flavorRef='ssd-tiny') for i in range(3)]
    servers = [dep.wait_for_server(i) for i in ids]
    assert {s['OS-EXT-SRV-ATTR:host'] for s in servers} == {host2}
    _cleanup(dep, ids)
    dep.request('POST', '/v2.1/os-aggregates/%s/action' % agg['id'],
                json={'remove_host': {'host': host2}})
    dep.request('DELETE', '/v2.1/os-aggregates/%s' % agg['id'])
    assert dep.request('DELETE', '/v2.1/flavors/ssd-tiny').status_code == 202


def test_multi_tenancy_isolation_keeps_other_projects_out(dep):
    host1, host2 = dep.compute_hosts
    agg = dep.request('POST', '/v2.1/os-aggregates', json={
        'aggregate': {'name': 'tenant-a'}}).json()['aggregate']
    dep.request('POST', '/v2.1/os-aggregates/%s/action' % agg['id'],
                json={'add_host': {'host': host1}})
    dep.request('POST', '/v2.1/os-aggregates/%s/action' % agg['id'],
                json={'set_metadata': {'metadata': {
                    'filter_tenant_id': 'project-a'}}})

    def boot_as(token, name):
        resp = dep.request('POST', '/v2.1/servers', token=token, json={
            'server': {'name': name, 'flavorRef': '1',
                       'imageRef': dep.image['id']}})
        assert resp.status_code == 202, resp.text
        return resp.json()['server']['id']
    others = [boot_as('bob:project-b', 'b-%d' % i) for i in range(3)]
    for server_id in others:
        dep.wait_for_server(server_id)
    hosts = {dep.wait_for_server(i)['OS-EXT-SRV-ATTR:host'] for i in others}
    assert hosts == {host2}
    owner = boot_as('alice:project-a', 'a-0')
    assert dep.wait_for_server(owner)['status'] == 'ACTIVE'
    _cleanup(dep, others + [owner])
    dep.request('POST', '/v2.1/os-aggregates/%s/action' % agg['id'],
                json={'remove_host': {'host': host1}})
    dep.request('DELETE', '/v2.1/os-aggregates/%s' % agg['id'])


def test_services_and_hypervisors(dep):
    host1, host2 = dep.compute_hosts
    services = dep.request('GET', '/v2.1/os-services').json()['services']
    by_key = {(s['host'], s['binary']): s for s in services}
    for host in (host1, host2):
        svc = by_key[(host, 'nova-compute')]
        assert (svc['zone'], svc['status'], svc['state']) == (
            'nova', 'enabled', 'up')
    assert {s['zone'] for s in services
            if s['binary'] in ('nova-conductor', 'nova-scheduler')} == {
        'internal'}
    assert dep.request('GET', '/v2.1/os-services', token='bob:p2'
                       ).status_code == 403

    hypervisors = dep.request('GET', '/v2.1/os-hypervisors/detail').json(
        )['hypervisors']
    mine = [h for h in hypervisors if h['service']['host'] in (host1, host2)]
    assert len(mine) == 2
    assert all(h['vcpus'] == 4 and h['memory_mb'] == 4096 and
               h['state'] == 'up' for h in mine)
    stats = dep.request('GET', '/v2.1/os-hypervisors/statistics').json(
        )['hypervisor_statistics']
    assert stats['count'] == len(hypervisors)

    # A disabled host takes no new servers; its reason is shown.
    resp = dep.request('PUT', '/v2.1/os-services/disable-log-reason', json={
        'host': host1, 'binary': 'nova-compute',
        'disabled_reason': 'maintenance'})
    assert resp.status_code == 200, resp.text
    assert resp.json()['service']['status'] == 'disabled'
    svc = [s for s in dep.request('GET', '/v2.1/os-services?host=%s'
                                  % host1).json()['services']][0]
    assert (svc['status'], svc['disabled_reason']) == (
        'disabled', 'maintenance')
    ids = [_boot(dep, 'avoid-%d' % i) for i in range(3)]
    hosts = {dep.wait_for_server(i)['OS-EXT-SRV-ATTR:host'] for i in ids}
    assert hosts == {host2}
    resp = dep.request('PUT', '/v2.1/os-services/enable', json={
        'host': host1, 'binary': 'nova-compute'})
    assert resp.json()['service']['status'] == 'enabled'
    missing = dep.request('PUT', '/v2.1/os-services/enable', json={
        'host': 'nowhere', 'binary': 'nova-compute'})
    assert missing.status_code == 404
    _cleanup(dep, ids)
