"""Operations on a server: power, rebuild, evacuate, console, history."""

from cliff import command
from cliff import lister
from cliff import show

from nova_cli import format
from nova_cli import http
from nova_cli import progress
from nova_cli import resolve
from nova_cli.commands import name_or_id
from nova_cli.commands import servers
from nova_cli.commands import views


def post_action(compute, server_id, body, microversion=None):
    """POST the action; (answer body, request id) for --wait."""
    resp = compute.post('/servers/%s/action' % server_id, body, raw=True,
                        microversion=microversion)
    answer = resp.json() if resp.content else None
    return answer, resp.headers.get('x-openstack-request-id')


class _SimpleAction(command.Command):
    """An action with no parameters on one or more servers."""

    action = None
    targets = ()

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('servers', metavar='SERVER', nargs='+',
                            help='Name or ID.')
        servers.add_wait_options(parser, 'the server is %s' % ' or '.join(
            self.targets))
        return parser

    def body(self, args):
        return {self.action: None}

    def take_action(self, args):
        compute = self.app.compute
        failed = 0
        for ident in args.servers:
            try:
                server = resolve.server(compute, ident)
                _answer, request_id = post_action(compute, server['id'],
                                                  self.body(args))
                if args.wait:
                    progress.wait_for_server(
                        compute, server['id'], self.targets, self.app.stderr,
                        request_id=request_id, timeout=args.timeout,
                        interval=args.poll_interval)
            except (http.ApiError, resolve.NotFound,
                    progress.WaitFailed) as e:
                self.app.stderr.write('%s: %s\n' % (ident, e))
                failed += 1
        return 1 if failed else 0


class StopServer(_SimpleAction):
    """Stop (power off) servers."""
    action, targets = 'os-stop', ('SHUTOFF',)


class StartServer(_SimpleAction):
    """Start stopped servers."""
    action, targets = 'os-start', ('ACTIVE',)


class PauseServer(_SimpleAction):
    """Pause servers (kept in memory)."""
    action, targets = 'pause', ('PAUSED',)


class UnpauseServer(_SimpleAction):
    """Unpause servers."""
    action, targets = 'unpause', ('ACTIVE',)


class SuspendServer(_SimpleAction):
    """Suspend servers (memory saved to disk)."""
    action, targets = 'suspend', ('SUSPENDED',)


class ResumeServer(_SimpleAction):
    """Resume suspended servers."""
    action, targets = 'resume', ('ACTIVE',)


class RebootServer(_SimpleAction):
    """Reboot servers (soft by default)."""
    action, targets = 'reboot', ('ACTIVE',)

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        kind = parser.add_mutually_exclusive_group()
        kind.add_argument('--hard', dest='reboot_type', action='store_const',
                          const='HARD', help='Power cycle the server.')
        kind.add_argument('--soft', dest='reboot_type', action='store_const',
                          const='SOFT', help='Ask the guest (default).')
        return parser

    def body(self, args):
        return {'reboot': {'type': args.reboot_type or 'SOFT'}}


class RebuildServer(name_or_id.NameOrIdArgument, show.ShowOne):
    """Rebuild a server from an image: same id, host, IPs and flavor."""

    argument = 'server'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--image', help='Image name or ID (default: '
                                            'the server\'s own).')
        parser.add_argument('--name', help='A new name.')
        parser.add_argument('--property', action='append',
                            type=format.key_value, metavar='KEY=VALUE',
                            help='Replace the metadata (repeatable).')
        servers.add_wait_options(parser, 'the server is ACTIVE')
        return parser

    def take_action(self, args):
        compute = self.app.compute
        server = resolve.server(compute, args.server)
        if args.image:
            image_id = resolve.image(compute, args.image)['id']
        else:
            image_id = format.image_ref(server)
        rebuild = {'imageRef': image_id}
        if args.name:
            rebuild['name'] = args.name
        if args.property:
            rebuild['metadata'] = format.dict_of(args.property)
        # From 2.75 a rebuild answers the whole server (states, zone...),
        # as `server show` prints it; before, a shorter body.
        answer, request_id = post_action(compute, server['id'],
                                         {'rebuild': rebuild},
                                         microversion='2.75')
        if args.wait:
            rebuilt = progress.wait_for_server(
                compute, server['id'], ('ACTIVE',), self.app.stderr,
                request_id=request_id, timeout=args.timeout,
                interval=args.poll_interval)
        else:
            rebuilt = answer['server']
        return views.server_fields(rebuilt, *views.names(compute))


class EvacuateServer(name_or_id.NameOrIdArgument, command.Command):
    """Rebuild the server of a down host on another host (admin)."""

    argument = 'server'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--host', help='Target host (default: the '
                                           'scheduler picks).')
        servers.add_wait_options(parser, 'the server is ACTIVE')
        return parser

    def take_action(self, args):
        compute = self.app.compute
        server = resolve.server(compute, args.server)
        evacuate = {'onSharedStorage': False}
        if args.host:
            evacuate['host'] = args.host
        _answer, request_id = post_action(compute, server['id'],
                                          {'evacuate': evacuate})
        if args.wait:
            moved = progress.wait_for_server(
                compute, server['id'], ('ACTIVE',), self.app.stderr,
                request_id=request_id, timeout=args.timeout,
                interval=args.poll_interval)
            self.app.stdout.write('%s\n' % (
                moved.get('OS-EXT-SRV-ATTR:host') or moved['id']))
        return 0


class ConsoleLog(name_or_id.NameOrIdArgument, command.Command):
    """Print a server's serial console output."""

    argument = 'server'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--lines', type=int, metavar='N',
                            help='Only the last N lines.')
        return parser

    def take_action(self, args):
        compute = self.app.compute
        server = resolve.server(compute, args.server)
        params = {'length': args.lines} if args.lines is not None else None
        answer, _ = post_action(compute, server['id'],
                                {'os-getConsoleOutput': params})
        output = answer.get('output') or ''
        self.app.stdout.write(output if output.endswith('\n') or not output
                              else output + '\n')
        return 0


class ListActions(name_or_id.NameOrIdArgument, lister.Lister):
    """List what was done to a server (its instance actions)."""

    argument = 'server'

    def take_action(self, args):
        compute = self.app.compute
        server = resolve.server(compute, args.server)
        actions = compute.get('/servers/%s/os-instance-actions' % server[
            'id'])['instanceActions']
        columns = ('Request ID', 'Action', 'Start Time', 'User ID',
                   'Message')
        return columns, [(a['request_id'], a['action'], a['start_time'],
                          a['user_id'], a['message']) for a in actions]


class ShowAction(name_or_id.NameOrIdArgument, show.ShowOne):
    """Show one instance action and its steps."""

    argument = 'server'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('request_id', metavar='REQUEST_ID')
        return parser

    def take_action(self, args):
        compute = self.app.compute
        server = resolve.server(compute, args.server)
        action = compute.get('/servers/%s/os-instance-actions/%s' % (
            server['id'], resolve.quote(args.request_id)))['instanceAction']
        events = action.get('events') or []
        lines = ['%s: %s (%s - %s)' % (e['event'], e['result'],
                                       e['start_time'], e['finish_time'])
                 for e in events]
        fields = ('action', 'request_id', 'start_time', 'user_id',
                  'project_id', 'message')
        return (fields + ('events',),
                tuple(action.get(f) for f in fields) +
                (format.LinesColumn(events, lines),))
