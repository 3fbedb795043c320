"""SigV4 as botocore signs it, checked by nova_api/ec2/auth.py with keys
kept by the conductor (noauth)."""

import datetime

import pytest

from common import exception
from nova_api.ec2 import app as ec2_app
from nova_api.ec2 import auth
from nova_api.ec2 import errors
from tests.unit.nova_api.ec2 import signing

PARAMS = {'Action': 'DescribeRegions', 'Version': '2016-11-15'}


class Conductor:
    def __init__(self):
        self.gets = 0

    def ec2_credential_get(self, ctxt, access):
        self.gets += 1
        if access != 'AKTEST':
            raise exception.NotFound('no such key')
        return {'access': 'AKTEST', 'secret': 's3cret', 'user_id': 'alice',
                'project_id': 'p1'}


def _authenticate(environ, conductor=None):
    request, _params = ec2_app._read(environ)
    return auth.LocalKeys(conductor or Conductor()).authenticate(
        request, 'req-1')


def test_a_botocore_signature_authenticates_its_owner():
    ctxt = _authenticate(signing.signed(PARAMS))
    assert (ctxt.user_id, ctxt.project_id, ctxt.roles, ctxt.is_admin) == (
        'alice', 'p1', ['reader', 'member'], False)


def test_a_presigned_url_authenticates():
    ctxt = _authenticate(signing.signed(PARAMS, presign=True))
    assert ctxt.project_id == 'p1'


def test_any_region_name_signs():
    assert _authenticate(signing.signed(PARAMS, region='us-east-1'))


def test_a_wrong_secret_does_not_match():
    with pytest.raises(errors.SignatureDoesNotMatch) as caught:
        _authenticate(signing.signed(PARAMS, secret='guess'))
    assert caught.value.status == 403


def test_a_changed_body_does_not_match():
    environ = signing.signed(PARAMS)
    body = environ['wsgi.input'].read().replace(b'Regions', b'Images')
    environ['wsgi.input'] = __import__('io').BytesIO(body)
    environ['CONTENT_LENGTH'] = str(len(body))
    with pytest.raises(errors.SignatureDoesNotMatch):
        _authenticate(environ)


def test_an_unknown_key_is_an_auth_failure():
    with pytest.raises(errors.AuthFailure) as caught:
        _authenticate(signing.signed(PARAMS, access='AKNOBODY'))
    assert caught.value.status == 401
    assert 'validate the provided access credentials' in \
        caught.value.message


@pytest.mark.parametrize('minutes', [-6, 6])
def test_a_signature_more_than_5_minutes_off_is_refused(minutes):
    when = datetime.datetime.now(datetime.timezone.utc) + \
        datetime.timedelta(minutes=minutes)
    conductor = Conductor()
    with pytest.raises(errors.AuthFailure) as caught:
        _authenticate(signing.signed(PARAMS, when=when), conductor)
    assert 'more than 5 minutes' in caught.value.message
    # Refused before any key is read.
    assert conductor.gets == 0


def test_4_minutes_off_is_still_good():
    when = datetime.datetime.now(datetime.timezone.utc) - \
        datetime.timedelta(minutes=4)
    assert _authenticate(signing.signed(PARAMS, when=when))


@pytest.mark.parametrize('header', [
    'AWS4-HMAC-SHA256 Credential=AKTEST/20260101/r/ec2/aws4_request',
    'AWS AKTEST:c2lnbmF0dXJl',
    'AWS4-HMAC-SHA256 Credential=AKTEST, SignedHeaders=host, Signature=' +
    '0' * 64,
    'AWS4-HMAC-SHA256 Credential=AKTEST/20260101/r/ec2/aws4_request, '
    'SignedHeaders=x-amz-date;host, Signature=' + '0' * 64,
])
def test_malformed_authorization_is_an_auth_failure(header):
    environ = signing.signed(PARAMS)
    environ['HTTP_AUTHORIZATION'] = header
    with pytest.raises(errors.AuthFailure):
        _authenticate(environ)


def test_unsigned_and_signature_v2_requests_are_refused():
    environ = signing.signed(PARAMS)
    del environ['HTTP_AUTHORIZATION']
    with pytest.raises(errors.AuthFailure, match='not signed'):
        _authenticate(environ)
    environ['QUERY_STRING'] = 'AWSAccessKeyId=AKTEST&Signature=abc'
    with pytest.raises(errors.AuthFailure, match='Version 2'):
        _authenticate(environ)


def test_keys_are_read_once_per_cache_period():
    conductor = Conductor()
    keys = auth.LocalKeys(conductor)
    for _ in range(3):
        request, _params = ec2_app._read(signing.signed(PARAMS))
        keys.authenticate(request, 'req-1')
    assert conductor.gets == 1


def test_the_admin_user_is_an_admin():
    class Admin(Conductor):
        def ec2_credential_get(self, ctxt, access):
            return dict(super().ec2_credential_get(ctxt, access),
                        user_id='admin')
    ctxt = _authenticate(signing.signed(PARAMS), Admin())
    assert ctxt.is_admin and 'admin' in ctxt.roles
