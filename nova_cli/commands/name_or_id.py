"""The one positional NAME-or-ID argument of commands on one resource."""


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
