"""Requests read and answers written by botocore's model of EC2: what
botocore's serializer sends reads back as the same input, and what we
answer botocore's parser reads back as the same output, with no
warning."""

import datetime
import urllib.parse
import warnings
import xml.etree.ElementTree as ET

import botocore.parsers
import botocore.serialize
import pytest

from nova_api.ec2 import errors
from nova_api.ec2 import model

NOW = datetime.datetime(2026, 12, 6, 5, 0, 0, tzinfo=datetime.timezone.utc)


def _sent(action, params):
    """The flat parameters botocore sends for `params`."""
    op = model.operation(action)
    serializer = botocore.serialize.create_serializer('ec2')
    body = serializer.serialize_to_request(params, op)['body']
    flat = dict(body)
    del flat['Action'], flat['Version']
    return {k: str(v) for k, v in flat.items()}


@pytest.mark.parametrize('action,params', [
    ('RunInstances', {
        'ImageId': 'ami-0123456789abcdef0', 'InstanceType': 'm1.tiny',
        'MinCount': 2, 'MaxCount': 3, 'KeyName': 'k', 'UserData': 'aGk=',
        'ClientToken': 'tok', 'Placement': {'AvailabilityZone': 'nova'},
        'TagSpecifications': [{'ResourceType': 'instance', 'Tags': [
            {'Key': 'Name', 'Value': 'web'}, {'Key': 'env', 'Value': ''}]}],
        'DryRun': False}),
    ('DescribeInstances', {
        'InstanceIds': ['i-0123456789abcdef0', 'i-00000000000000001'],
        'Filters': [{'Name': 'tag:env', 'Values': ['dev', 'p*']},
                    {'Name': 'instance-state-name',
                     'Values': ['running']}]}),
    ('DescribeInstances', {'MaxResults': 5, 'NextToken': 'abc'}),
    ('CreateTags', {'Resources': ['i-0123456789abcdef0'],
                    'Tags': [{'Key': 'a', 'Value': 'b'}]}),
    ('ImportKeyPair', {'KeyName': 'k', 'PublicKeyMaterial': b'ssh-rsa AAA'}),
    ('DescribeImages', {'Owners': ['self'], 'ImageIds': ['ami-1']}),
    ('DescribeInstanceStatus', {'IncludeAllInstances': True}),
])
def test_what_botocore_sends_reads_back_the_same(action, params):
    op = model.operation(action)
    assert model.parse_input(op, _sent(action, params)) == params


def _read(action, flat):
    return model.parse_input(model.operation(action), flat)


@pytest.mark.parametrize('flat,error,words', [
    ({'Bogus': 'x'}, errors.UnknownParameter, 'Bogus'),
    ({'InstanceId.1.Name': 'x'}, errors.InvalidParameterValue,
     'single value'),
    ({'InstanceId': 'x'}, errors.InvalidParameterValue, 'must be a list'),
    ({'InstanceId.0': 'x'}, errors.InvalidParameterValue, 'numbered from 1'),
    ({'InstanceId.x': 'x'}, errors.InvalidParameterValue, 'numbered from 1'),
    ({'MaxResults': 'ten'}, errors.InvalidParameterValue, 'MaxResults'),
    ({'DryRun': 'maybe'}, errors.InvalidParameterValue, 'DryRun'),
    ({'Filter.1.Name': 'a\x00b'}, errors.InvalidParameterValue, 'control'),
    ({'Filter.1.Name': 'x', 'Filter.1.Name.2': 'y'},
     errors.InvalidParameterValue, 'both'),
    ({'A.B.C.D.E.F.G.H.I': 'x'}, errors.UnknownParameter, 'not recognized'),
])
def test_bad_parameters_name_themselves(flat, error, words):
    with pytest.raises(error) as caught:
        _read('DescribeInstances', flat)
    assert words in caught.value.message
    assert caught.value.status == 400


def test_counts_are_bounded_before_reading():
    many = {'InstanceId.%d' % i: 'i-1' for i in range(1, model.MAX_PARAMS + 2)}
    with pytest.raises(errors.InvalidParameterValue, match='at most'):
        _read('DescribeInstances', many)
    items = {'InstanceId.%d' % i: 'i-1'
             for i in range(1, model.MAX_LIST_ITEMS + 2)}
    with pytest.raises(errors.InvalidParameterValue, match='at most 1000'):
        _read('DescribeInstances', items)
    with pytest.raises(errors.InvalidParameterValue, match='longer'):
        _read('DescribeInstances',
              {'NextToken': 'x' * (model.MAX_VALUE_LENGTH + 1)})


def test_an_unknown_action_is_invalid():
    with pytest.raises(errors.InvalidAction, match='FlyToTheMoon'):
        model.operation('FlyToTheMoon')


def _parsed(action, result):
    op = model.operation(action)
    body = model.output_xml(op, result, 'req-1')
    parser = botocore.parsers.create_parser('ec2')
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        out = parser.parse({'body': body, 'headers': {}, 'status_code': 200},
                           op.output_shape)
    assert out.pop('ResponseMetadata')['RequestId'] == 'req-1'
    return out


INSTANCE = {
    'InstanceId': 'i-0123456789abcdef0', 'ImageId': 'ami-0123456789abcdef0',
    'State': {'Code': 16, 'Name': 'running'}, 'PrivateDnsName': 'web',
    'PublicDnsName': '', 'StateTransitionReason': '', 'AmiLaunchIndex': 0,
    'InstanceType': 'm1.tiny', 'LaunchTime': NOW,
    'Placement': {'AvailabilityZone': 'nova', 'Tenancy': 'default'},
    'Monitoring': {'State': 'disabled'}, 'PrivateIpAddress': '10.0.0.2',
    'Architecture': 'x86_64', 'RootDeviceType': 'instance-store',
    'RootDeviceName': '/dev/vda', 'BlockDeviceMappings': [],
    'VirtualizationType': 'hvm', 'ClientToken': '',
    'Tags': [{'Key': 'Name', 'Value': 'web <&> "x"'}],
    'SecurityGroups': [], 'SourceDestCheck': True,
    'CpuOptions': {'CoreCount': 1, 'ThreadsPerCore': 1}}


@pytest.mark.parametrize('action,result', [
    ('DescribeInstances', {'Reservations': [
        {'ReservationId': 'r-0a1b2c3d', 'OwnerId': 'p1', 'Groups': [],
         'Instances': [INSTANCE]}], 'NextToken': 'tok'}),
    ('RunInstances', {'ReservationId': 'r-0a1b2c3d', 'OwnerId': 'p1',
                      'Groups': [], 'Instances': [INSTANCE]}),
    ('TerminateInstances', {'TerminatingInstances': [
        {'InstanceId': 'i-0123456789abcdef0',
         'PreviousState': {'Code': 16, 'Name': 'running'},
         'CurrentState': {'Code': 32, 'Name': 'shutting-down'}}]}),
    ('DescribeKeyPairs', {'KeyPairs': [
        {'KeyName': 'k', 'KeyFingerprint': 'aa:bb', 'KeyPairId': 'key-1',
         'KeyType': 'rsa'}]}),
    ('GetConsoleOutput', {'InstanceId': 'i-0123456789abcdef0',
                          'Timestamp': NOW, 'Output': 'aGk='}),
    ('DescribeTags', {'Tags': [{'Key': 'a', 'Value': '', 'ResourceId':
                                'i-0123456789abcdef0',
                                'ResourceType': 'instance'}]}),
    ('DeleteKeyPair', {'Return': True}),
    ('DescribeInstanceTypes', {'InstanceTypes': [
        {'InstanceType': 'm1.tiny', 'VCpuInfo': {'DefaultVCpus': 1},
         'MemoryInfo': {'SizeInMiB': 512}}]}),
])
def test_botocore_parses_back_what_we_answer(action, result):
    assert _parsed(action, result) == result


def test_an_action_without_output_answers_return_true():
    body = model.output_xml(model.operation('RebootInstances'),
                            {'Return': True}, 'req-1')
    root = ET.fromstring(body)
    assert root.tag == '{%s}RebootInstancesResponse' % model.NAMESPACE
    assert [(c.tag.split('}')[1], c.text) for c in root] == [
        ('requestId', 'req-1'), ('return', 'true')]


def test_characters_xml_cannot_carry_are_replaced():
    out = _parsed('DescribeTags', {'Tags': [{'Key': 'a\x01b'}]})
    assert out == {'Tags': [{'Key': 'a\ufffdb'}]}


def test_errors_parse_as_boto3_reports_them():
    body = model.error_xml('InvalidInstanceID.NotFound', 'gone <x>', 'r1')
    parser = botocore.parsers.create_parser('ec2')
    out = parser.parse({'body': body, 'headers': {}, 'status_code': 400},
                       None)
    assert out['Error'] == {'Code': 'InvalidInstanceID.NotFound',
                            'Message': 'gone <x>'}
    assert out['ResponseMetadata']['RequestId'] == 'r1'


def test_a_query_string_reads_like_a_form():
    flat = dict(urllib.parse.parse_qsl(
        'InstanceId.1=i-0123456789abcdef0&MaxResults=5'))
    assert _read('DescribeInstances', flat) == {
        'InstanceIds': ['i-0123456789abcdef0'], 'MaxResults': 5}
