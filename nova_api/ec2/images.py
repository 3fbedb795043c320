"""Images as EC2 sees them: `ami-` ids, and the Image structure of a
Glance v2 image body (the image API in this process)."""

from nova_api.ec2 import compute
from nova_api.ec2 import errors
from nova_api.ec2 import ids

NOT_FOUND = 'InvalidAMIID.NotFound'
PAGE = 1000
# The most images one answer reads (a project rarely sees more).
MAX_IMAGES = 20000


def list_all(call):
    """Every image the caller may see, by pages of the image API."""
    out, marker = [], None
    while len(out) < MAX_IMAGES:
        query = {'limit': PAGE}
        if marker:
            query['marker'] = marker
        try:
            page = call.compute.get('/image/v2/images', **query)
        except compute.ComputeError as error:
            raise compute.ec2_error(error)
        out += page['images']
        if not page.get('next') or not page['images']:
            return out
        marker = page['images'][-1]['id']
    return out


def find(call, ami_id):
    """The image body whose `ami-` id this is."""
    ids.check(ami_id, 'ami', NOT_FOUND)
    for image in list_all(call):
        if ids.image_id(image['id']) == ami_id:
            return image
    raise errors.NotFound("The image id '[%s]' does not exist" % ami_id,
                          code=NOT_FOUND)


def image(body):
    """The Image structure (boto3's shape) of a Glance image body."""
    public = body.get('visibility') in ('public', 'community')
    return {
        'ImageId': ids.image_id(body['id']),
        'Name': body.get('name') or '',
        'Description': body.get('description') or '',
        'ImageLocation': '%s/%s' % (body.get('owner') or '',
                                    body.get('name') or body['id']),
        'State': {'active': 'available', 'queued': 'pending',
                  'saving': 'pending', 'importing': 'pending',
                  'uploading': 'pending'}.get(body.get('status'),
                                              'failed'),
        'OwnerId': body.get('owner') or '',
        'Public': public,
        'CreationDate': body.get('created_at'),
        'Architecture': 'x86_64',
        'ImageType': 'machine',
        'RootDeviceType': 'instance-store',
        'RootDeviceName': '/dev/vda',
        'VirtualizationType': 'hvm',
        'Hypervisor': 'xen',
        'Tags': [{'Key': t, 'Value': ''} for t in body.get('tags') or ()],
    }
