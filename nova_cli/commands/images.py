"""image list, show (Compute API) and image create (Glance v2 upload)."""

import os

from cliff import lister
from cliff import show

from nova_cli import format
from nova_cli import resolve
from nova_cli.commands import name_or_id

QCOW2_MAGIC = b'QFI\xfb'


def image_fields(image):
    return (('id', 'name', 'status', 'size', 'min_disk', 'min_ram',
             'properties', 'created', 'updated'),
            (image['id'], image.get('name'), image.get('status'),
             image.get('OS-EXT-IMG-SIZE:size'), image.get('minDisk'),
             image.get('minRam'), format.DictColumn(image.get('metadata')),
             image.get('created'), image.get('updated')))


def glance_fields(image):
    """A Glance v2 image: its own keys, extra properties at top level."""
    known = ('id', 'name', 'status', 'size', 'disk_format',
             'container_format', 'visibility', 'min_disk', 'min_ram',
             'checksum', 'created_at', 'updated_at')
    skip = set(known) | {'self', 'file', 'schema', 'tags', 'locations',
                         'direct_url', 'owner', 'protected', 'os_hidden',
                         'virtual_size', 'os_hash_algo', 'os_hash_value'}
    properties = {k: v for k, v in image.items() if k not in skip}
    return (known + ('properties',),
            tuple(image.get(k) for k in known) +
            (format.DictColumn(properties),))


def guess_disk_format(path):
    with open(path, 'rb') as f:
        return 'qcow2' if f.read(4) == QCOW2_MAGIC else 'raw'


class ListImage(lister.Lister):
    """List images."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--name', help='Only images with this name.')
        return parser

    def take_action(self, args):
        url = '/images/detail'
        if args.name:
            url += '?name=' + resolve.quote(args.name)
        images = self.app.compute.get(url)['images']
        return ('ID', 'Name', 'Status', 'Size'), [
            (i['id'], i['name'], i.get('status'),
             i.get('OS-EXT-IMG-SIZE:size')) for i in images]


class ShowImage(name_or_id.ShowByNameOrId):
    """Show an image."""

    argument = 'image'
    find = staticmethod(resolve.image)
    fields = staticmethod(image_fields)


class CreateImage(show.ShowOne):
    """Upload an image file through the Image API (Glance v2)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('name', metavar='NAME')
        parser.add_argument('--file', required=True, metavar='FILE',
                            help='The disk image to upload.')
        parser.add_argument('--disk-format',
                            help='qcow2, raw... (default: read from the '
                                 'file).')
        parser.add_argument('--container-format', default='bare')
        parser.add_argument('--min-disk', type=int, metavar='GB')
        parser.add_argument('--min-ram', type=int, metavar='MB')
        parser.add_argument('--property', action='append',
                            type=format.key_value, metavar='KEY=VALUE')
        visibility = parser.add_mutually_exclusive_group()
        visibility.add_argument('--public', dest='visibility',
                                action='store_const', const='public')
        visibility.add_argument('--private', dest='visibility',
                                action='store_const', const='private')
        return parser

    def take_action(self, args):
        path = os.path.expanduser(args.file)
        body = dict(format.dict_of(args.property), name=args.name,
                    disk_format=args.disk_format or guess_disk_format(path),
                    container_format=args.container_format)
        for key in ('visibility', 'min_disk', 'min_ram'):
            if getattr(args, key) is not None:
                body[key] = getattr(args, key)
        glance = self.app.image
        image = glance.post('/v2/images', body)
        with open(path, 'rb') as f:
            glance.put('/v2/images/%s/file' % image['id'], data=f,
                       headers={'Content-Type': 'application/octet-stream'})
        return glance_fields(glance.get('/v2/images/%s' % image['id']))
