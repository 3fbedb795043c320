"""Servers as EC2 sees them: finding them by EC2 id, listing them page by
page, and the Instance structure of a Compute API server body."""

import base64
import datetime
import hashlib
import json

from common import states
from nova_api.ec2 import compute
from nova_api.ec2 import errors
from nova_api.ec2 import ids

PAGE = 1000
NOT_FOUND = 'InvalidInstanceID.NotFound'
# AWS shows a terminated instance for about an hour.
TERMINATED_VISIBLE = datetime.timedelta(hours=1)

# (code, name) of each EC2 instance state.
PENDING = (0, 'pending')
RUNNING = (16, 'running')
SHUTTING_DOWN = (32, 'shutting-down')
TERMINATED = (48, 'terminated')
STOPPING = (64, 'stopping')
STOPPED = (80, 'stopped')
STATE_NAMES = [s[1] for s in (PENDING, RUNNING, SHUTTING_DOWN, TERMINATED,
                              STOPPING, STOPPED)]


def state(server):
    """The EC2 state of a server, from its vm_state and task_state."""
    vm = server.get('OS-EXT-STS:vm_state')
    task = server.get('OS-EXT-STS:task_state')
    if vm in (states.DELETED, states.SOFT_DELETED):
        return TERMINATED
    if task == states.DELETING:
        return SHUTTING_DOWN
    if vm == states.BUILDING or task == states.POWERING_ON:
        return PENDING
    if task == states.POWERING_OFF:
        return STOPPING
    if vm in (states.STOPPED, states.SHELVED, states.SHELVED_OFFLOADED,
              states.SUSPENDED):
        return STOPPED
    if vm == states.ERROR:
        return STOPPED if server.get('OS-EXT-STS:power_state') != \
            states.RUNNING else RUNNING
    return RUNNING


def state_dict(server):
    code, name = state(server)
    return {'Code': code, 'Name': name}


def _meta_tags(server):
    tags = [{'Key': k, 'Value': v}
            for k, v in sorted((server.get('metadata') or {}).items())]
    keys = {t['Key'] for t in tags}
    tags += [{'Key': t, 'Value': ''} for t in server.get('tags') or ()
             if t not in keys]
    if 'Name' not in keys and server.get('name'):
        tags.append({'Key': 'Name', 'Value': server['name']})
    return tags


def tags(server):
    """EC2 tags of a server: its metadata (Key=Value), its Nova tags
    (Value ''), and its name as the Name tag unless metadata has one."""
    return _meta_tags(server)


def _addresses(server):
    out = []
    for network in (server.get('addresses') or {}).values():
        for address in network:
            out.append(address)
    return out


def _private_ip(server):
    for address in _addresses(server):
        if address.get('version') == 4 and \
                address.get('OS-EXT-IPS:type', 'fixed') == 'fixed':
            return address['addr']
    return None


def _public_ip(server):
    for address in _addresses(server):
        if address.get('OS-EXT-IPS:type') == 'floating':
            return address['addr']
    return server.get('accessIPv4') or None


def instance(server, image_ids=None):
    """The Instance structure (boto3's shape) of a server body."""
    image = server.get('image') or {}
    flavor = server.get('flavor') or {}
    ec2 = server.get('ec2') or {}
    hostname = server.get('OS-EXT-SRV-ATTR:hostname') or ''
    private_ip = _private_ip(server)
    public_ip = _public_ip(server)
    volumes = server.get('os-extended-volumes:volumes_attached') or []
    out = {
        'InstanceId': ids.instance_id(server['id']),
        'ImageId': ids.image_id(image['id']) if image.get('id') else None,
        'State': state_dict(server),
        'PrivateDnsName': hostname,
        'PublicDnsName': '',
        'StateTransitionReason': '',
        'KeyName': server.get('key_name') or None,
        'AmiLaunchIndex': ec2.get('launch_index') or 0,
        'InstanceType': flavor.get('original_name'),
        'LaunchTime': server.get('OS-SRV-USG:launched_at') or
        server.get('created'),
        'Placement': {
            'AvailabilityZone':
                server.get('OS-EXT-AZ:availability_zone') or '',
            'Tenancy': 'default'},
        'Monitoring': {'State': 'disabled'},
        'PrivateIpAddress': private_ip,
        'PublicIpAddress': public_ip,
        'Architecture': 'x86_64',
        'RootDeviceType': 'instance-store' if image.get('id') else 'ebs',
        'RootDeviceName': '/dev/vda',
        'BlockDeviceMappings': [
            {'DeviceName': '/dev/vd%s' % chr(ord('b') + i),
             'Ebs': {'VolumeId': 'vol-' + v['id'].replace('-', '')[:17],
                     'Status': 'attached',
                     'DeleteOnTermination':
                         bool(v.get('delete_on_termination'))}}
            for i, v in enumerate(volumes)],
        'VirtualizationType': 'hvm',
        'ClientToken': ec2.get('client_token') or '',
        'Tags': tags(server),
        'SecurityGroups': [],
        'SourceDestCheck': True,
        'CpuOptions': {'CoreCount': flavor.get('vcpus') or 1,
                       'ThreadsPerCore': 1},
    }
    if out['State']['Name'] == 'terminated':
        out['StateTransitionReason'] = 'User initiated'
        out['StateReason'] = {'Code': 'Client.UserInitiatedShutdown',
                              'Message': 'Client.UserInitiatedShutdown: '
                                         'User initiated shutdown'}
    return {k: v for k, v in out.items() if v is not None}


def reservations(servers, owner):
    """Servers grouped by their reservation, in the order first seen."""
    groups = {}
    for server in servers:
        rid = ids.reservation_id((server.get('ec2') or {}).get(
            'reservation_id'))
        groups.setdefault(rid, []).append(server)
    return [{'ReservationId': rid, 'OwnerId': owner, 'Groups': [],
             'Instances': [instance(s) for s in members]}
            for rid, members in groups.items()]


def list_page(call, marker=None, limit=PAGE, uuid_prefixes=None,
              **filters):
    """(servers, next marker or None): one page of the caller's live
    servers, oldest first; `uuid_prefixes` keeps those whose uuid starts
    with one."""
    query = dict(filters, limit=limit, sort_key='created_at',
                 sort_dir='asc')
    if marker:
        query['marker'] = marker
    internal = {'uuid_prefixes': uuid_prefixes} if uuid_prefixes else None
    try:
        page = call.compute.request('GET', '/servers/detail', query=query,
                                    internal_filters=internal)['servers']
    except compute.ComputeError as error:
        raise compute.ec2_error(error)
    return page, (page[-1]['id'] if len(page) == limit else None)


def terminated_since():
    return (datetime.datetime.now(datetime.timezone.utc) -
            TERMINATED_VISIBLE).strftime('%Y-%m-%dT%H:%M:%SZ')


def terminated(call, uuid_prefixes=None):
    """The caller's servers deleted within the last hour."""
    since = terminated_since()
    out, marker = [], None
    while True:
        page, marker = list_page(call, marker, uuid_prefixes=uuid_prefixes,
                                 status='DELETED',
                                 **{'changes-since': since})
        out += [s for s in page
                if s.get('OS-EXT-STS:vm_state') == states.DELETED]
        if not marker:
            return out


def find(call, instance_ids, deleted=False):
    """{EC2 id: server} for these ids of the caller's servers;
    InvalidInstanceID.NotFound names the first not found."""
    wanted = [ids.check(i, 'i', NOT_FOUND) for i in instance_ids]
    if len(wanted) > ids.MAX_IDS:
        raise errors.InvalidParameterValue(
            'At most %d instance ids are taken.' % ids.MAX_IDS)
    found = {}
    prefixes = [ids.uuid_prefix(i) for i in wanted]
    marker = None
    while True:
        page, marker = list_page(call, marker, uuid_prefixes=prefixes)
        for server in page:
            found[ids.instance_id(server['id'])] = server
        if not marker:
            break
    if deleted and set(wanted) - set(found):
        for server in terminated(call, prefixes):
            found.setdefault(ids.instance_id(server['id']), server)
    missing = [i for i in wanted if i not in found]
    if missing:
        raise errors.NotFound(
            "The instance ID '%s' does not exist" % missing[0],
            code=NOT_FOUND)
    return {i: found[i] for i in wanted}


def encode_user_data(text):
    """EC2 UserData arrives base64-encoded; the Compute API takes the
    same. A value that is not base64 is encoded here, as AWS accepts."""
    try:
        base64.b64decode(text, validate=True)
        return text
    except ValueError:
        return base64.b64encode(text.encode()).decode()


def request_hash(params):
    return hashlib.sha256(json.dumps(
        params, sort_keys=True, default=str).encode()).hexdigest()
