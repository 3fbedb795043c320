"""hypervisor list, show, stats (admin)."""

from cliff import lister
from cliff import show

from nova_cli import resolve

DETAIL = ('id', 'hypervisor_hostname', 'state', 'status', 'host_ip',
          'hypervisor_type', 'hypervisor_version', 'vcpus', 'vcpus_used',
          'memory_mb', 'memory_mb_used', 'free_ram_mb', 'local_gb',
          'local_gb_used', 'free_disk_gb', 'running_vms')


class ListHypervisor(lister.Lister):
    """List hypervisors (compute nodes)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--long', action='store_true',
                            help='Also show usage.')
        return parser

    def take_action(self, args):
        found = self.app.compute.get('/os-hypervisors/detail')['hypervisors']
        columns = ['ID', 'Hypervisor Hostname', 'Hypervisor Type', 'Host IP',
                   'State', 'Status']
        keys = ['id', 'hypervisor_hostname', 'hypervisor_type', 'host_ip',
                'state', 'status']
        if args.long:
            columns += ['vCPUs Used', 'vCPUs', 'Memory MB Used', 'Memory MB',
                        'Running VMs']
            keys += ['vcpus_used', 'vcpus', 'memory_mb_used', 'memory_mb',
                     'running_vms']
        return columns, [[h.get(k) for k in keys] for h in found]


class ShowHypervisor(show.ShowOne):
    """Show a hypervisor by ID or hostname."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('hypervisor', metavar='HYPERVISOR')
        return parser

    def take_action(self, args):
        found = resolve.hypervisor(self.app.compute, args.hypervisor)
        service = found.get('service') or {}
        return (DETAIL + ('service_host', 'disabled_reason'),
                tuple(found.get(k) for k in DETAIL) +
                (service.get('host'), service.get('disabled_reason')))


class HypervisorStats(show.ShowOne):
    """Totals over every hypervisor."""

    def take_action(self, args):
        stats = self.app.compute.get('/os-hypervisors/statistics')[
            'hypervisor_statistics']
        keys = sorted(stats)
        return keys, [stats[k] for k in keys]
