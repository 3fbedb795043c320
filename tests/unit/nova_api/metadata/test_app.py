"""The metadata service's WSGI app (nova_api/metadata/app.py) with a
fake conductor: what a guest may read, what it may not, and what each
answer costs the conductor."""

import json
import logging
import threading

import falcon.testing
import pytest

from common import exception
from common.conf import CONF
from nova_api.metadata import app as metadata_app
from nova_api.metadata import requester
from tests.unit.nova_api.metadata import fakes

A = fakes.instance(1, '10.0.0.5')
B = fakes.instance(2, '10.0.0.6')


@pytest.fixture
def conductor():
    return fakes.Conductor(dict(A), dict(B))


@pytest.fixture
def service(conductor):
    CONF.set_override('service_metadata_proxy', True, 'neutron')
    CONF.set_override('metadata_proxy_shared_secret', fakes.SECRET,
                      'neutron')
    return metadata_app.MetadataService(conductor)


@pytest.fixture
def client(service):
    return falcon.testing.TestClient(metadata_app.create_app(
        service=service))


def _get(client, path, remote='10.0.0.5', **kwargs):
    return client.simulate_get(path, remote_addr=remote, **kwargs)


def _signed(inst, tenant=fakes.PROJECT, secret=fakes.SECRET):
    return {'X-Instance-ID': inst['uuid'], 'X-Tenant-ID': tenant,
            'X-Instance-ID-Signature': requester.sign(inst['uuid'], secret)}


def _leaks(resp, *instances):
    return any(inst['uuid'] in resp.text or inst['key_data'] in resp.text
               for inst in instances)


def test_the_roots_list_the_versions(client):
    ec2 = _get(client, '/').text.split('\n')
    assert ec2[0] == '1.0' and ec2[-2:] == ['2009-04-04', 'latest']
    openstack = _get(client, '/openstack').text.split('\n')
    assert openstack[0] == '2012-08-10' and openstack[-1] == 'latest'
    assert _get(client, '/openstack/').text.split('\n') == openstack
    resp = _get(client, '/openstack/latest/')
    assert resp.text.split('\n') == [
        'meta_data.json', 'user_data', 'password', 'vendor_data.json',
        'network_data.json', 'vendor_data2.json']
    assert resp.headers['Content-Type'] == 'text/plain; charset=UTF-8'


def test_a_guest_reads_its_own_tree_by_its_address(client):
    meta = _get(client, '/openstack/latest/meta_data.json').json
    assert meta['uuid'] == A['uuid'] and meta['hostname'] == 'vm-1'
    assert _get(client, '/openstack/latest/meta_data.json',
                remote='10.0.0.6').json['uuid'] == B['uuid']
    assert _get(client, '/latest/meta-data/local-ipv4').text == '10.0.0.5'
    assert _get(client, '/openstack/latest/user_data').content == \
        b'#!/bin/sh\necho vm-1\n'


@pytest.mark.parametrize('path', [
    '/openstack/latest/meta_data.json', '/openstack/latest/meta_data.json/',
    '/openstack/2018-08-27/network_data.json/',
    '/openstack/latest/vendor_data2.json',
    '//openstack//latest//meta_data.json'])
def test_json_files_say_so_with_or_without_a_trailing_slash(client, path):
    resp = _get(client, path)
    assert resp.status_code == 200
    assert resp.headers['Content-Type'] == 'application/json'
    json.loads(resp.text)


def test_other_files_are_bytes_and_listings_text(client):
    assert _get(client, '/openstack/latest/user_data').headers[
        'Content-Type'] == 'application/octet-stream'
    assert _get(client, '/latest/meta-data/').headers[
        'Content-Type'] == 'text/plain; charset=UTF-8'


@pytest.mark.parametrize('path', [
    '/openstack/latest/../latest/meta_data.json',
    '/openstack/../openstack/latest/meta_data.json',
    '/openstack/latest/%2e%2e/latest/meta_data.json',
    '/openstack/latest/%2E%2E/%2e%2e/etc/passwd',
    '/openstack/%2e%2e%2fopenstack/latest/meta_data.json',
    '/openstack/latest/./meta_data.json',
    '//..//openstack/latest/meta_data.json',
    '/openstack//..//latest/meta_data.json',
    '//etc/passwd', '/../../etc/passwd',
    '/openstack/1999-01-01/meta_data.json', '/openstack/LATEST/',
    '/openstack/2012-08-10/network_data.json',
    '/openstack/2012-08-10/password',
    '/openstack/latest/meta_data.json/more', '/openstack/latest/nothing',
    '/1999-09-09/meta-data/', '/latest/meta-data/nothing',
    '/latest/meta-data/local-ipv4/more', '/latest/meta-data/%00',
    '/openstack/latest/meta_data.json%00', '/latest/user-data/x',
])
def test_traversal_unknown_paths_and_versions_are_404(client, path):
    resp = _get(client, path)
    assert resp.status_code == 404, (path, resp.text)
    assert resp.headers['Content-Type'] == 'text/plain; charset=UTF-8'
    assert not _leaks(resp, A, B)


def test_an_unknown_address_is_404_and_kept_as_such(client, conductor):
    for _ in range(3):
        resp = _get(client, '/openstack/latest/meta_data.json',
                    remote='10.0.0.99')
        assert resp.status_code == 404 and not _leaks(resp, A, B)
    assert conductor.calls == [('instance_get_by_fixed_ip', '10.0.0.99')]


def test_a_deleted_instance_is_404(client, conductor):
    conductor.delete(A['uuid'])
    for headers, remote in ((_signed(A), '192.0.2.1'), ({}, '10.0.0.5')):
        resp = _get(client, '/openstack/latest/meta_data.json',
                    remote=remote, headers=headers)
        assert resp.status_code == 404 and not _leaks(resp, A)


def test_a_signed_proxy_request_reads_its_instance(client):
    resp = _get(client, '/openstack/latest/meta_data.json',
                remote='192.0.2.1', headers=_signed(B))
    assert resp.json['uuid'] == B['uuid']


@pytest.mark.parametrize('headers', [
    lambda: dict(_signed(A), **{'X-Instance-ID-Signature': ''}),
    lambda: {k: v for k, v in _signed(A).items() if 'Signature' not in k},
    lambda: dict(_signed(A), **{'X-Instance-ID-Signature': '0' * 64}),
    lambda: dict(_signed(A), **{'X-Instance-ID-Signature':
                                requester.sign(B['uuid'], fakes.SECRET)}),
    lambda: _signed(A, secret='a guess'),
], ids=['empty', 'missing', 'wrong', 'another-instance', 'other-secret'])
def test_a_bad_signature_is_403_and_tells_nothing(client, conductor,
                                                  headers):
    resp = _get(client, '/openstack/latest/meta_data.json',
                remote='192.0.2.1', headers=headers())
    assert resp.status_code == 403
    assert resp.text == 'Invalid proxy request signature.\n'
    assert not _leaks(resp, A, B)
    assert conductor.calls == []


def test_another_tenant_is_404(client):
    resp = _get(client, '/openstack/latest/meta_data.json',
                remote='192.0.2.1', headers=_signed(A, tenant='project-b'))
    assert resp.status_code == 404 and not _leaks(resp, A)


def test_a_signed_id_that_is_no_uuid_asks_no_one(client, conductor):
    headers = _signed(dict(A, uuid='../../etc/passwd'))
    resp = _get(client, '/openstack/latest/meta_data.json',
                remote='192.0.2.1', headers=headers)
    assert resp.status_code == 404
    assert conductor.calls == []


def test_a_crawl_costs_one_conductor_call_and_logs_it(client, conductor,
                                                      caplog):
    caplog.set_level(logging.DEBUG, logger='nova_api.metadata')
    for path in ('/openstack', '/openstack/latest/',
                 '/openstack/latest/meta_data.json',
                 '/openstack/latest/user_data',
                 '/openstack/latest/network_data.json',
                 '/openstack/latest/vendor_data.json',
                 '/openstack/latest/vendor_data2.json',
                 '/openstack/latest/password', '/latest/meta-data/',
                 '/latest/meta-data/instance-id'):
        assert _get(client, path).status_code == 200, path
    assert conductor.calls == [('instance_get_by_fixed_ip', '10.0.0.5')]
    asked = [r.getMessage() for r in caplog.records
             if 'asking the conductor' in r.getMessage()]
    assert asked == ['Metadata: asking the conductor for the instance by '
                     'address 10.0.0.5']


def test_a_cached_answer_is_the_same_bytes(client):
    first = _get(client, '/openstack/latest/meta_data.json')
    again = _get(client, '/openstack/latest/meta_data.json/')
    assert first.content == again.content
    # The random seed too: one per cached tree.
    assert first.json['random_seed'] == again.json['random_seed']


def test_concurrent_guests_of_one_instance_cost_one_call(service, client,
                                                         conductor):
    held = threading.Event()
    plain = conductor.instance_get_by_fixed_ip

    def slow(ctxt, address):
        held.wait(10)
        return plain(ctxt, address)
    conductor.instance_get_by_fixed_ip = slow
    codes = []
    threads = [threading.Thread(target=lambda: codes.append(_get(
        client, '/openstack/latest/meta_data.json').status_code))
        for _ in range(8)]
    for thread in threads:
        thread.start()
    while service.cache.loads < 1:
        threading.Event().wait(0.001)
    threading.Event().wait(0.05)
    held.set()
    for thread in threads:
        thread.join(10)
    assert codes == [200] * 8
    assert len(conductor.calls) == 1


def test_with_no_cache_every_get_asks(conductor):
    CONF.set_override('metadata_cache_expiration', 0, 'api')
    client = falcon.testing.TestClient(metadata_app.create_app(conductor))
    for _ in range(3):
        assert _get(client, '/openstack/latest/meta_data.json').json[
            'uuid'] == A['uuid']
    assert len(conductor.calls) == 3


def test_the_guest_posts_its_password_once(client, conductor):
    url = '/openstack/latest/password'
    assert _get(client, url).content == b''
    resp = client.simulate_post(url, body='sealed', remote_addr='10.0.0.5')
    assert resp.status_code == 200 and resp.text == ''
    assert conductor.instances[A['uuid']]['password'] == 'sealed'
    # Read back at once: what was kept of it is dropped.
    assert _get(client, url).content == b'sealed'
    again = client.simulate_post(url, body='other', remote_addr='10.0.0.5')
    assert again.status_code == 409
    assert conductor.instances[A['uuid']]['password'] == 'sealed'
    # By a signed proxy, to the instance it names.
    resp = client.simulate_post('/openstack/2013-04-04/password',
                                body='for-b', remote_addr='192.0.2.1',
                                headers=_signed(B))
    assert resp.status_code == 200
    assert conductor.instances[B['uuid']]['password'] == 'for-b'


@pytest.mark.parametrize('body, code', [
    ('x' * 1020, 200), ('x' * 1021, 413), ('', 400), (b'\xff\xfe', 400),
    (b'\x00', 400), (b'sealed\x00tail', 400)])
def test_a_password_too_big_empty_or_not_text_is_refused(client, conductor,
                                                         body, code):
    resp = client.simulate_post('/openstack/latest/password', body=body,
                                remote_addr='10.0.0.5')
    assert resp.status_code == code, resp.text
    if code == 413:
        # The rest of the body is not read: the connection must end.
        assert resp.headers['Connection'] == 'close'
    stored = conductor.instances[A['uuid']]['password']
    assert stored == (body if code == 200 else None)


@pytest.mark.parametrize('path', [
    '/openstack/latest/meta_data.json', '/openstack/password',
    '/openstack/2012-08-10/password', '/latest/password',
    '/openstack/latest/password/x'])
def test_posts_elsewhere_are_refused(client, conductor, path):
    resp = client.simulate_post(path, body='x', remote_addr='10.0.0.5')
    assert resp.status_code in (404, 405), resp.text
    if resp.status_code == 405:
        assert resp.headers['Allow'] == 'GET, HEAD'
    assert all(call[0] != 'instance_password_set'
               for call in conductor.calls)


@pytest.mark.parametrize('method', ['PUT', 'DELETE', 'PATCH'])
def test_other_methods_are_405_with_allow(client, method):
    resp = client.simulate_request(method, '/openstack/latest/password',
                                   remote_addr='10.0.0.5')
    assert resp.status_code == 405
    assert resp.headers['Allow'] == 'GET, HEAD, POST'


def test_head_answers_as_get_without_a_body(client):
    resp = client.simulate_head('/openstack/latest/meta_data.json',
                                remote_addr='10.0.0.5')
    assert resp.status_code == 200 and resp.content == b''
    assert resp.headers['Content-Type'] == 'application/json'


def test_an_unexpected_error_is_500_without_a_traceback(client, conductor,
                                                        caplog):
    def broken(ctxt, address):
        raise KeyError('secret-internal-detail')
    conductor.instance_get_by_fixed_ip = broken
    resp = _get(client, '/openstack/latest/meta_data.json')
    assert resp.status_code == 500
    assert resp.text == 'Unexpected error.\n'
    assert 'Traceback' in caplog.text  # in the log, not the answer


def test_a_conductor_that_does_not_answer_is_503(client, conductor):
    def silent(ctxt, address):
        raise exception.ServiceUnavailable(service='conductor',
                                           reason='no reply')
    conductor.instance_get_by_fixed_ip = silent
    resp = _get(client, '/openstack/latest/meta_data.json')
    assert resp.status_code == 503 and 'Traceback' not in resp.text


def _hand_over(service, conductor, address, number):
    """Delete whoever holds `address` and boot instance `number` on it,
    with the message the conductor sends every metadata service when it
    hands the address out."""
    for inst in list(conductor.instances.values()):
        if any(ip['address'] == address for ip in inst['fixed_ips']):
            conductor.delete(inst['uuid'])
    new = fakes.instance(number, address)
    conductor.add(new)
    service.forget_addresses([address])
    return new


def test_an_address_handed_to_a_new_instance_answers_for_it_at_once(
        service, client, conductor):
    url = '/openstack/latest/meta_data.json'
    assert _get(client, url).json['uuid'] == A['uuid']
    assert _get(client, '/openstack/latest/password').content == b''
    c = _hand_over(service, conductor, '10.0.0.5', 3)
    resp = _get(client, url)
    assert resp.json['uuid'] == c['uuid'] and not _leaks(resp, A)
    assert _get(client, '/latest/meta-data/public-keys/0/openssh-key'
                ).text == c['key_data']
    # Its password lands on it, not on the instance deleted.
    assert client.simulate_post('/openstack/latest/password', body='c-pw',
                                remote_addr='10.0.0.5').status_code == 200
    assert conductor.instances[c['uuid']]['password'] == 'c-pw'
    assert conductor.instances[A['uuid']]['password'] is None


def test_an_unknown_address_kept_as_such_answers_once_handed_out(
        service, client, conductor):
    url = '/openstack/latest/meta_data.json'
    assert _get(client, url, remote='10.0.0.9').status_code == 404
    c = _hand_over(service, conductor, '10.0.0.9', 3)
    assert _get(client, url, remote='10.0.0.9').json['uuid'] == c['uuid']


def test_an_address_handed_out_during_its_load_is_not_kept(
        service, client, conductor):
    """The load read the deleted instance just before the hand-over, and
    comes back after it: what it brought is not kept for the new one."""
    url = '/openstack/latest/meta_data.json'
    read, release = threading.Event(), threading.Event()
    plain = conductor.instance_get_by_fixed_ip

    def slow(ctxt, address):
        found = plain(ctxt, address)
        read.set()
        assert release.wait(10)
        return found
    conductor.instance_get_by_fixed_ip = slow
    first = []
    thread = threading.Thread(
        target=lambda: first.append(_get(client, url).json['uuid']))
    thread.start()
    assert read.wait(10)
    conductor.instance_get_by_fixed_ip = plain
    c = _hand_over(service, conductor, '10.0.0.5', 3)
    release.set()
    thread.join(10)
    assert first == [A['uuid']]  # asked before the hand-over
    assert _get(client, url).json['uuid'] == c['uuid']
