"""scheduler dry-run (admin): where would a server go, and why."""

from cliff import show

from nova_cli import format
from nova_cli import resolve
from nova_cli.commands import servers


class DryRun(show.ShowOne):
    """Ask the scheduler where a server would land; nothing is claimed."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--flavor', required=True,
                            help='Flavor name or ID.')
        parser.add_argument('--image', required=True,
                            help='Image name or ID.')
        parser.add_argument('--availability-zone', metavar='ZONE')
        parser.add_argument('--hint', action='append', type=format.key_value,
                            metavar='KEY=VALUE', help='Scheduler hint.')
        return parser

    def take_action(self, args):
        compute = self.app.compute
        server = {'name': 'dry-run',
                  'flavorRef': resolve.flavor(compute, args.flavor)['id'],
                  'imageRef': resolve.image(compute, args.image)['id']}
        if args.availability_zone:
            server['availability_zone'] = args.availability_zone
        body = {'server': server}
        hints = servers.build_hints(args.hint)
        if hints:
            body['os:scheduler_hints'] = hints
        answer = compute.post('/os-scheduler/dry-run', body)['dry_run']
        filters = answer.get('filters') or []
        candidates = answer.get('candidates') or []
        return (('filters', 'candidates', 'reason'), (
            format.LinesColumn(filters, [
                '%s: %s -> %s' % (f['name'], f['hosts_in'], f['hosts_out'])
                for f in filters]),
            format.LinesColumn(candidates, [
                '%s (%s) weight=%s free_ram_mb=%s free_vcpus=%s '
                'free_disk_gb=%s' % (
                    c['host'], c.get('nodename'), c.get('weight'),
                    c.get('free_ram_mb'), c.get('free_vcpus'),
                    c.get('free_disk_gb')) for c in candidates]),
            answer.get('reason')))
