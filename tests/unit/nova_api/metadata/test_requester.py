"""Who is asking (nova_api/metadata/requester.py): a signed proxy
header, or the caller's address, believed only from trusted proxies."""

import falcon.testing
import pytest

from common import exception
from common.conf import CONF
from nova_api.metadata import requester
from tests.unit.nova_api.metadata import fakes

UUID = '6c5b6f4a-3f7e-4f0a-9f31-1c2d3e4f5a6b'
OTHER = '7d6c7a5b-4a8f-4b1b-8a42-2d3e4f5a6b7c'


@pytest.fixture
def proxied():
    CONF.set_override('service_metadata_proxy', True, 'neutron')
    CONF.set_override('metadata_proxy_shared_secret', fakes.SECRET,
                      'neutron')


def _req(remote='10.0.0.5', **headers):
    return falcon.testing.create_req(
        path='/openstack/latest/meta_data.json', remote_addr=remote,
        headers={k.replace('_', '-'): v for k, v in headers.items()})


def _signed(instance_id=UUID, signature=None, tenant=fakes.PROJECT):
    headers = {'X-Instance-ID': instance_id, 'X-Tenant-ID': tenant}
    if signature is not False:
        headers['X-Instance-ID-Signature'] = signature if signature \
            is not None else requester.sign(instance_id, fakes.SECRET)
    return headers


def test_the_signature_is_hmac_sha256_of_the_id_in_hex():
    # Known answer, computed apart from the code under test:
    # printf %s <id> | openssl dgst -sha256 -hmac shared-secret
    assert requester.sign(UUID, fakes.SECRET) == (
        '6f50adbf435da726e6a10d723fa83855fbf2d04f5d071da699c18f7be7c3fad9')


def test_a_correctly_signed_request_names_its_instance_and_tenant(proxied):
    assert requester.identify(_req(**_signed())) == (
        requester.BY_UUID, UUID, fakes.PROJECT)


@pytest.mark.parametrize('headers', [
    _signed(signature=False),
    _signed(signature=''),
    _signed(signature='0' * 64),
    _signed(signature=requester.sign(OTHER, fakes.SECRET)),
    _signed(signature=requester.sign(UUID, 'a guess')),
    _signed(signature=requester.sign(UUID, fakes.SECRET).upper()),
], ids=['missing', 'empty', 'wrong', 'another-instance', 'other-secret',
        'upper-case'])
def test_a_bad_signature_is_forbidden(proxied, headers, caplog):
    with pytest.raises(exception.Forbidden) as info:
        requester.identify(_req(**headers))
    assert info.value.code == 403
    assert UUID not in info.value.message
    assert 'X-Instance-ID-Signature' in caplog.text


def test_without_a_secret_no_proxy_request_is_believed(proxied):
    CONF.set_override('metadata_proxy_shared_secret', '', 'neutron')
    for signature in (requester.sign(UUID, ''), ''):
        with pytest.raises(exception.Forbidden):
            requester.identify(_req(**_signed(signature=signature)))


def test_proxy_headers_are_ignored_unless_a_proxy_is_configured():
    assert requester.identify(_req(**_signed())) == (
        requester.BY_ADDRESS, '10.0.0.5')


def test_a_signed_request_without_a_tenant_is_invalid(proxied):
    headers = _signed()
    del headers['X-Tenant-ID']
    with pytest.raises(exception.Invalid):
        requester.identify(_req(**headers))


@pytest.mark.parametrize('instance_id', [
    'not-a-uuid', UUID.upper(), UUID.replace('-', ''), '{%s}' % UUID,
    UUID + '0', '../' + UUID, 'x' * 5000])
def test_a_signed_id_that_is_no_instance_uuid_is_not_found(proxied,
                                                           instance_id):
    # Correctly signed (the proxy vouches for it), yet no instance's.
    with pytest.raises(exception.MetadataNotFound):
        requester.identify(_req(**_signed(instance_id)))


def test_the_source_address_is_the_caller_without_a_trusted_proxy():
    assert requester.identify(_req('10.0.0.7')) == (
        requester.BY_ADDRESS, '10.0.0.7')
    # X-Forwarded-For from an address not trusted: ignored.
    CONF.set_override('trusted_proxies', ['127.0.0.1'], 'api')
    assert requester.identify(_req(
        '10.0.0.7', X_Forwarded_For='10.0.0.9')) == (
            requester.BY_ADDRESS, '10.0.0.7')


def test_a_trusted_proxy_forwards_the_address_it_saw():
    CONF.set_override('trusted_proxies', ['127.0.0.1'], 'api')
    assert requester.identify(_req(
        '127.0.0.1', X_Forwarded_For='10.0.0.9')) == (
            requester.BY_ADDRESS, '10.0.0.9')
    # The last entry is what the trusted proxy saw; earlier ones are
    # whatever the client claimed.
    assert requester.identify(_req(
        '127.0.0.1', X_Forwarded_For='10.0.0.1, 10.0.0.9 ')) == (
            requester.BY_ADDRESS, '10.0.0.9')
    # Written alike, whatever the spelling.
    assert requester.identify(_req(
        '127.0.0.1', X_Forwarded_For='0:0::0:1')) == (
            requester.BY_ADDRESS, '::1')
    # No header: the proxy itself asks.
    assert requester.identify(_req('127.0.0.1')) == (
        requester.BY_ADDRESS, '127.0.0.1')


@pytest.mark.parametrize('forwarded', [
    'not-an-address', '10.0.0.256', '10.0.0.5/24', "10.0.0.5' OR 1=1",
    '10.0.0.5,', ' , ', '\u0661\u0660.0.0.5'])
def test_junk_from_a_trusted_proxy_is_not_found(forwarded):
    CONF.set_override('trusted_proxies', ['127.0.0.1'], 'api')
    with pytest.raises(exception.MetadataNotFound):
        requester.identify(_req('127.0.0.1', X_Forwarded_For=forwarded))
