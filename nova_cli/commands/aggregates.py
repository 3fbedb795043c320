"""aggregate list, show, create, set, unset, add host, remove host, delete."""

from cliff import lister
from cliff import show

from nova_cli import format
from nova_cli import resolve
from nova_cli.commands import name_or_id


def aggregate_fields(agg):
    return (('id', 'name', 'availability_zone', 'hosts', 'properties',
             'created_at', 'updated_at'),
            (agg['id'], agg['name'], agg.get('availability_zone'),
             format.ListColumn(agg.get('hosts')),
             format.DictColumn(agg.get('metadata')),
             agg.get('created_at'), agg.get('updated_at')))


def _add_zone_and_property_options(parser):
    parser.add_argument('--zone', help='Availability zone name.')
    parser.add_argument('--property', action='append',
                        type=format.key_value, metavar='KEY=VALUE')


def _action(compute, agg, body):
    """POST an aggregate action; the aggregate as it is after."""
    return compute.post('/os-aggregates/%s/action' % agg['id'],
                        body)['aggregate']


def _set_metadata(compute, agg, metadata):
    """Set the keys of `metadata` (a None value unsets the key)."""
    return _action(compute, agg, {'set_metadata': {'metadata': metadata}})


def _fields_after_properties(compute, agg, properties):
    """The aggregate's fields once the --property KEY=VALUE pairs, if any,
    are set."""
    if properties:
        agg = _set_metadata(compute, agg, format.dict_of(properties))
    return aggregate_fields(agg)


class _One(name_or_id.NameOrIdArgument, show.ShowOne):
    """Commands on one aggregate, named by name or ID."""

    argument = 'aggregate'


class ListAggregate(lister.Lister):
    """List host aggregates (admin)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--long', action='store_true',
                            help='Also show hosts and properties.')
        return parser

    def take_action(self, args):
        found = self.app.compute.get('/os-aggregates')['aggregates']
        columns = ['ID', 'Name', 'Availability Zone']
        if args.long:
            columns += ['Hosts', 'Properties']
        rows = []
        for a in found:
            row = [a['id'], a['name'], a.get('availability_zone')]
            if args.long:
                row += [format.ListColumn(a.get('hosts')),
                        format.DictColumn(a.get('metadata'))]
            rows.append(row)
        return columns, rows


class ShowAggregate(name_or_id.ShowByNameOrId):
    """Show a host aggregate."""

    argument = 'aggregate'
    find = staticmethod(resolve.aggregate)
    fields = staticmethod(aggregate_fields)


class CreateAggregate(show.ShowOne):
    """Create a host aggregate; --zone makes it an availability zone."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('name', metavar='NAME')
        _add_zone_and_property_options(parser)
        return parser

    def take_action(self, args):
        compute = self.app.compute
        body = {'name': args.name}
        if args.zone:
            body['availability_zone'] = args.zone
        agg = compute.post('/os-aggregates', {'aggregate': body})['aggregate']
        return _fields_after_properties(compute, agg, args.property)


class SetAggregate(_One):
    """Rename an aggregate, change its zone or set properties."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--name')
        _add_zone_and_property_options(parser)
        return parser

    def take_action(self, args):
        compute = self.app.compute
        agg = resolve.aggregate(compute, args.aggregate)
        update = {}
        if args.name:
            update['name'] = args.name
        if args.zone:
            update['availability_zone'] = args.zone
        if update:
            agg = compute.put('/os-aggregates/%s' % agg['id'],
                              {'aggregate': update})['aggregate']
        return _fields_after_properties(compute, agg, args.property)


class UnsetAggregate(_One):
    """Remove properties from an aggregate."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--property', action='append', required=True,
                            metavar='KEY')
        return parser

    def take_action(self, args):
        compute = self.app.compute
        agg = resolve.aggregate(compute, args.aggregate)
        return aggregate_fields(_set_metadata(
            compute, agg, {key: None for key in args.property}))


class AddHost(_One):
    """Add a host to an aggregate."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('host', metavar='HOST')
        return parser

    def take_action(self, args):
        compute = self.app.compute
        agg = resolve.aggregate(compute, args.aggregate)
        return aggregate_fields(_action(compute, agg, {'add_host': {
            'host': args.host}}))


class RemoveHost(AddHost):
    """Remove a host from an aggregate."""

    def take_action(self, args):
        compute = self.app.compute
        agg = resolve.aggregate(compute, args.aggregate)
        return aggregate_fields(_action(compute, agg, {'remove_host': {
            'host': args.host}}))


class DeleteAggregate(name_or_id.DeleteByNameOrId):
    """Delete host aggregates."""

    argument, metavar, path = 'aggregates', 'AGGREGATE', '/os-aggregates/%s'
    find = staticmethod(resolve.aggregate)
