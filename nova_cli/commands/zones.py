"""availability-zone list."""

from cliff import lister


class ListZone(lister.Lister):
    """List availability zones; --long (admin) adds hosts and services."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--long', action='store_true',
                            help='One row per zone, host and service.')
        return parser

    def take_action(self, args):
        path = '/os-availability-zone' + ('/detail' if args.long else '')
        zones = self.app.compute.get(path)['availabilityZoneInfo']
        if not args.long:
            return ('Zone Name', 'Zone Status'), [
                (z['zoneName'], _available(z['zoneState']['available']))
                for z in zones]
        rows = []
        for z in zones:
            status = _available(z['zoneState']['available'])
            hosts = z.get('hosts') or {}
            if not hosts:
                rows.append((z['zoneName'], status, '', '', ''))
            for host, services in sorted(hosts.items()):
                for binary, svc in sorted(services.items()):
                    rows.append((z['zoneName'], status, host, binary,
                                 '%s %s' % (
                                     'enabled' if svc['active']
                                     else 'disabled',
                                     ':-)' if svc['available'] else 'XXX')))
        return ('Zone Name', 'Zone Status', 'Host Name', 'Service Name',
                'Service Status'), rows


def _available(flag):
    return 'available' if flag else 'not available'
