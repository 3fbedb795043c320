"""The EC2 API behind a real Keystone: keys from `openstack ec2 credentials
create`, signatures checked by Keystone's /v3/ec2tokens, the caller's
project from the token Keystone returns.

One Keystone and one deployment (SQLite, one compute host, nova-api-ec2)
for the module, registered with `nova-manage keystone register` as in
test_keystone_auth.py; the service user it creates is the one nova-api-ec2
asks /v3/ec2tokens as. Users demo-member (project demo) and other-member
(project other) each get EC2 keys through the real `openstack` CLI and are
driven with boto3.
"""

import datetime
import json
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from unittest import mock

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.credentials
import botocore.exceptions
import pytest
import requests

from tests.functional import deployment as deployment_mod
from tests.functional import keystone as keystone_mod

BIN = os.path.dirname(sys.executable)
FAST = {'Delay': 1, 'MaxAttempts': 120}
EC2_NS = '{http://ec2.amazonaws.com/doc/2016-11-15/}'


@pytest.fixture(scope='module')
def keystone():
    ks = keystone_mod.Keystone()
    ks.start()
    yield ks
    ks.stop()


@pytest.fixture(scope='module')
def dep(keystone):
    d = deployment_mod.Deployment('sqlite', compute_hosts=('compute1',),
                                  extra_conf=keystone.authtoken_conf(),
                                  ec2=True)
    d.start()
    try:
        d.manage('keystone', 'register', '--url', d.api + '/v2.1',
                 *keystone.admin_cli_args())
    except BaseException:
        d.stop()
        raise
    yield d
    d.stop()


def _ec2_keys(keystone, user):
    """EC2 keys of `user` in its project (keystone.USERS), made by the
    `openstack` CLI as that user, as a cloud's user would."""
    project = keystone_mod.USERS[user][0]
    result = subprocess.run(
        [os.path.join(BIN, 'openstack'), '--os-auth-url', keystone.url,
         '--os-identity-api-version', '3', '--os-username', user,
         '--os-password', keystone_mod.PASSWORD, '--os-project-name',
         project, '--os-user-domain-id', 'default',
         '--os-project-domain-id', 'default',
         'ec2', 'credentials', 'create', '-f', 'json'],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    keys = json.loads(result.stdout)
    assert keys['project_id'] == keystone.project_ids[project]
    return keys


@pytest.fixture(scope='module')
def keys_a(keystone):
    return _ec2_keys(keystone, 'demo-member')


@pytest.fixture(scope='module')
def keys_b(keystone):
    return _ec2_keys(keystone, 'other-member')


def _client(dep, access, secret):
    return boto3.client('ec2', endpoint_url=dep.ec2,
                        aws_access_key_id=access,
                        aws_secret_access_key=secret,
                        region_name='RegionOne')


@pytest.fixture(scope='module')
def ec2_a(dep, keys_a):
    return _client(dep, keys_a['access'], keys_a['secret'])


@pytest.fixture(scope='module')
def ec2_b(dep, keys_b):
    return _client(dep, keys_b['access'], keys_b['secret'])


@pytest.fixture(scope='module')
def instance_a(ec2_a):
    """A's running instance (test_member_terminates... ends it)."""
    images = ec2_a.describe_images()['Images']
    ami = next(i['ImageId'] for i in images if i['Name'] == 'test-image')
    run = ec2_a.run_instances(ImageId=ami, InstanceType='m1.tiny',
                              MinCount=1, MaxCount=1)
    (instance,) = run['Instances']
    assert instance['ImageId'] == ami
    ec2_a.get_waiter('instance_running').wait(
        InstanceIds=[instance['InstanceId']], WaiterConfig=FAST)
    return instance['InstanceId']


def _instances(answer):
    return [i for r in answer['Reservations'] for i in r['Instances']]


def _error(caught):
    return (caught.value.response['Error'],
            caught.value.response['ResponseMetadata']['HTTPStatusCode'])


def test_member_runs_an_instance_owned_by_its_project(keystone, ec2_a,
                                                      instance_a):
    answer = ec2_a.describe_instances(InstanceIds=[instance_a])
    (reservation,) = answer['Reservations']
    assert reservation['OwnerId'] == keystone.project_ids['demo']
    (instance,) = reservation['Instances']
    assert instance['InstanceId'] == instance_a
    assert instance['InstanceType'] == 'm1.tiny'
    assert instance['State']['Name'] == 'running'
    listed = _instances(ec2_a.describe_instances())
    assert instance_a in {i['InstanceId'] for i in listed}


def test_other_project_neither_sees_nor_terminates_it(ec2_a, ec2_b,
                                                      instance_a):
    assert instance_a not in {i['InstanceId'] for i in _instances(
        ec2_b.describe_instances())}
    for attempt in (
            lambda: ec2_b.describe_instances(InstanceIds=[instance_a]),
            lambda: ec2_b.terminate_instances(InstanceIds=[instance_a])):
        with pytest.raises(botocore.exceptions.ClientError) as caught:
            attempt()
        error, status = _error(caught)
        assert error['Code'] == 'InvalidInstanceID.NotFound'
        assert instance_a in error['Message']
        assert status == 400
    mine = _instances(ec2_a.describe_instances(InstanceIds=[instance_a]))
    assert mine[0]['State']['Name'] == 'running'


def test_member_terminates_its_instance(ec2_a, instance_a):
    """Runs after the tests that need the instance running."""
    answer = ec2_a.terminate_instances(InstanceIds=[instance_a])
    (change,) = answer['TerminatingInstances']
    assert change['InstanceId'] == instance_a
    assert change['CurrentState']['Name'] in ('shutting-down', 'terminated')
    ec2_a.get_waiter('instance_terminated').wait(
        InstanceIds=[instance_a], WaiterConfig=FAST)
    gone = _instances(ec2_a.describe_instances(InstanceIds=[instance_a]))
    assert gone[0]['State'] == {'Code': 48, 'Name': 'terminated'}


def test_wrong_secret_is_signature_does_not_match(dep, keys_a):
    forged = _client(dep, keys_a['access'], 'not-' + keys_a['secret'])
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        forged.describe_instances()
    error, status = _error(caught)
    assert status == 403
    assert error['Code'] == 'SignatureDoesNotMatch'
    assert error['Message'].startswith(
        'The request signature we calculated does not match')


def test_unknown_access_key_is_auth_failure(dep, keys_a):
    stranger = _client(dep, 'f' * 32, keys_a['secret'])
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        stranger.describe_regions()
    error, status = _error(caught)
    assert status == 401
    assert error['Code'] == 'AuthFailure'
    assert error['Message'] == ('AWS was not able to validate the provided '
                                'access credentials.')


def _signed_post(dep, keys, when):
    """DescribeRegions signed by botocore's SigV4 signer as at `when`
    (naive UTC), sent with requests: (status, Code, Message)."""
    request = botocore.awsrequest.AWSRequest(
        method='POST', url=dep.ec2,
        data='Action=DescribeRegions&Version=2016-11-15',
        headers={'Content-Type':
                 'application/x-www-form-urlencoded; charset=utf-8'})
    signer = botocore.auth.SigV4Auth(
        botocore.credentials.Credentials(keys['access'], keys['secret']),
        'ec2', 'RegionOne')
    with mock.patch.object(botocore.auth, 'get_current_datetime',
                           return_value=when):
        signer.add_auth(request)
    prepared = request.prepare()
    resp = requests.post(prepared.url, data=prepared.body,
                         headers=dict(prepared.headers), timeout=30)
    root = ElementTree.fromstring(resp.content)
    if resp.status_code == 200:
        return 200, root.tag, None
    return (resp.status_code, root.findtext('./Errors/Error/Code'),
            root.findtext('./Errors/Error/Message'))


def test_request_signed_ten_minutes_ago_is_auth_failure(dep, keys_a):
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    # The same request signed now passes: only its time differs.
    assert _signed_post(dep, keys_a, now) == (
        200, EC2_NS + 'DescribeRegionsResponse', None)
    status, code, message = _signed_post(
        dep, keys_a, now - datetime.timedelta(minutes=10))
    assert (status, code) == (401, 'AuthFailure')
    assert message.startswith('Signature expired or not yet valid')


def test_a_presigned_get_url_is_checked_by_keystone_too(ec2_a):
    # Signed for GET: botocore signs EC2's for POST by default, and
    # Keystone's Ec2Signer takes a POST's parameters from its body only.
    url = ec2_a.generate_presigned_url('describe_regions', ExpiresIn=60,
                                       HttpMethod='GET')
    assert 'X-Amz-Signature=' in url
    resp = requests.get(url, timeout=30)
    assert resp.status_code == 200, resp.text
    root = ElementTree.fromstring(resp.content)
    assert root.tag == EC2_NS + 'DescribeRegionsResponse'
    assert root.findtext('.//%sregionName' % EC2_NS) == 'RegionOne'


def test_checks_go_on_after_the_service_token_is_revoked(keystone, ec2_a):
    """Disabling the nova service user revokes every token it holds (the
    one nova-api-ec2 asks /v3/ec2tokens with); once it is enabled again,
    nova-api-ec2 logs in anew instead of calling every signature wrong."""
    admin = keystone.session()
    (nova,) = admin.get(keystone.url + '/users',
                        params={'name': 'nova'}).json()['users']
    for enabled in (False, True):
        admin.patch(keystone.url + '/users/' + nova['id'],
                    json={'user': {'enabled': enabled}})
    # A token issued in the revocation's second counts as revoked.
    time.sleep(1.1)
    regions = ec2_a.describe_regions()['Regions']
    assert [r['RegionName'] for r in regions] == ['RegionOne']
