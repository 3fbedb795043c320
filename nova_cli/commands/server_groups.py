"""server-group list, show, create, delete."""

from cliff import lister
from cliff import show

from nova_cli import format
from nova_cli import resolve
from nova_cli.commands import name_or_id


def policy_of(group):
    """2.1 has a one-item "policies" list; 2.64 has "policy"."""
    if group.get('policy'):
        return group['policy']
    return ', '.join(group.get('policies') or [])


def group_fields(group):
    return (('id', 'name', 'policy', 'members'),
            (group['id'], group['name'], policy_of(group),
             format.ListColumn(group.get('members'))))


class ListServerGroup(lister.Lister):
    """List server groups."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--all-projects', action='store_true',
                            help='Every project\'s groups (admin).')
        return parser

    def take_action(self, args):
        url = '/os-server-groups'
        if args.all_projects:
            url += '?all_projects=true'
        groups = self.app.compute.get(url)['server_groups']
        return ('ID', 'Name', 'Policy', 'Members'), [
            (g['id'], g['name'], policy_of(g),
             format.ListColumn(g.get('members'))) for g in groups]


class ShowServerGroup(name_or_id.ShowByNameOrId):
    """Show a server group."""

    argument = 'group'
    find = staticmethod(resolve.server_group)
    fields = staticmethod(group_fields)


class CreateServerGroup(show.ShowOne):
    """Create a server group; boot into it with --hint group=ID."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('name', metavar='NAME')
        parser.add_argument('--policy', required=True,
                            choices=['affinity', 'anti-affinity'])
        return parser

    def take_action(self, args):
        group = self.app.compute.post('/os-server-groups', {'server_group': {
            'name': args.name, 'policies': [args.policy]}})['server_group']
        return group_fields(group)


class DeleteServerGroup(name_or_id.DeleteByNameOrId):
    """Delete server groups."""

    argument, metavar, path = 'groups', 'GROUP', '/os-server-groups/%s'
    find = staticmethod(resolve.server_group)
