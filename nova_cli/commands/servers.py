"""server create, list, show, delete."""

import argparse
import base64
import re
import urllib.parse

from cliff import command
from cliff import lister
from cliff import show

from nova_cli import format
from nova_cli import http
from nova_cli import progress
from nova_cli import resolve
from nova_cli.commands import name_or_id
from nova_cli.commands import views

ACTIVE = ('ACTIVE',)


def add_wait_options(parser, what):
    parser.add_argument('--wait', action='store_true',
                        help='Show progress until %s; exit 1 if the '
                             'server ends in ERROR.' % what)
    parser.add_argument('--timeout', type=int, default=600, metavar='SECONDS',
                        help='Give up waiting after this long (default 600).')
    # Hidden: functional tests poll faster than people need.
    parser.add_argument('--poll-interval', type=float, default=0.5,
                        help=argparse.SUPPRESS)


class CreateServer(show.ShowOne):
    """Create a server; --wait follows its build until ACTIVE or ERROR."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('name', metavar='NAME')
        parser.add_argument('--flavor', required=True,
                            help='Flavor name or ID.')
        parser.add_argument('--image', required=True,
                            help='Image name or ID.')
        parser.add_argument('--key-name', help='Key pair to inject.')
        parser.add_argument('--availability-zone', metavar='ZONE',
                            help='Zone, or for admins zone:host[:node].')
        parser.add_argument('--network', action='append', metavar='NET',
                            help='"auto" (default), "none", or a network '
                                 'ID (repeatable).')
        parser.add_argument('--property', action='append',
                            type=format.key_value, metavar='KEY=VALUE',
                            help='Metadata (repeatable).')
        parser.add_argument('--hint', action='append', type=format.key_value,
                            metavar='KEY=VALUE',
                            help='Scheduler hint, e.g. group=ID, '
                                 'same_host=ID, different_host=ID '
                                 '(repeatable).')
        parser.add_argument('--user-data', metavar='FILE',
                            help='File given to the guest as user data.')
        parser.add_argument('--min', type=int, default=1, dest='min_count')
        parser.add_argument('--max', type=int, default=None,
                            dest='max_count')
        add_wait_options(parser, 'the server is ACTIVE')
        return parser

    def take_action(self, args):
        compute = self.app.compute
        flavor = resolve.flavor(compute, args.flavor)
        image = resolve.image(compute, args.image)
        body = {'server': build_server_body(args, flavor['id'], image['id'])}
        hints = build_hints(args.hint)
        if hints:
            body['os:scheduler_hints'] = hints
        resp = compute.post('/servers', body, raw=True)
        created = resp.json()['server']
        request_id = resp.headers.get('x-openstack-request-id')
        if args.wait:
            server = progress.wait_for_server(
                compute, created['id'], ACTIVE, self.app.stderr,
                request_id=request_id, timeout=args.timeout,
                interval=args.poll_interval)
        else:
            server = compute.get('/servers/%s' % created['id'])['server']
        server['adminPass'] = created.get('adminPass')
        return views.server_fields(server, *views.names(compute))


def build_server_body(args, flavor_id, image_id):
    server = {'name': args.name, 'flavorRef': flavor_id,
              'imageRef': image_id}
    if args.key_name:
        server['key_name'] = args.key_name
    if args.availability_zone:
        server['availability_zone'] = args.availability_zone
    networks = args.network or []
    if networks in (['auto'], ['none']):
        server['networks'] = networks[0]
    elif networks:
        server['networks'] = [{'uuid': n} for n in networks]
    if args.property:
        server['metadata'] = format.dict_of(args.property)
    if args.user_data:
        with open(args.user_data, 'rb') as f:
            server['user_data'] = base64.b64encode(f.read()).decode()
    if args.min_count != 1 or args.max_count:
        server['min_count'] = args.min_count
        server['max_count'] = args.max_count or args.min_count
    return server


def build_hints(pairs):
    """Scheduler hints; same_host/different_host may repeat into lists."""
    hints = {}
    for key, value in pairs or []:
        if key in hints:
            if not isinstance(hints[key], list):
                hints[key] = [hints[key]]
            hints[key].append(value)
        else:
            hints[key] = value
    return hints


class ListServer(lister.Lister):
    """List servers."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--status', help='ACTIVE, ERROR, SHUTOFF...')
        parser.add_argument('--name', help='Regular expression on the name.')
        parser.add_argument('--host', help='Servers on this host (admin).')
        parser.add_argument('--all-projects', action='store_true',
                            help='Every project\'s servers (admin).')
        parser.add_argument('--limit', type=int,
                            help='At most this many (one page).')
        parser.add_argument('--marker', help='Start after this server ID.')
        parser.add_argument('--long', action='store_true',
                            help='Also show states, zone, host and key.')
        return parser

    def take_action(self, args):
        compute = self.app.compute
        query = {}
        if args.status:
            query['status'] = args.status
        if args.host:
            query['host'] = args.host
        if args.all_projects:
            query['all_tenants'] = 1
        if args.marker:
            query['marker'] = args.marker
        if args.limit is not None:
            query['limit'] = args.limit
            servers = compute.get('/servers/detail?' + urllib.parse.urlencode(
                query))['servers']
        else:
            servers = resolve.all_servers(compute, query)
        if args.name:
            pattern = re.compile(args.name)
            servers = [s for s in servers if pattern.search(s['name'])]
        flavor_names, image_names = views.names(compute)
        columns = ['ID', 'Name', 'Status', 'Networks', 'Image', 'Flavor']
        if args.long:
            columns += ['Task State', 'Power State', 'Availability Zone',
                        'Host', 'Key Name', 'Created']
        rows = []
        for s in servers:
            row = [s['id'], s['name'], s['status'],
                   format.AddressesColumn(s.get('addresses')),
                   views.image_of(s, image_names),
                   views.flavor_of(s, flavor_names)]
            if args.long:
                row += [s.get('OS-EXT-STS:task_state'),
                        format.PowerStateColumn(
                            s.get('OS-EXT-STS:power_state')),
                        s.get('OS-EXT-AZ:availability_zone'),
                        s.get('OS-EXT-SRV-ATTR:host'), s.get('key_name'),
                        s.get('created')]
            rows.append(row)
        return columns, rows


class ShowServer(name_or_id.NameOrIdArgument, show.ShowOne):
    """Show a server, its state and its fault if it has one."""

    argument = 'server'

    def take_action(self, args):
        compute = self.app.compute
        server = resolve.server(compute, args.server)
        return views.server_fields(server, *views.names(compute))


class DeleteServer(command.Command):
    """Delete servers; --wait until they are gone."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('servers', metavar='SERVER', nargs='+',
                            help='Name or ID.')
        add_wait_options(parser, 'the servers are gone')
        return parser

    def take_action(self, args):
        compute = self.app.compute
        failed = 0
        deleted = []
        for ident in args.servers:
            try:
                server = resolve.server(compute, ident)
                compute.delete('/servers/%s' % server['id'])
                deleted.append(server['id'])
            except (http.ApiError, resolve.NotFound) as e:
                self.app.stderr.write('Failed to delete server %s: %s\n'
                                      % (ident, e))
                failed += 1
        for server_id in deleted if args.wait else []:
            try:
                progress.wait_for_delete(
                    compute, server_id, self.app.stderr,
                    timeout=args.timeout, interval=args.poll_interval)
            except progress.WaitFailed as e:
                self.app.stderr.write('%s\n' % e)
                failed += 1
        return 1 if failed else 0
