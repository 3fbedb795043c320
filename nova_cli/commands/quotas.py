"""quota show, set, delete; limits show."""

from cliff import command
from cliff import lister
from cliff import show

from nova_cli import errors
from nova_cli import resolve

# The quotas this cloud enforces, as `quota set` options.
SETTABLE = ('instances', 'cores', 'ram', 'metadata_items', 'key_pairs',
            'server_groups', 'server_group_members', 'injected_files',
            'injected_file_content_bytes', 'injected_file_path_bytes')


def _project(app, given):
    return given or app.cloud.project_id()


class ShowQuota(lister.Lister):
    """Show a project's quotas (default: yours), with usage by --usage."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('project', metavar='PROJECT', nargs='?',
                            help='Project ID (default: the current one).')
        which = parser.add_mutually_exclusive_group()
        which.add_argument('--default', action='store_true',
                           help='The defaults new projects get.')
        which.add_argument('--usage', action='store_true',
                           help='Also show what is in use.')
        return parser

    def take_action(self, args):
        project = resolve.quote(_project(self.app, args.project))
        suffix = ('/defaults' if args.default else
                  '/detail' if args.usage else '')
        quotas = self.app.compute.get('/os-quota-sets/%s%s' % (
            project, suffix))['quota_set']
        quotas.pop('id', None)
        if args.usage:
            return ('Resource', 'Limit', 'In Use'), [
                (k, v['limit'], v['in_use'])
                for k, v in sorted(quotas.items())]
        return ('Resource', 'Limit'), sorted(quotas.items())


class SetQuota(show.ShowOne):
    """Set a project's quotas (admin); -1 means unlimited."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('project', metavar='PROJECT')
        for key in SETTABLE:
            parser.add_argument('--' + key.replace('_', '-'), dest=key,
                                type=int, metavar='N')
        return parser

    def take_action(self, args):
        wanted = {k: getattr(args, k) for k in SETTABLE
                  if getattr(args, k) is not None}
        if not wanted:
            raise errors.CommandError('Name at least one quota to set, '
                                       'e.g. --instances 20.')
        got = self.app.compute.put('/os-quota-sets/%s' % resolve.quote(
            args.project), {'quota_set': wanted})['quota_set']
        keys = sorted(got)
        return keys, [got[k] for k in keys]


class DeleteQuota(command.Command):
    """Reset a project's quotas to the defaults (admin)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('project', metavar='PROJECT')
        return parser

    def take_action(self, args):
        self.app.compute.delete('/os-quota-sets/%s' % resolve.quote(
            args.project))
        return 0


class ShowLimits(lister.Lister):
    """Show your absolute limits and usage."""

    def take_action(self, args):
        absolute = self.app.compute.get('/limits')['limits']['absolute']
        return ('Name', 'Value'), sorted(absolute.items())
