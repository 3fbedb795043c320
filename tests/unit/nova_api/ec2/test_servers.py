"""EC2 ids, instance states, Filters and NextTokens."""

import pytest

from nova_api.ec2 import errors
from nova_api.ec2 import filters
from nova_api.ec2 import ids
from nova_api.ec2 import paging
from nova_api.ec2 import servers

UUID = '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b'


def test_ids_are_stable_uuid_prefixes():
    assert ids.instance_id(UUID) == 'i-0f1e2d3c4b5a49788'
    assert ids.image_id(UUID) == 'ami-0f1e2d3c4b5a49788'
    assert UUID.startswith(ids.uuid_prefix(ids.instance_id(UUID)))
    assert ids.uuid_prefix('i-0f1e2d3c4b5a49788') == '0f1e2d3c-4b5a-4978-8'


@pytest.mark.parametrize('bad', ['i-0F1E2D3C4B5A49788', 'i-123', 'ami-' +
                                 '0' * 17, 'i-' + '0' * 18, '', None])
def test_malformed_ids_are_malformed_errors(bad):
    with pytest.raises(errors.InvalidParameterValue) as caught:
        ids.check(bad, 'i', 'InvalidInstanceID.NotFound')
    assert caught.value.code == 'InvalidInstanceID.Malformed'


@pytest.mark.parametrize('vm,task,power,name', [
    ('building', 'scheduling', 0, 'pending'),
    ('active', None, 1, 'running'),
    ('active', 'rebooting', 1, 'running'),
    ('active', 'powering-off', 1, 'stopping'),
    ('stopped', None, 4, 'stopped'),
    ('stopped', 'powering-on', 4, 'pending'),
    ('active', 'deleting', 1, 'shutting-down'),
    ('deleted', None, 0, 'terminated'),
    ('shelved_offloaded', None, 0, 'stopped'),
    ('error', None, 0, 'stopped'),
    ('error', None, 1, 'running'),
])
def test_states_follow_vm_and_task_state(vm, task, power, name):
    server = {'OS-EXT-STS:vm_state': vm, 'OS-EXT-STS:task_state': task,
              'OS-EXT-STS:power_state': power}
    assert servers.state(server)[1] == name
    assert servers.state_dict(server)['Name'] == name


def test_tags_are_metadata_nova_tags_and_the_name():
    server = {'name': 'web', 'metadata': {'env': 'dev'}, 'tags': ['blue']}
    assert servers.tags(server) == [
        {'Key': 'env', 'Value': 'dev'}, {'Key': 'blue', 'Value': ''},
        {'Key': 'Name', 'Value': 'web'}]
    server['metadata']['Name'] = 'front'
    assert {'Key': 'Name', 'Value': 'front'} in servers.tags(server)
    assert {'Key': 'Name', 'Value': 'web'} not in servers.tags(server)


def _values(resource, name):
    return resource.get(name, [])


def test_filters_and_across_or_within_with_wildcards():
    match = filters.matcher(
        [{'Name': 'a', 'Values': ['x*', 'y']},
         {'Name': 'b', 'Values': ['?']}],
        ('a', 'b'), _values)
    assert match({'a': ['xyz'], 'b': ['1']})
    assert match({'a': ['y'], 'b': ['2']})
    assert not match({'a': ['z'], 'b': ['1']})
    assert not match({'a': ['xyz'], 'b': ['12']})
    assert filters.matcher([{'Name': 'a', 'Values': ['[x]']}], ('a',),
                           _values)({'a': ['[x]']})


def test_unknown_and_oversized_filters_are_refused():
    with pytest.raises(errors.InvalidParameterValue, match="'c'"):
        filters.matcher([{'Name': 'c', 'Values': []}], ('a',), _values)
    with pytest.raises(errors.InvalidParameterValue, match='At most 50'):
        filters.matcher([{'Name': 'a', 'Values': []}] * 51, ('a',), _values)


def test_next_tokens_round_trip_and_forgeries_are_refused():
    token = paging.encode({'phase': 'live', 'marker': UUID})
    assert paging.decode(token, ('phase', 'marker')) == {
        'phase': 'live', 'marker': UUID}
    for bad in ('nonsense', paging.encode({'phase': 1, 'marker': ''}),
                paging.encode(['x'])):
        with pytest.raises(errors.InvalidParameterValue, match='NextToken'):
            paging.decode(bad, ('phase', 'marker'))


def test_max_results_bounds():
    assert paging.max_results({}, 5, 1000) == paging.UNASKED
    with pytest.raises(errors.InvalidParameterValue):
        paging.max_results({'MaxResults': 4}, 5, 1000)
    with pytest.raises(errors.InvalidParameterCombination):
        paging.max_results({'MaxResults': 5}, 5, 1000, wanted=['i-1'])
