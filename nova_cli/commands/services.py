"""service list, enable, disable (admin)."""

import urllib.parse

from cliff import lister
from cliff import show


class ListService(lister.Lister):
    """List the daemons and their state."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--host')
        parser.add_argument('--service', metavar='BINARY',
                            help='e.g. nova-compute')
        parser.add_argument('--long', action='store_true',
                            help='Also show the disabled reason.')
        return parser

    def take_action(self, args):
        query = {k: v for k, v in (('host', args.host),
                                   ('binary', args.service)) if v}
        url = '/os-services'
        if query:
            url += '?' + urllib.parse.urlencode(query)
        found = self.app.compute.get(url)['services']
        columns = ['ID', 'Binary', 'Host', 'Zone', 'Status', 'State',
                   'Updated At']
        keys = ['id', 'binary', 'host', 'zone', 'status', 'state',
                'updated_at']
        if args.long:
            columns.append('Disabled Reason')
            keys.append('disabled_reason')
        return columns, [[s.get(k) for k in keys] for s in found]


class _SetService(show.ShowOne):

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('host', metavar='HOST')
        parser.add_argument('service', metavar='BINARY',
                            help='e.g. nova-compute')
        return parser

    def _put(self, action, body):
        svc = self.app.compute.put('/os-services/%s' % action, body)[
            'service']
        keys = ('host', 'binary', 'status', 'disabled_reason')
        return keys, [svc.get(k) for k in keys]


class EnableService(_SetService):
    """Let a service take work again."""

    def take_action(self, args):
        return self._put('enable', {'host': args.host,
                                    'binary': args.service})


class DisableService(_SetService):
    """Disable a service; a disabled compute host takes no new servers."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--reason', help='Why (shown in --long lists).')
        return parser

    def take_action(self, args):
        body = {'host': args.host, 'binary': args.service}
        if args.reason:
            body['disabled_reason'] = args.reason
            return self._put('disable-log-reason', body)
        return self._put('disable', body)
