"""The command table: one (name, class) per novalite command."""

from nova_cli.commands import aggregates
from nova_cli.commands import flavors
from nova_cli.commands import hypervisors
from nova_cli.commands import images
from nova_cli.commands import keypairs
from nova_cli.commands import quotas
from nova_cli.commands import scheduler
from nova_cli.commands import server_actions
from nova_cli.commands import server_groups
from nova_cli.commands import servers
from nova_cli.commands import services
from nova_cli.commands import zones

COMMANDS = [
    ('server create', servers.CreateServer),
    ('server list', servers.ListServer),
    ('server show', servers.ShowServer),
    ('server delete', servers.DeleteServer),
    ('server stop', server_actions.StopServer),
    ('server start', server_actions.StartServer),
    ('server reboot', server_actions.RebootServer),
    ('server pause', server_actions.PauseServer),
    ('server unpause', server_actions.UnpauseServer),
    ('server suspend', server_actions.SuspendServer),
    ('server resume', server_actions.ResumeServer),
    ('server rebuild', server_actions.RebuildServer),
    ('server evacuate', server_actions.EvacuateServer),
    ('server console-log', server_actions.ConsoleLog),
    ('server action-list', server_actions.ListActions),
    ('server action-show', server_actions.ShowAction),
    ('flavor list', flavors.ListFlavor),
    ('flavor show', flavors.ShowFlavor),
    ('flavor create', flavors.CreateFlavor),
    ('flavor delete', flavors.DeleteFlavor),
    ('image list', images.ListImage),
    ('image show', images.ShowImage),
    ('image create', images.CreateImage),
    ('keypair list', keypairs.ListKeypair),
    ('keypair show', keypairs.ShowKeypair),
    ('keypair create', keypairs.CreateKeypair),
    ('keypair delete', keypairs.DeleteKeypair),
    ('aggregate list', aggregates.ListAggregate),
    ('aggregate show', aggregates.ShowAggregate),
    ('aggregate create', aggregates.CreateAggregate),
    ('aggregate set', aggregates.SetAggregate),
    ('aggregate unset', aggregates.UnsetAggregate),
    ('aggregate add host', aggregates.AddHost),
    ('aggregate remove host', aggregates.RemoveHost),
    ('aggregate delete', aggregates.DeleteAggregate),
    ('availability-zone list', zones.ListZone),
    ('server-group list', server_groups.ListServerGroup),
    ('server-group show', server_groups.ShowServerGroup),
    ('server-group create', server_groups.CreateServerGroup),
    ('server-group delete', server_groups.DeleteServerGroup),
    ('hypervisor list', hypervisors.ListHypervisor),
    ('hypervisor show', hypervisors.ShowHypervisor),
    ('hypervisor stats', hypervisors.HypervisorStats),
    ('service list', services.ListService),
    ('service enable', services.EnableService),
    ('service disable', services.DisableService),
    ('quota show', quotas.ShowQuota),
    ('quota set', quotas.SetQuota),
    ('quota delete', quotas.DeleteQuota),
    ('limits show', quotas.ShowLimits),
    ('scheduler dry-run', scheduler.DryRun),
]
