"""RunInstances, DescribeInstances and the instance lifecycle actions."""

import base64
import binascii
import time

from nova_api.ec2 import compute
from nova_api.ec2 import errors
from nova_api.ec2 import filters as ec2_filters
from nova_api.ec2 import ids
from nova_api.ec2 import images
from nova_api.ec2 import paging
from nova_api.ec2 import servers

MAX_COUNT = 1000
# A repeat of a ClientToken waits this long for the first launch's answer.
CLIENT_TOKEN_WAIT = 30
_INSTANCE_FILTERS = ('instance-id', 'instance-state-name',
                     'instance-state-code', 'instance-type',
                     'availability-zone', 'image-id', 'key-name',
                     'reservation-id', 'private-ip-address',
                     'ip-address', 'tag-key', 'tag-value')


def _flavor_id(call, name):
    try:
        flavors = call.compute.get('/flavors/detail', is_public='None')[
            'flavors']
    except compute.ComputeError as error:
        raise compute.ec2_error(error)
    for flavor in flavors:
        if flavor['name'] == name:
            return flavor['id']
    raise errors.InvalidParameterValue(
        "Invalid value '%s' for InstanceType: no such instance type "
        "(DescribeInstanceTypes lists them)." % name)


def _tags_for(spec_list, resource_type):
    out = {}
    for spec in spec_list or ():
        kind = spec.get('ResourceType')
        if kind not in ('instance', None):
            raise errors.InvalidParameterValue(
                "TagSpecification ResourceType '%s' is not supported: "
                "only 'instance'." % kind)
        for tag in spec.get('Tags') or ():
            if 'Key' not in tag:
                raise errors.MissingParameter(
                    'A tag of TagSpecification has no Key.')
            out[tag['Key']] = tag.get('Value', '')
    return out


def _user_data(params):
    text = params.get('UserData')
    if text is None:
        return None
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raw = text.encode()
    if len(raw) > 16 * 1024:
        raise errors.InvalidParameterValue(
            'User data is limited to 16384 bytes.')
    return base64.b64encode(raw).decode()


def run_instances(call, params):
    min_count, max_count = params['MinCount'], params['MaxCount']
    if not 1 <= min_count <= max_count:
        raise errors.InvalidParameterValue(
            'MinCount must be at least 1 and at most MaxCount.')
    if max_count > MAX_COUNT:
        raise errors.InvalidParameterValue(
            'MaxCount is at most %d.' % MAX_COUNT)
    token = params.get('ClientToken')
    if token is not None and not (0 < len(token) <= 64 and token.isascii()):
        raise errors.InvalidParameterValue(
            'ClientToken is 1 to 64 ASCII characters.')
    if token:
        request_hash = servers.request_hash(params)
        earlier = call.conductor.ec2_client_token_claim(
            call.ctxt, call.ctxt.project_id, token, request_hash)
        if earlier is not None:
            return _repeat(call, token, request_hash, earlier)
    try:
        answer = _launch(call, params, min_count, max_count)
    except Exception:
        if token:
            call.conductor.ec2_client_token_release(
                call.ctxt, call.ctxt.project_id, token)
        raise
    if token:
        call.conductor.ec2_client_token_set(
            call.ctxt, call.ctxt.project_id, token,
            answer['reservation_id'])
    if 'servers' not in answer:
        return _reservation(call, answer['reservation_id'])
    return _reservation_of(call, answer['reservation_id'],
                           answer['servers'])


def _launch(call, params, min_count, max_count):
    if not params.get('ImageId'):
        raise errors.MissingParameter(
            'The request must contain the parameter ImageId.')
    image = images.find(call, params['ImageId'])
    flavor = _flavor_id(call, params.get('InstanceType') or 'm1.small')
    tags = _tags_for(params.get('TagSpecifications'), 'instance')
    server = {
        'name': tags.get('Name') or 'ec2-instance',
        'imageRef': image['id'], 'flavorRef': flavor,
        'min_count': min_count, 'max_count': max_count,
        'networks': 'auto', 'return_reservation_id': True,
    }
    if tags:
        server['metadata'] = tags
    if params.get('KeyName'):
        server['key_name'] = params['KeyName']
    user_data = _user_data(params)
    if user_data:
        server['user_data'] = user_data
    zone = (params.get('Placement') or {}).get('AvailabilityZone')
    if zone:
        server['availability_zone'] = zone
    try:
        answer = call.compute.post('/servers', {'server': server})
    except compute.ComputeError as error:
        if error.status == 400 and 'key' in error.message.lower() and \
                params.get('KeyName'):
            raise errors.NotFound(
                "The key pair '%s' does not exist" % params['KeyName'],
                code='InvalidKeyPair.NotFound')
        raise compute.ec2_error(error)
    return answer


def _repeat(call, token, request_hash, earlier):
    if earlier['request_hash'] != request_hash:
        raise errors.IdempotentParameterMismatch(
            'The ClientToken %s was used before with other parameters.'
            % token)
    deadline = time.monotonic() + CLIENT_TOKEN_WAIT
    while earlier['reservation_id'] is None:
        if time.monotonic() > deadline:
            raise errors.ServiceUnavailable(
                'The first request with this ClientToken is still '
                'launching; retry.')
        time.sleep(0.5)
        earlier = call.conductor.ec2_client_token_claim(
            call.ctxt, call.ctxt.project_id, token, request_hash) or \
            {'request_hash': request_hash, 'reservation_id': None}
    return _reservation(call, earlier['reservation_id'])


def _reservation(call, reservation_id):
    found, marker = [], None
    while True:
        page, marker = servers.list_page(call, marker,
                                         reservation_id=reservation_id)
        found += page
        if not marker:
            break
    return _reservation_of(call, reservation_id, found)


def _reservation_of(call, reservation_id, found):
    found.sort(key=lambda s: (s.get('ec2') or {}).get('launch_index') or 0)
    return {'ReservationId': reservation_id,
            'OwnerId': call.ctxt.project_id, 'Groups': [],
            'Instances': [servers.instance(s) for s in found]}


def describe_instances(call, params):
    wanted = params.get('InstanceIds')
    max_results = paging.max_results(params, minimum=5, maximum=1000,
                                     wanted=wanted)
    matches = ec2_filters.matcher(params.get('Filters'), _INSTANCE_FILTERS,
                                  _instance_values)
    if wanted:
        chosen = list(servers.find(call, wanted, deleted=True).values())
        found = [s for s in chosen if matches(s)]
        return {'Reservations': servers.reservations(
            found, call.ctxt.project_id)}
    page, token = paging.servers(call, params.get('NextToken'),
                                 max_results, matches)
    out = {'Reservations': servers.reservations(page, call.ctxt.project_id)}
    if token:
        out['NextToken'] = token
    return out


def _instance_values(server, name):
    """The values of filter `name` a server has."""
    if name == 'instance-id':
        return [ids.instance_id(server['id'])]
    if name == 'instance-state-name':
        return [servers.state(server)[1]]
    if name == 'instance-state-code':
        return [str(servers.state(server)[0])]
    if name == 'instance-type':
        return [(server.get('flavor') or {}).get('original_name')]
    if name == 'availability-zone':
        return [server.get('OS-EXT-AZ:availability_zone')]
    if name == 'image-id':
        image = server.get('image') or {}
        return [ids.image_id(image['id'])] if image.get('id') else []
    if name == 'key-name':
        return [server.get('key_name')]
    if name == 'reservation-id':
        return [(server.get('ec2') or {}).get('reservation_id')]
    if name == 'private-ip-address':
        return [servers.instance(server).get('PrivateIpAddress')]
    if name == 'ip-address':
        return [servers.instance(server).get('PublicIpAddress')]
    tags = servers.tags(server)
    if name == 'tag-key':
        return [t['Key'] for t in tags]
    if name == 'tag-value':
        return [t['Value'] for t in tags]
    # tag:KEY
    key = name[4:]
    return [t['Value'] for t in tags if t['Key'] == key]


def _act(call, params, action, transitions):
    """Run a server action on each instance; the state changes list."""
    chosen = servers.find(call, params['InstanceIds'])
    out = []
    for ec2_id, server in chosen.items():
        before = servers.state_dict(server)
        try:
            action(server)
        except compute.ComputeError as error:
            raise compute.ec2_error(error, servers.NOT_FOUND)
        code, name = transitions.get(before['Name'], (before['Code'],
                                                      before['Name']))
        out.append({'InstanceId': ec2_id, 'PreviousState': before,
                    'CurrentState': {'Code': code, 'Name': name}})
    return out


def terminate_instances(call, params):
    def delete(server):
        call.compute.delete('/servers/%s' % server['id'])
    return {'TerminatingInstances': _act(
        call, params, delete,
        {name: servers.SHUTTING_DOWN for name in
         ('pending', 'running', 'stopping', 'stopped')})}


def stop_instances(call, params):
    def stop(server):
        if servers.state(server) == servers.RUNNING:
            call.compute.post('/servers/%s/action' % server['id'],
                              {'os-stop': None})
    return {'StoppingInstances': _act(call, params, stop,
                                      {'running': servers.STOPPING})}


def start_instances(call, params):
    def start(server):
        if servers.state(server) == servers.STOPPED:
            call.compute.post('/servers/%s/action' % server['id'],
                              {'os-start': None})
    return {'StartingInstances': _act(call, params, start,
                                      {'stopped': servers.PENDING})}


def reboot_instances(call, params):
    def reboot(server):
        call.compute.post('/servers/%s/action' % server['id'],
                          {'reboot': {'type': 'SOFT'}})
    _act(call, params, reboot, {})
    return {'Return': True}


def describe_instance_status(call, params):
    wanted = params.get('InstanceIds')
    max_results = paging.max_results(params, minimum=5, maximum=1000,
                                     wanted=wanted)
    include_all = params.get('IncludeAllInstances', False)
    matches = ec2_filters.matcher(
        params.get('Filters'),
        ('instance-state-name', 'instance-state-code', 'availability-zone'),
        _instance_values)

    def shown(server):
        return (include_all or servers.state(server) == servers.RUNNING) \
            and matches(server)
    if wanted:
        page = [s for s in servers.find(call, wanted).values() if shown(s)]
        token = None
    else:
        page, token = paging.servers(call, params.get('NextToken'),
                                     max_results, shown)
    out = {'InstanceStatuses': [_status(s) for s in page]}
    if token:
        out['NextToken'] = token
    return out


def _status(server):
    running = servers.state(server) == servers.RUNNING
    health = {'Status': 'ok' if running else 'not-applicable',
              'Details': [{'Name': 'reachability',
                           'Status': 'passed' if running else
                           'initializing'}]}
    return {'InstanceId': ids.instance_id(server['id']),
            'AvailabilityZone': server.get('OS-EXT-AZ:availability_zone'),
            'InstanceState': servers.state_dict(server),
            'InstanceStatus': health, 'SystemStatus': health}


def get_console_output(call, params):
    ec2_id = params['InstanceId']
    server = servers.find(call, [ec2_id])[ec2_id]
    try:
        text = call.compute.post(
            '/servers/%s/action' % server['id'],
            {'os-getConsoleOutput': {'length': 2000}})['output']
    except compute.ComputeError as error:
        if error.status == 409:
            text = ''
        else:
            raise compute.ec2_error(error, servers.NOT_FOUND)
    return {'InstanceId': ec2_id,
            'Timestamp': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()),
            'Output': base64.b64encode(text.encode()).decode()}


HANDLERS = {
    'RunInstances': run_instances,
    'DescribeInstances': describe_instances,
    'TerminateInstances': terminate_instances,
    'StopInstances': stop_instances,
    'StartInstances': start_instances,
    'RebootInstances': reboot_instances,
    'DescribeInstanceStatus': describe_instance_status,
    'GetConsoleOutput': get_console_output,
}
