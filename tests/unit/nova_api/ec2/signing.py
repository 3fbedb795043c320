"""Requests signed by botocore itself, as WSGI environs (the unit tests'
client side)."""

import io
import urllib.parse
from unittest import mock

import botocore.auth
import botocore.awsrequest
import botocore.credentials

HOST = 'ec2.test:8788'
URL = 'http://%s/' % HOST


def signed(params, access='AKTEST', secret='s3cret', when=None,
           presign=False, region='RegionOne'):
    """A WSGI environ of a POST (or a presigned GET) of `params`."""
    credentials = botocore.credentials.Credentials(access, secret)
    if presign:
        request = botocore.awsrequest.AWSRequest(
            method='GET', url=URL + '?' + urllib.parse.urlencode(params))
        signer = botocore.auth.SigV4QueryAuth(credentials, 'ec2', region,
                                              expires=300)
    else:
        request = botocore.awsrequest.AWSRequest(
            method='POST', url=URL, data=urllib.parse.urlencode(params),
            headers={'Content-Type':
                     'application/x-www-form-urlencoded; charset=utf-8'})
        signer = botocore.auth.SigV4Auth(credentials, 'ec2', region)
    if when is None:
        signer.add_auth(request)
    else:
        with mock.patch('botocore.auth.get_current_datetime',
                        return_value=when):
            signer.add_auth(request)
    prepared = request.prepare()
    split = urllib.parse.urlsplit(prepared.url)
    body = prepared.body or b''
    if isinstance(body, str):
        body = body.encode()
    environ = {
        'REQUEST_METHOD': prepared.method, 'PATH_INFO': split.path or '/',
        'QUERY_STRING': split.query, 'wsgi.input': io.BytesIO(body),
        'CONTENT_LENGTH': str(len(body)), 'HTTP_HOST': HOST,
    }
    for name, value in prepared.headers.items():
        if isinstance(value, bytes):
            value = value.decode()
        key = name.upper().replace('-', '_')
        if key in ('CONTENT_TYPE', 'CONTENT_LENGTH'):
            environ[key] = value
        elif key != 'HOST':
            environ['HTTP_' + key] = value
    return environ
