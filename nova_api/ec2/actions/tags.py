"""CreateTags, DeleteTags and DescribeTags on instances. An EC2 tag is a
server metadata item (Key=Value); a Nova tag shows as a tag whose Value
is empty, and the server's name as Name unless metadata has one."""

from nova_api.ec2 import compute
from nova_api.ec2 import errors
from nova_api.ec2 import filters as ec2_filters
from nova_api.ec2 import ids
from nova_api.ec2 import paging
from nova_api.ec2 import servers

MAX_TAGS = 50


def _instance_ids(params):
    resources = params['Resources']
    for resource in resources:
        if not resource.startswith('i-'):
            raise errors.InvalidParameterValue(
                "Tags are supported on instances only, not '%s'."
                % resource[:80], code='InvalidID')
    return resources


def create_tags(call, params):
    tags = params['Tags']
    if len(tags) > MAX_TAGS:
        raise errors.InvalidParameterValue(
            'At most %d tags at once.' % MAX_TAGS, code='TagLimitExceeded')
    metadata = {}
    for tag in tags:
        if not tag.get('Key'):
            raise errors.InvalidParameterValue('A tag has an empty Key.')
        if tag['Key'].startswith('aws:'):
            raise errors.InvalidParameterValue(
                "Tag keys starting with 'aws:' are reserved.")
        metadata[tag['Key']] = tag.get('Value', '')
    for server in servers.find(call, _instance_ids(params)).values():
        try:
            call.compute.post('/servers/%s/metadata' % server['id'],
                              {'metadata': metadata})
        except compute.ComputeError as error:
            raise compute.ec2_error(error, servers.NOT_FOUND)
    return {}


def delete_tags(call, params):
    tags = params.get('Tags')
    for server in servers.find(call, _instance_ids(params)).values():
        metadata = server.get('metadata') or {}
        nova_tags = set(server.get('tags') or ())
        if tags is None:
            doomed = [{'Key': k} for k in list(metadata) + list(nova_tags)]
        else:
            doomed = tags
        for tag in doomed:
            key = tag.get('Key')
            if key is None:
                raise errors.MissingParameter('A tag has no Key.')
            value_given = 'Value' in tag
            try:
                if key in metadata and (not value_given or
                                        metadata[key] == tag['Value']):
                    call.compute.delete('/servers/%s/metadata/%s'
                                        % (server['id'], key))
                if key in nova_tags and (not value_given or
                                         tag['Value'] == ''):
                    call.compute.delete('/servers/%s/tags/%s'
                                        % (server['id'], key))
            except compute.ComputeError as error:
                if error.status != 404:
                    raise compute.ec2_error(error, servers.NOT_FOUND)
    return {}


def _tag_values(tag, name):
    return [{'key': tag['Key'], 'value': tag['Value'],
             'resource-id': tag['ResourceId'],
             'resource-type': tag['ResourceType']}[name]]


def describe_tags(call, params):
    limit = paging.max_results(params, minimum=5, maximum=1000)
    matches = ec2_filters.matcher(
        params.get('Filters'), ('key', 'value', 'resource-id',
                                'resource-type'), _tag_values)
    state = paging.decode(params.get('NextToken'), ('marker',)) or \
        {'marker': ''}
    out, marker = [], state['marker'] or None
    while True:
        page, more = servers.list_page(call, marker)
        for i, server in enumerate(page):
            for tag in servers.tags(server):
                tag = dict(tag, ResourceId=ids.instance_id(server['id']),
                           ResourceType='instance')
                if matches(tag):
                    out.append(tag)
            if len(out) >= limit and (more or i < len(page) - 1):
                return {'Tags': out, 'NextToken': paging.encode(
                    {'marker': server['id']})}
        if not more:
            return {'Tags': out}
        marker = more


HANDLERS = {'CreateTags': create_tags, 'DeleteTags': delete_tags,
            'DescribeTags': describe_tags}
