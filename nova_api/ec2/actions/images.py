"""DescribeImages and CreateImage."""

from nova_api.ec2 import compute
from nova_api.ec2 import errors
from nova_api.ec2 import filters as ec2_filters
from nova_api.ec2 import ids
from nova_api.ec2 import images
from nova_api.ec2 import servers

_FILTERS = ('image-id', 'name', 'state', 'owner-id', 'is-public',
            'architecture', 'image-type', 'tag-key')


def _values(body, name):
    shown = images.image(body)
    if name == 'image-id':
        return [shown['ImageId']]
    if name == 'name':
        return [shown['Name']]
    if name == 'state':
        return [shown['State']]
    if name == 'owner-id':
        return [shown['OwnerId']]
    if name == 'is-public':
        return ['true' if shown['Public'] else 'false']
    if name == 'architecture':
        return [shown['Architecture']]
    if name == 'image-type':
        return [shown['ImageType']]
    if name == 'tag-key':
        return [t['Key'] for t in shown['Tags']]
    return [t['Value'] for t in shown['Tags'] if t['Key'] == name[4:]]


def _owner_matches(call, body, owners):
    """Owners: 'self', a project id, or 'amazon'/'aws-marketplace' (no
    image is theirs here)."""
    for owner in owners:
        if owner == 'self' and body.get('owner') == call.ctxt.project_id:
            return True
        if owner == body.get('owner'):
            return True
    return False


def describe_images(call, params):
    wanted = params.get('ImageIds') or []
    for ami in wanted:
        ids.check(ami, 'ami', images.NOT_FOUND)
    owners = params.get('Owners') or []
    matches = ec2_filters.matcher(params.get('Filters'), _FILTERS, _values)
    found = []
    for body in images.list_all(call):
        if wanted and ids.image_id(body['id']) not in wanted:
            continue
        if owners and not _owner_matches(call, body, owners):
            continue
        if matches(body):
            found.append(body)
    missing = set(wanted) - {ids.image_id(b['id']) for b in found}
    if missing and not params.get('Filters') and not owners:
        raise errors.NotFound("The image id '[%s]' does not exist"
                              % sorted(missing)[0], code=images.NOT_FOUND)
    return {'Images': [images.image(b) for b in found]}


def create_image(call, params):
    ec2_id = params['InstanceId']
    server = servers.find(call, [ec2_id])[ec2_id]
    body = {'createImage': {'name': params['Name']}}
    if params.get('Description'):
        body['createImage']['metadata'] = {
            'description': params['Description'][:255]}
    try:
        answer = call.compute.post('/servers/%s/action' % server['id'],
                                   body)
    except compute.ComputeError as error:
        if error.status in (400, 403, 501) and 'snapshot' in \
                error.message.lower():
            raise errors.UnsupportedOperation(error.message)
        raise compute.ec2_error(error, servers.NOT_FOUND)
    return {'ImageId': ids.image_id(answer['image_id'])}


HANDLERS = {'DescribeImages': describe_images, 'CreateImage': create_image}
