"""The EC2 WSGI app's envelope: every failure is an EC2 error document
with its code and status, and nothing else leaves it."""

import io
import xml.etree.ElementTree as ET

import pytest

from nova_api.ec2 import app as ec2_app
from tests.unit.nova_api.ec2 import signing
from tests.unit.nova_api.ec2.test_auth import Conductor

NS = '{http://ec2.amazonaws.com/doc/2016-11-15/}'


@pytest.fixture(scope='module')
def app():
    return ec2_app.EC2App(Conductor())


def _call(app, environ):
    answer = {}

    def start_response(status, headers):
        answer['status'] = int(status.split()[0])
        answer['headers'] = dict(headers)
    body = b''.join(app(environ, start_response))
    assert answer['headers']['Content-Type'].startswith('text/xml')
    return answer['status'], ET.fromstring(body)


def _error(root):
    assert root.tag == 'Response', ET.tostring(root)
    error = root.find('Errors/Error')
    assert root.find('RequestID').text
    return error.find('Code').text, error.find('Message').text


def test_a_signed_describe_regions_answers_the_region(app):
    status, root = _call(app, signing.signed(
        {'Action': 'DescribeRegions', 'Version': '2016-11-15'}))
    assert status == 200
    assert root.tag == NS + 'DescribeRegionsResponse'
    region = root.find(NS + 'regionInfo/' + NS + 'item')
    assert region.find(NS + 'regionName').text == 'RegionOne'
    assert region.find(NS + 'regionEndpoint').text == signing.HOST


@pytest.mark.parametrize('params,status,code,words', [
    ({'Action': 'FlyToTheMoon'}, 400, 'InvalidAction', 'FlyToTheMoon'),
    ({'Version': '2016-11-15'}, 400, 'MissingParameter', 'Action'),
    ({'Action': 'AcceptVpcPeeringConnection'}, 400, 'UnsupportedOperation',
     'not supported'),
    ({'Action': 'TerminateInstances'}, 400, 'MissingParameter',
     'InstanceIds'),
    ({'Action': 'DescribeRegions', 'DryRun': 'true'}, 412,
     'DryRunOperation', 'DryRun flag'),
    ({'Action': 'DescribeRegions', 'Bogus.1': 'x'}, 400, 'UnknownParameter',
     'Bogus'),
    ({'Action': 'DescribeInstances', 'InstanceId.1': 'i-xyz'}, 400,
     'InvalidInstanceID.Malformed', 'i-xyz'),
])
def test_bad_requests_get_their_ec2_error(app, params, status, code, words):
    got_status, root = _call(app, signing.signed(params))
    got_code, message = _error(root)
    assert (got_status, got_code) == (status, code)
    assert words in message


def test_an_unsigned_request_is_an_auth_failure(app):
    environ = signing.signed({'Action': 'DescribeRegions'})
    del environ['HTTP_AUTHORIZATION']
    status, root = _call(app, environ)
    assert (status, _error(root)[0]) == (401, 'AuthFailure')


def test_auth_comes_before_the_action(app):
    status, root = _call(app, signing.signed({'Action': 'FlyToTheMoon'},
                                             secret='wrong'))
    assert (status, _error(root)[0]) == (403, 'SignatureDoesNotMatch')


def test_an_oversized_body_is_refused_unread(app):
    environ = signing.signed({'Action': 'DescribeRegions'})
    environ['CONTENT_LENGTH'] = str(10 * 1024 * 1024)
    environ['wsgi.input'] = io.BytesIO(b'')
    status, root = _call(app, environ)
    assert (status, _error(root)[0]) == (413, 'InvalidRequest')


def test_a_parameter_given_twice_is_refused(app):
    environ = signing.signed({'Action': 'DescribeRegions'})
    environ['QUERY_STRING'] = 'Action=DescribeRegions'
    status, root = _call(app, environ)
    assert (status, _error(root)[0]) == (400, 'InvalidParameterValue')


def test_other_methods_and_media_types_are_refused(app):
    environ = signing.signed({'Action': 'DescribeRegions'})
    environ['REQUEST_METHOD'] = 'PUT'
    assert _call(app, environ)[0] == 405
    environ = signing.signed({'Action': 'DescribeRegions'})
    environ['CONTENT_TYPE'] = 'application/json'
    assert _call(app, environ)[0] == 415


def test_an_unexpected_failure_is_an_internal_error_without_traceback(
        app, monkeypatch):
    from nova_api.ec2 import actions

    def broken(call, params):
        raise RuntimeError('secret detail')
    monkeypatch.setitem(actions.HANDLERS, 'DescribeRegions', broken)
    status, root = _call(app, signing.signed({'Action': 'DescribeRegions'}))
    code, message = _error(root)
    assert (status, code) == (500, 'InternalError')
    assert 'secret detail' not in message


def test_a_conductor_that_does_not_answer_is_unavailable():
    import oslo_messaging as messaging

    class Silent(Conductor):
        def ec2_credential_get(self, ctxt, access):
            raise messaging.MessagingTimeout('no reply')
    status, root = _call(ec2_app.EC2App(Silent()),
                         signing.signed({'Action': 'DescribeRegions'}))
    assert (status, _error(root)[0]) == (503, 'Unavailable')
