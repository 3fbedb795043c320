"""Commands on resources named by name or ID: the one positional
NAME-or-ID argument, showing one, and deleting several at once."""

from cliff import command
from cliff import show

from nova_cli import resolve


class NameOrIdArgument:
    """Mixin, before the cliff base class, for a command on one resource:
    its first argument, named `argument` (in capitals in the usage), is
    that resource's name or ID."""

    argument = None

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(self.argument, metavar=self.argument.upper(),
                            help='Name or ID.')
        return parser


class ShowByNameOrId(NameOrIdArgument, show.ShowOne):
    """Shows the resource named: found by find(compute, name or ID),
    shown as fields(resource) gives it."""

    find = None
    fields = None

    def take_action(self, args):
        return self.fields(self.find(self.app.compute,
                                     getattr(args, self.argument)))


class DeleteByNameOrId(command.Command):
    """Deletes each resource named: the arguments `argument` (METAVAR in
    the usage), each found by find(compute, name or ID) and deleted at
    `path` % its ID."""

    argument = None
    metavar = None
    find = None
    path = None

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(self.argument, metavar=self.metavar, nargs='+')
        return parser

    def take_action(self, args):
        compute = self.app.compute
        for ident in getattr(args, self.argument):
            found = self.find(compute, ident)
            compute.delete(self.path % resolve.quote(found['id']))
        return 0
