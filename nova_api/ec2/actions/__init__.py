"""Every EC2 action this cloud serves, by its botocore operation name."""

from nova_api.ec2.actions import images
from nova_api.ec2.actions import instances
from nova_api.ec2.actions import keypairs
from nova_api.ec2.actions import regions
from nova_api.ec2.actions import tags

HANDLERS = {}
for _module in (instances, images, keypairs, tags, regions):
    HANDLERS.update(_module.HANDLERS)
