"""Boot and delete servers through the REST API against separate daemons.

Runs over the real RabbitMQ with PostgreSQL, MySQL and SQLite, two
nova-compute processes on libvirt's test driver.
"""

import ipaddress

import pytest

BUILD_STEPS = ['scheduling', 'networking', 'block_device_mapping',
               'spawning']


def _boot(dep, name='vm', flavor='1', networks='auto', **extra):
    body = {'server': dict({'name': name, 'flavorRef': flavor,
                            'imageRef': dep.image['id'],
                            'networks': networks}, **extra)}
    return dep.request('POST', '/v2.1/servers', json=body)


def _node_usage(dep, host):
    import sqlalchemy as sa
    engine = sa.create_engine(dep.db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(
                'SELECT memory_mb_used, vcpus_used, running_vms FROM '
                'compute_nodes WHERE host = :h'), {'h': host}).one()
    finally:
        engine.dispose()


def test_boot_reaches_active_through_every_build_step(deployment):
    dep = deployment
    resp = _boot(dep, 'first')
    assert resp.status_code == 202, resp.text
    server_id = resp.json()['server']['id']
    assert resp.headers['Location'].endswith('/servers/%s' % server_id)
    assert resp.headers['x-openstack-request-id'].startswith('req-')
    request_id = resp.headers['x-openstack-request-id']

    server = dep.wait_for_server(server_id)
    assert server['status'] == 'ACTIVE', server
    assert server['OS-EXT-STS:vm_state'] == 'active'
    assert server['OS-EXT-STS:task_state'] is None
    assert server['OS-EXT-STS:power_state'] == 1
    assert server['OS-EXT-SRV-ATTR:host'] in dep.compute_hosts
    assert server['OS-EXT-AZ:availability_zone'] == 'nova'
    [ip] = server['addresses']['private']
    assert ipaddress.ip_address(ip['addr']) in ipaddress.ip_network(
        '10.11.0.0/24')

    action = dep.request('GET', '/v2.1/servers/%s/os-instance-actions/%s'
                         % (server_id, request_id)).json()['instanceAction']
    assert action['action'] == 'create'
    assert [e['event'] for e in action['events']] == BUILD_STEPS
    assert all(e['result'] == 'Success' for e in action['events'])

    # Nova's standard diagnostics from 2.48; libvirt's own keys before.
    diag = dep.request('GET', '/v2.1/servers/%s/diagnostics' % server_id,
                       headers={'OpenStack-API-Version': 'compute 2.48'})
    assert diag.status_code == 200, diag.text
    assert diag.json()['state'] == 'running'
    assert diag.json()['driver'] == 'libvirt'
    assert diag.json()['memory_details']['maximum'] == 512
    assert diag.json()['num_cpus'] == 1
    diag = dep.request('GET', '/v2.1/servers/%s/diagnostics' % server_id)
    assert diag.status_code == 200, diag.text
    assert diag.json()['memory'] == 512 * 1024 and 'cpu0_time' in diag.json()

    assert dep.request('DELETE', '/v2.1/servers/%s' % server_id
                       ).status_code == 204
    dep.wait_gone(server_id)
    host = server['OS-EXT-SRV-ATTR:host']
    assert 'Destroyed domain instance-%s' % server_id in dep.log(host)


def test_two_servers_spread_over_both_hosts_and_free_on_delete(deployment):
    dep = deployment
    # Each host has 4096 MB; one request for two 2 GB servers is placed in
    # one scheduling pass, where RAMWeigher spreads them.
    resp = _boot(dep, 'spread', flavor='2', min_count=2, max_count=2)
    assert resp.status_code == 202, resp.text
    listed = dep.request('GET', '/v2.1/servers').json()['servers']
    ids = [s['id'] for s in listed if s['name'] in ('spread-1', 'spread-2')]
    assert len(ids) == 2
    servers = [dep.wait_for_server(i) for i in ids]
    assert [s['status'] for s in servers] == ['ACTIVE', 'ACTIVE']
    hosts = {s['OS-EXT-SRV-ATTR:host'] for s in servers}
    assert hosts == set(dep.compute_hosts)
    for host in dep.compute_hosts:
        assert tuple(_node_usage(dep, host)) == (2048, 1, 1)
    for server_id in ids:
        dep.request('DELETE', '/v2.1/servers/%s' % server_id)
    for server_id in ids:
        dep.wait_gone(server_id)
    for host in dep.compute_hosts:
        assert tuple(_node_usage(dep, host)) == (0, 0, 0)


def test_no_valid_host_gives_error_with_explained_fault(deployment):
    dep = deployment
    # m1.xlarge needs 16 GB; hosts have 4 GB (x1.5 allocation ratio).
    resp = _boot(dep, 'too-big', flavor='5')
    assert resp.status_code == 202
    server = dep.wait_for_server(resp.json()['server']['id'])
    assert server['status'] == 'ERROR'
    assert server['OS-EXT-STS:task_state'] is None
    assert 'No valid host was found' in server['fault']['message']
    assert 'RamFilter 2 -> 0' in server['fault']['message']
    assert server['fault']['code'] == 500
    assert 'Traceback' not in server['fault']['message']
    assert server['addresses'] == {}
    assert dep.request('DELETE', '/v2.1/servers/%s' % server['id']
                       ).status_code == 204
    dep.wait_gone(server['id'])


def test_networks_none_boots_without_address(deployment):
    dep = deployment
    resp = _boot(dep, 'isolated', networks='none')
    server = dep.wait_for_server(resp.json()['server']['id'])
    assert server['status'] == 'ACTIVE'
    assert server['addresses'] == {}
    dep.request('DELETE', '/v2.1/servers/%s' % server['id'])
    dep.wait_gone(server['id'])


@pytest.mark.parametrize('server, code, message', [
    ({'name': 'x', 'flavorRef': 'nope'}, 400,
     'Flavor nope could not be found.'),
    ({'name': 'x', 'flavorRef': '1', 'imageRef': 'not-a-uuid'}, 400,
     'Invalid image href provided: not-a-uuid.'),
    ({'name': 'x', 'flavorRef': '1',
      'imageRef': '9a2e5f0e-3d1c-4a63-9d1b-33b8fd8d6d11'}, 400,
     'Image 9a2e5f0e-3d1c-4a63-9d1b-33b8fd8d6d11 could not be found.'),
    ({'name': ' padded', 'flavorRef': '1'}, 400,
     'Invalid input for field/attribute name.'),
    ({'name': 'x', 'flavorRef': '1', 'bogus': 1}, 400,
     'Additional properties are not allowed'),
    ({'name': 'x', 'flavorRef': '1', 'metadata': {'k': 1}}, 400,
     'Invalid input for field/attribute k.'),
])
def test_bad_create_requests_are_rejected_with_nova_errors(
        deployment, server, code, message):
    if 'imageRef' not in server and server['flavorRef'] == '1':
        server = dict(server, imageRef=deployment.image['id'])
    resp = deployment.request('POST', '/v2.1/servers',
                              json={'server': server})
    assert resp.status_code == code, resp.text
    body = resp.json()
    assert body['badRequest']['code'] == 400
    assert message in body['badRequest']['message']


def test_image_min_disk_larger_than_flavor_disk_is_rejected(deployment):
    dep = deployment
    # The test image is 1 GB; m1.tiny has a 1 GB disk, so make a 0 GB one
    # fail via a 2 GB min_disk image instead.
    import json
    import os
    import subprocess
    path = os.path.join(dep.dir, 'big.qcow2')
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', path, '2G'],
                   check=True)
    image = json.loads(dep.manage('image', 'import', '--name', 'big', path))
    resp = dep.request('POST', '/v2.1/servers', json={'server': {
        'name': 'x', 'flavorRef': '1', 'imageRef': image['id']}})
    assert resp.status_code == 400
    assert "Flavor's disk is too small for requested image" in \
        resp.json()['badRequest']['message']


def test_malformed_body_and_unknown_server(deployment):
    dep = deployment
    resp = dep.request('POST', '/v2.1/servers', data='{not json',
                       headers={'Content-Type': 'application/json'})
    assert resp.status_code == 400
    assert resp.json()['badRequest']['message'] == 'Malformed request body'
    resp = dep.request('GET', '/v2.1/servers/%s' % ('0' * 32))
    assert resp.status_code == 404
    assert 'itemNotFound' in resp.json()


def test_other_projects_server_is_not_found(deployment):
    dep = deployment
    resp = _boot(dep, 'private')
    server_id = resp.json()['server']['id']
    dep.wait_for_server(server_id)
    other = dep.request('GET', '/v2.1/servers/%s' % server_id,
                        token='bob:other-project')
    assert other.status_code == 404
    listed = dep.request('GET', '/v2.1/servers', token='bob:other-project')
    assert listed.json()['servers'] == []
    assert dep.request('DELETE', '/v2.1/servers/%s' % server_id,
                       token='bob:other-project').status_code == 404
    dep.request('DELETE', '/v2.1/servers/%s' % server_id)
    dep.wait_gone(server_id)


def test_versions_and_flavors_and_images(deployment):
    dep = deployment
    root = dep.request('GET', '/').json()
    v21 = [v for v in root['versions'] if v['id'] == 'v2.1'][0]
    assert v21['status'] == 'CURRENT' and v21['min_version'] == '2.1'
    doc = dep.request('GET', '/v2.1/').json()['version']
    assert {l['rel'] for l in doc['links']} == {'self', 'describedby'}
    flavors = dep.request('GET', '/v2.1/flavors/detail').json()['flavors']
    tiny = [f for f in flavors if f['name'] == 'm1.tiny'][0]
    assert (tiny['id'], tiny['ram'], tiny['vcpus'], tiny['disk']) == \
        ('1', 512, 1, 1)
    images = dep.request('GET', '/v2.1/images/detail').json()['images']
    assert dep.image['id'] in [i['id'] for i in images]
    resp = dep.request('GET', '/v2.1/', headers={
        'OpenStack-API-Version': 'compute 2.999'})
    assert resp.status_code == 406
    resp = dep.request('GET', '/v2.1/flavors', headers={
        'X-OpenStack-Nova-API-Version': 'bogus'})
    assert resp.status_code == 400
