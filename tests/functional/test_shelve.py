"""shelve, shelveOffload and unshelve through the whole chain: states,
events, the shelved image, allocations given back on offload and taken
again on unshelve, quota usage, the periodic offload, and Nova's
2.77/2.91 rules for where an unshelve goes.

compute1 keeps shelved servers for a few seconds (its periodic task then
offloads them); compute2 offloads at once (shelved_offload_time 0).
"""

import time

import pytest

from tests.functional import deployment as deployment_mod

KEEP = 4


def _version(text):
    # A new dict each time: request() adds the token to the one it gets.
    return {'OpenStack-API-Version': 'compute %s' % text}


@pytest.fixture(scope='module')
def dep():
    d = deployment_mod.Deployment(
        'postgresql', extra_conf='[DEFAULT]\nshutdown_timeout = 0\n',
        compute_conf={
            'compute1': 'shelved_offload_time = %d\n'
                        'shelved_poll_interval = 1\n' % KEEP,
            'compute2': 'shelved_offload_time = 0\n'})
    d.start()
    yield d
    d.stop()


def _boot(dep, name, host):
    return dep.boot(name, availability_zone='nova:%s' % host)


def _show(dep, server_id, headers=None):
    return dep.request('GET', '/v2.1/servers/%s' % server_id,
                       headers=headers or {}).json()['server']


def _used(dep):
    """vCPUs in use on each compute host."""
    return {h['service']['host']: h['vcpus_used'] for h in dep.request(
        'GET', '/v2.1/os-hypervisors/detail').json()['hypervisors']}


def _cores_used(dep):
    return dep.request('GET', '/v2.1/limits').json()['limits'][
        'absolute']['totalCoresUsed']


def _events(dep, server_id, resp):
    action = dep.request('GET', '/v2.1/servers/%s/os-instance-actions/%s' % (
        server_id, resp.headers['x-openstack-request-id'])).json(
        )['instanceAction']
    return action['action'], [(e['event'], e['result'])
                              for e in action['events']]


def _shelved_images(dep, name):
    return [i for i in dep.request('GET', '/image/v2/images').json()[
        'images'] if i['name'] == '%s-shelved' % name]


def test_offload_at_once_then_unshelve_to_a_host(dep):
    host1, host2 = dep.compute_hosts
    server = _boot(dep, 'shelf-now', host2)
    used, cores = _used(dep), _cores_used(dep)
    resp = dep.action(server['id'], {'shelve': None})
    assert resp.status_code == 202, resp.text
    shelved = dep.settle(server['id'], 'SHELVED_OFFLOADED')
    assert shelved['OS-EXT-STS:vm_state'] == 'shelved_offloaded'
    assert shelved['OS-EXT-SRV-ATTR:host'] is None
    assert shelved['OS-EXT-STS:power_state'] == 0
    assert _events(dep, server['id'], resp) == ('shelve', [
        ('shelving', 'Success'), ('shelving_image_pending_upload', 'Success'),
        ('shelving_image_uploading', 'Success'),
        ('shelving_offloading', 'Success')])
    # Its host holds nothing for it; its quota is still counted, as Nova.
    assert _used(dep)[host2] == used[host2] - 1
    assert _cores_used(dep) == cores
    [image] = _shelved_images(dep, 'shelf-now')
    assert (image['status'], image['image_type'], image['instance_uuid']) \
        == ('active', 'snapshot', server['id'])

    # 2.91: to a named host (admin), scheduled and claimed there.
    resp = dep.action(server['id'], {'unshelve': {'host': host1}},
                      headers=_version('2.91'))
    assert resp.status_code == 202, resp.text
    back = dep.settle(server['id'], 'ACTIVE')
    assert back['OS-EXT-SRV-ATTR:host'] == host1
    assert back['OS-EXT-STS:power_state'] == 1
    assert back['addresses'] == server['addresses']
    assert _used(dep) == dict(used, **{host1: used[host1] + 1,
                                       host2: used[host2] - 1})
    assert _events(dep, server['id'], resp) == ('unshelve', [
        ('unshelving', 'Success'), ('spawning', 'Success')])
    # The shelved image went once the server ran again.
    assert _shelved_images(dep, 'shelf-now') == []
    dep.request('DELETE', '/v2.1/servers/%s' % server['id'])
    dep.wait_gone(server['id'])


def test_shelved_unshelves_in_place_and_periodic_offload(dep):
    host1 = dep.compute_hosts[0]
    server = _boot(dep, 'shelf-keep', host1)
    used = _used(dep)
    assert dep.action(server['id'], {'shelve': None}).status_code == 202
    shelved = dep.settle(server['id'], 'SHELVED')
    assert shelved['OS-EXT-SRV-ATTR:host'] == host1
    assert shelved['OS-EXT-STS:power_state'] == 4
    assert _used(dep) == used
    # Unshelving a SHELVED server just powers it on where it is; a zone
    # or a host then conflicts.
    resp = dep.action(server['id'], {'unshelve': {'host': host1}},
                      headers=_version('2.91'))
    assert resp.status_code == 409, resp.text
    resp = dep.action(server['id'], {'unshelve': None})
    assert resp.status_code == 202
    back = dep.settle(server['id'], 'ACTIVE')
    assert back['OS-EXT-SRV-ATTR:host'] == host1
    assert _events(dep, server['id'], resp) == ('unshelve', [
        ('unshelving', 'Success')])
    assert _shelved_images(dep, 'shelf-keep') == []

    # Shelved again, kept KEEP seconds, then offloaded by compute1.
    started = time.monotonic()
    assert dep.action(server['id'], {'shelve': None}).status_code == 202
    dep.settle(server['id'], 'SHELVED')
    gone = dep.settle(server['id'], 'SHELVED_OFFLOADED', timeout=KEEP + 20)
    assert time.monotonic() - started >= KEEP - 1
    assert gone['OS-EXT-SRV-ATTR:host'] is None
    assert _used(dep)[host1] == used[host1] - 1

    # 2.77: to an availability zone.
    resp = dep.action(server['id'], {'unshelve': {
        'availability_zone': 'nova'}}, headers=_version('2.77'))
    assert resp.status_code == 202, resp.text
    assert dep.settle(server['id'], 'ACTIVE')[
        'OS-EXT-AZ:availability_zone'] == 'nova'
    dep.request('DELETE', '/v2.1/servers/%s' % server['id'])
    dep.wait_gone(server['id'])


def test_shelve_offload_action_and_errors(dep):
    host1 = dep.compute_hosts[0]
    server = _boot(dep, 'shelf-errors', host1)
    sid = server['id']
    for body in ({'unshelve': None}, {'shelveOffload': None}):
        resp = dep.action(sid, body)
        assert resp.status_code == 409, resp.text
        assert 'vm_state active' in resp.json()['conflictingRequest'][
            'message']
    # Before 2.91 there is no host; an unknown zone or host is 400.
    assert dep.action(sid, {'unshelve': {'host': host1}},
                      headers=_version('2.77')).status_code == 400
    # Only admins may offload or choose a host: a member of the project
    # may not.
    resp = dep.action(sid, {'shelveOffload': None}, token='bob:admin')
    assert resp.status_code == 403, resp.text
    resp = dep.action(sid, {'unshelve': {'host': host1}}, token='bob:admin',
                      headers=_version('2.91'))
    assert resp.status_code == 403, resp.text

    assert dep.action(sid, {'shelve': None}).status_code == 202
    dep.settle(sid, 'SHELVED')
    resp = dep.action(sid, {'shelveOffload': None})
    assert resp.status_code == 202, resp.text
    offloaded = dep.settle(sid, 'SHELVED_OFFLOADED')
    assert offloaded['OS-EXT-SRV-ATTR:host'] is None
    assert _events(dep, sid, resp) == ('shelveOffload', [
        ('shelving_offloading', 'Success')])
    assert dep.action(sid, {'shelve': None}).status_code == 409
    for body, headers in (
            ({'availability_zone': 'nowhere'}, _version('2.77')),
            ({'host': 'no-such-host'}, _version('2.91'))):
        resp = dep.action(sid, {'unshelve': body}, headers=headers)
        assert resp.status_code == 400, resp.text
        assert _show(dep, sid)['status'] == 'SHELVED_OFFLOADED'
    # A host that takes nothing: the unshelve is accepted, finds no
    # host, and the server stays offloaded, holding nothing, with the
    # reason in its action.
    used = _used(dep)
    resp = dep.request('PUT', '/v2.1/os-services/disable', json={
        'host': host1, 'binary': 'nova-compute'})
    assert resp.status_code == 200, resp.text
    try:
        resp = dep.action(sid, {'unshelve': {'host': host1}},
                          headers=_version('2.91'))
        assert resp.status_code == 202, resp.text
    finally:
        dep.request('PUT', '/v2.1/os-services/enable', json={
            'host': host1, 'binary': 'nova-compute'})
    failed = dep.settle(sid, 'SHELVED_OFFLOADED')
    assert failed['OS-EXT-SRV-ATTR:host'] is None
    assert _used(dep) == used
    assert _events(dep, sid, resp) == ('unshelve', [
        ('unshelving', 'Error')])
    [shelved] = _shelved_images(dep, 'shelf-errors')
    dep.request('DELETE', '/v2.1/servers/%s' % sid)
    dep.wait_gone(sid)
    # Its shelved image went with it.
    assert _shelved_images(dep, 'shelf-errors') == []
