"""flavor list, show, create, delete."""

from cliff import lister
from cliff import show

from nova_cli import resolve
from nova_cli.commands import name_or_id

FIELDS = (('id', 'id'), ('name', 'name'), ('ram', 'ram'), ('disk', 'disk'),
          ('ephemeral', 'OS-FLV-EXT-DATA:ephemeral'), ('swap', 'swap'),
          ('vcpus', 'vcpus'), ('rxtx_factor', 'rxtx_factor'),
          ('is_public', 'os-flavor-access:is_public'),
          ('disabled', 'OS-FLV-DISABLED:disabled'))


def flavor_fields(flavor):
    return (tuple(name for name, _ in FIELDS),
            tuple(flavor.get(key) for _, key in FIELDS))


class ListFlavor(lister.Lister):
    """List flavors."""

    def take_action(self, args):
        flavors = self.app.compute.get('/flavors/detail')['flavors']
        columns = ('ID', 'Name', 'RAM', 'Disk', 'Ephemeral', 'VCPUs',
                   'Is Public')
        return columns, [
            (f['id'], f['name'], f['ram'], f['disk'],
             f.get('OS-FLV-EXT-DATA:ephemeral'), f['vcpus'],
             f.get('os-flavor-access:is_public')) for f in flavors]


class ShowFlavor(name_or_id.ShowByNameOrId):
    """Show a flavor."""

    argument = 'flavor'
    find = staticmethod(resolve.flavor)
    fields = staticmethod(flavor_fields)


class CreateFlavor(show.ShowOne):
    """Create a flavor (admin)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('name', metavar='NAME')
        parser.add_argument('--id', help='Flavor ID (default: generated).')
        parser.add_argument('--ram', type=int, required=True, metavar='MB')
        parser.add_argument('--vcpus', type=int, required=True)
        parser.add_argument('--disk', type=int, default=0, metavar='GB')
        parser.add_argument('--ephemeral', type=int, default=0, metavar='GB')
        parser.add_argument('--swap', type=int, default=0, metavar='MB')
        parser.add_argument('--private', action='store_true',
                            help='Not visible to other projects.')
        return parser

    def take_action(self, args):
        body = {'name': args.name, 'ram': args.ram, 'vcpus': args.vcpus,
                'disk': args.disk, 'OS-FLV-EXT-DATA:ephemeral': args.ephemeral,
                'swap': args.swap,
                'os-flavor-access:is_public': not args.private}
        if args.id:
            body['id'] = args.id
        flavor = self.app.compute.post('/flavors', {'flavor': body})['flavor']
        return flavor_fields(flavor)


class DeleteFlavor(name_or_id.DeleteByNameOrId):
    """Delete flavors (admin)."""

    argument, metavar, path = 'flavors', 'FLAVOR', '/flavors/%s'
    find = staticmethod(resolve.flavor)
