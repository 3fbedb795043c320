"""The EC2 API driven by the unmodified AWS clients: the `aws` CLI (as a
subprocess) and boto3, against nova-api-ec2 beside the other daemons
(PostgreSQL, RabbitMQ, the libvirt test driver), keys made by
`nova-manage ec2 credentials create` (noauth; test_ec2_keystone.py has
Keystone's).

Every answer boto3 gets is parsed a second time by botocore's own EC2
parser with warnings as errors (test_botocore_parsed_every_answer...).
"""

import json
import os
import subprocess
import sys
import warnings

import boto3
import botocore.exceptions
import botocore.parsers
import pytest

from tests.functional import deployment as deployment_mod

BIN = os.path.dirname(sys.executable)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
ANSWERS = []


@pytest.fixture(scope='module')
def dep():
    # 150 m1.tiny on two hosts.
    d = deployment_mod.Deployment(
        'postgresql', host_vcpus=64, host_memory_mb=65536,
        host_local_gb=1000, ec2=True,
        extra_conf='[quota]\ninstances = 200\ncores = 400\nram = 204800\n')
    d.start()
    yield d
    d.stop()


def _client(dep, keys):
    client = boto3.client(
        'ec2', endpoint_url=dep.ec2, region_name='RegionOne',
        aws_access_key_id=keys['access'],
        aws_secret_access_key=keys['secret'])
    client.meta.events.register('after-call.ec2', _keep_answer)
    return client


def _keep_answer(http_response, parsed, model, **kwargs):
    ANSWERS.append((model, http_response.status_code,
                    http_response.content, parsed))


@pytest.fixture(scope='module')
def keys_a(dep):
    return dep.ec2_credentials('alice', 'project-a')


@pytest.fixture(scope='module')
def ec2(dep, keys_a):
    return _client(dep, keys_a)


@pytest.fixture(scope='module')
def ec2_b(dep):
    return _client(dep, dep.ec2_credentials('bob', 'project-b'))


@pytest.fixture(scope='module')
def ami(ec2):
    images = ec2.describe_images()['Images']
    return next(i['ImageId'] for i in images if i['Name'] == 'test-image')


def _fast(client):
    return {'Delay': 1, 'MaxAttempts': 120}


@pytest.fixture(scope='module')
def aws(dep, keys_a, tmp_path_factory):
    """`aws ... ec2 <args>` with A's keys, its JSON output decoded. Its
    waiters poll every second: botocore's own waiter file for EC2 with
    the delays cut, found through AWS_DATA_PATH (botocore's documented
    way to add model files)."""
    data = tmp_path_factory.mktemp('aws-data')
    # The CLI carries a botocore of its own (awscli/botocore): its file.
    import awscli
    version = '2016-11-15'
    with open(os.path.join(os.path.dirname(awscli.__file__), 'botocore',
                           'data', 'ec2', version, 'waiters-2.json')) as f:
        waiters = json.load(f)
    for waiter in waiters['waiters'].values():
        waiter['delay'] = 1
        waiter['maxAttempts'] = 120
    target = data / 'ec2' / version
    target.mkdir(parents=True)
    (target / 'waiters-2.json').write_text(json.dumps(waiters))
    env = dict(os.environ, AWS_ACCESS_KEY_ID=keys_a['access'],
               AWS_SECRET_ACCESS_KEY=keys_a['secret'],
               AWS_DEFAULT_REGION='RegionOne', AWS_DATA_PATH=str(data),
               AWS_CONFIG_FILE=str(data / 'none'),
               AWS_SHARED_CREDENTIALS_FILE=str(data / 'none'))

    def run(*args, check=True):
        result = subprocess.run(
            [os.path.join(BIN, 'aws'), '--endpoint-url', dep.ec2,
             '--output', 'json', 'ec2'] + list(args), env=env,
            capture_output=True, text=True, timeout=300)
        if check:
            assert result.returncode == 0, (args, result.stderr)
            return json.loads(result.stdout) if result.stdout.strip() \
                else None
        return result
    return run


def _instances(answer):
    return [i for r in answer['Reservations'] for i in r['Instances']]


def test_aws_cli_runs_waits_stops_starts_reboots_and_terminates(aws, ami):
    run = aws('run-instances', '--image-id', ami, '--instance-type',
              'm1.tiny', '--count', '1', '--tag-specifications',
              'ResourceType=instance,Tags=[{Key=Name,Value=cli-web},'
              '{Key=env,Value=cli}]')
    (instance,) = run['Instances']
    iid = instance['InstanceId']
    assert instance['State']['Name'] == 'pending'
    assert instance['InstanceType'] == 'm1.tiny'
    assert instance['ImageId'] == ami
    aws('wait', 'instance-running', '--instance-ids', iid)
    found = _instances(aws('describe-instances', '--filters',
                           'Name=tag:env,Values=cli',
                           'Name=instance-state-name,Values=running'))
    assert [i['InstanceId'] for i in found] == [iid]
    assert found[0]['PrivateIpAddress'].startswith('10.11.0.')
    assert {'Key': 'Name', 'Value': 'cli-web'} in found[0]['Tags']
    assert _instances(aws('describe-instances', '--filters',
                          'Name=instance-type,Values=m1.large')) == []

    stopping = aws('stop-instances', '--instance-ids', iid)
    assert stopping['StoppingInstances'][0]['CurrentState']['Name'] == \
        'stopping'
    aws('wait', 'instance-stopped', '--instance-ids', iid)
    starting = aws('start-instances', '--instance-ids', iid)
    assert starting['StartingInstances'][0]['PreviousState']['Name'] == \
        'stopped'
    aws('wait', 'instance-running', '--instance-ids', iid)
    aws('reboot-instances', '--instance-ids', iid)
    aws('wait', 'instance-status-ok', '--instance-ids', iid)
    console = aws('get-console-output', '--instance-id', iid)
    assert console['InstanceId'] == iid and console['Output']

    terminating = aws('terminate-instances', '--instance-ids', iid)
    assert terminating['TerminatingInstances'][0]['CurrentState'][
        'Name'] == 'shutting-down'
    aws('wait', 'instance-terminated', '--instance-ids', iid)
    gone = _instances(aws('describe-instances', '--instance-ids', iid))
    assert gone[0]['State'] == {'Code': 48, 'Name': 'terminated'}


def test_aws_cli_key_pairs_tags_images_types_regions_zones(aws, ami,
                                                           tmp_path):
    made = aws('create-key-pair', '--key-name', 'cli-key')
    assert made['KeyMaterial'].startswith('-----BEGIN')
    subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f',
                    str(tmp_path / 'id')], check=True)
    imported = aws('import-key-pair', '--key-name', 'cli-imported',
                   '--public-key-material', 'fileb://%s' % (
                       tmp_path / 'id.pub'))
    assert imported['KeyName'] == 'cli-imported'
    pairs = {k['KeyName'] for k in aws('describe-key-pairs')['KeyPairs']}
    assert {'cli-key', 'cli-imported'} <= pairs
    missing = aws('describe-key-pairs', '--key-names', 'nope', check=False)
    assert missing.returncode != 0
    assert 'InvalidKeyPair.NotFound' in missing.stderr
    for name in ('cli-key', 'cli-imported'):
        aws('delete-key-pair', '--key-name', name)
    assert not {'cli-key', 'cli-imported'} & {
        k['KeyName'] for k in aws('describe-key-pairs')['KeyPairs']}

    images = aws('describe-images', '--owners', 'self', 'project-a')[
        'Images']
    assert images == [] or all(i['OwnerId'] == 'project-a' for i in images)
    assert [i['ImageId'] for i in aws(
        'describe-images', '--image-ids', ami)['Images']] == [ami]
    types = {t['InstanceType']: t for t in aws(
        'describe-instance-types')['InstanceTypes']}
    assert types['m1.tiny']['VCpuInfo']['DefaultVCpus'] == 1
    assert types['m1.tiny']['MemoryInfo']['SizeInMiB'] == 512
    assert [r['RegionName'] for r in aws('describe-regions')['Regions']] \
        == ['RegionOne']
    zones = aws('describe-availability-zones')['AvailabilityZones']
    assert [(z['ZoneName'], z['State']) for z in zones] == [
        ('nova', 'available')]

    run = aws('run-instances', '--image-id', ami, '--instance-type',
              'm1.tiny', '--count', '1')
    iid = run['Instances'][0]['InstanceId']
    try:
        aws('create-tags', '--resources', iid, '--tags',
            'Key=team,Value=blue', 'Key=tier,Value=')
        tags = aws('describe-tags', '--filters',
                   'Name=resource-id,Values=%s' % iid)['Tags']
        assert {(t['Key'], t['Value']) for t in tags} >= {
            ('team', 'blue'), ('tier', '')}
        aws('delete-tags', '--resources', iid, '--tags', 'Key=team')
        tags = aws('describe-tags', '--filters',
                   'Name=resource-id,Values=%s' % iid)['Tags']
        assert 'team' not in {t['Key'] for t in tags}
    finally:
        aws('terminate-instances', '--instance-ids', iid)


def test_boto3_paginators_page_through_150_instances(ec2, ami):
    run = ec2.run_instances(ImageId=ami, InstanceType='m1.tiny',
                            MinCount=150, MaxCount=150, TagSpecifications=[{
                                'ResourceType': 'instance', 'Tags': [
                                    {'Key': 'fleet', 'Value': '150'}]}])
    ids = [i['InstanceId'] for i in run['Instances']]
    assert len(set(ids)) == 150
    assert [i['AmiLaunchIndex'] for i in run['Instances']] == list(
        range(150))
    try:
        ec2.get_waiter('instance_running').wait(
            InstanceIds=ids, WaiterConfig=_fast(ec2))
        fleet = [{'Name': 'tag:fleet', 'Values': ['150']}]
        pages = list(ec2.get_paginator('describe_instances').paginate(
            Filters=fleet, PaginationConfig={'PageSize': 40}))
        assert [len(_instances(p)) for p in pages] == [40, 40, 40, 30]
        seen = [i['InstanceId'] for p in pages for i in _instances(p)]
        assert sorted(seen) == sorted(ids)
        # One launch: one reservation, however the pages cut it.
        assert {r['ReservationId'] for p in pages
                for r in p['Reservations']} == {run['ReservationId']}

        statuses = [s for page in ec2.get_paginator(
            'describe_instance_status').paginate(
            PaginationConfig={'PageSize': 50}) for s in
            page['InstanceStatuses'] if s['InstanceId'] in set(ids)]
        assert len(statuses) == 150
        assert {s['InstanceState']['Name'] for s in statuses} == {'running'}
        tags = [t for page in ec2.get_paginator('describe_tags').paginate(
            Filters=[{'Name': 'key', 'Values': ['fleet']}],
            PaginationConfig={'PageSize': 60}) for t in page['Tags']]
        assert sorted(t['ResourceId'] for t in tags) == sorted(ids)
    finally:
        ec2.terminate_instances(InstanceIds=ids)
    ec2.get_waiter('instance_terminated').wait(InstanceIds=ids,
                                               WaiterConfig=_fast(ec2))


def test_a_client_token_launches_once(ec2, ami):
    args = dict(ImageId=ami, InstanceType='m1.tiny', MinCount=1,
                MaxCount=1, ClientToken='launch-once')
    first = ec2.run_instances(**args)
    again = ec2.run_instances(**args)
    assert again['ReservationId'] == first['ReservationId']
    assert [i['InstanceId'] for i in again['Instances']] == [
        i['InstanceId'] for i in first['Instances']]
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        ec2.run_instances(**dict(args, InstanceType='m1.small'))
    assert caught.value.response['Error']['Code'] == \
        'IdempotentParameterMismatch'
    ec2.terminate_instances(InstanceIds=[
        i['InstanceId'] for i in first['Instances']])


def test_one_project_never_sees_or_touches_anothers(ec2, ec2_b, ami):
    iid = ec2.run_instances(ImageId=ami, InstanceType='m1.tiny', MinCount=1,
                            MaxCount=1)['Instances'][0]['InstanceId']
    try:
        assert iid not in {i['InstanceId'] for i in _instances(
            ec2_b.describe_instances())}
        for attempt in (
                lambda: ec2_b.describe_instances(InstanceIds=[iid]),
                lambda: ec2_b.terminate_instances(InstanceIds=[iid]),
                lambda: ec2_b.stop_instances(InstanceIds=[iid]),
                lambda: ec2_b.create_tags(Resources=[iid], Tags=[
                    {'Key': 'mine', 'Value': 'now'}])):
            with pytest.raises(botocore.exceptions.ClientError) as caught:
                attempt()
            error = caught.value.response['Error']
            assert error['Code'] == 'InvalidInstanceID.NotFound'
            assert iid in error['Message']
        assert ec2_b.describe_tags()['Tags'] == []
        # Untouched.
        mine = _instances(ec2.describe_instances(InstanceIds=[iid]))[0]
        assert mine['State']['Name'] in ('pending', 'running')
        assert 'mine' not in {t['Key'] for t in mine['Tags']}
    finally:
        ec2.terminate_instances(InstanceIds=[iid])


@pytest.mark.parametrize('call,code', [
    (lambda c: c.run_instances(ImageId='ami-0123456789abcdef0',
                               InstanceType='m1.tiny', MinCount=1,
                               MaxCount=1), 'InvalidAMIID.NotFound'),
    (lambda c: c.run_instances(ImageId='ami-0123456789abcdef0',
                               InstanceType='m1.tiny', MinCount=3,
                               MaxCount=2), 'InvalidParameterValue'),
    (lambda c: c.run_instances(ImageId=c.describe_images()['Images'][0][
        'ImageId'], InstanceType='m1.tiny', MinCount=1000, MaxCount=1000),
     'InstanceLimitExceeded'),
    (lambda c: c.describe_instances(InstanceIds=['i-nothex']),
     'InvalidInstanceID.Malformed'),
    (lambda c: c.describe_instances(Filters=[{'Name': 'flavour',
                                              'Values': ['x']}]),
     'InvalidParameterValue'),
    (lambda c: c.describe_instances(NextToken='forged'),
     'InvalidParameterValue'),
    (lambda c: c.describe_key_pairs(KeyNames=['nope']),
     'InvalidKeyPair.NotFound'),
    (lambda c: c.create_vpc(CidrBlock='10.0.0.0/16'),
     'UnsupportedOperation'),
])
def test_bad_requests_get_the_codes_boto3_users_catch(ec2, call, code):
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        call(ec2)
    assert caught.value.response['Error']['Code'] == code
    assert caught.value.response['ResponseMetadata']['HTTPStatusCode'] == \
        400


def test_botocore_parsed_every_answer_without_a_warning(ec2):
    """Runs last in this module: every answer boto3 got above, parsed
    again by botocore's EC2 parser with warnings as errors, gives what
    boto3 gave."""
    for call in (ec2.describe_regions, ec2.describe_availability_zones,
                 ec2.describe_instance_types, ec2.describe_images,
                 ec2.describe_key_pairs, ec2.describe_instances,
                 ec2.describe_tags, ec2.describe_instance_status):
        call()
    assert len({model.name for model, *_ in ANSWERS}) >= 8
    parser = botocore.parsers.create_parser('ec2')
    for model, status, body, parsed in ANSWERS:
        with warnings.catch_warnings():
            warnings.simplefilter('error')
            again = parser.parse({'body': body, 'headers': {},
                                  'status_code': status},
                                 model.output_shape if status < 300
                                 else None)
        again.pop('ResponseMetadata')
        expected = {k: v for k, v in parsed.items()
                    if k != 'ResponseMetadata'}
        assert again == expected, model.name
        assert parsed['ResponseMetadata']['RequestId'], model.name


def test_the_readme_profile_works(dep, keys_a, tmp_path):
    """README's AWS CLI profile, with this deployment's URL and keys."""
    with open(os.path.join(ROOT, 'README.md')) as f:
        readme = f.read()
    section = readme[readme.index('## EC2 API'):]
    profile = section[section.index('```ini') + 6:]
    profile = profile[:profile.index('```')]
    profile = (profile.replace('http://127.0.0.1:8788/', dep.ec2)
               .replace('AK...', keys_a['access'])
               .replace('= ...', '= ' + keys_a['secret']))
    (tmp_path / 'config').write_text(profile)
    env = dict(os.environ, AWS_CONFIG_FILE=str(tmp_path / 'config'),
               AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / 'none'))
    for name in ('AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY',
                 'AWS_DEFAULT_REGION', 'AWS_DATA_PATH'):
        env.pop(name, None)
    result = subprocess.run(
        [os.path.join(BIN, 'aws'), '--profile', 'nova-lite', '--output',
         'json', 'ec2', 'describe-regions'], env=env, capture_output=True,
        text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert [r['RegionName'] for r in json.loads(result.stdout)[
        'Regions']] == ['RegionOne']
