"""/v2.1/extensions: the legacy extension list, kept for old clients.

Extensions are gone from the Compute API since v2.1 (microversions took
their place), but Nova still answers this list: one fixed record per
legacy v2 extension, at every microversion, whether this deployment
serves that API or not. Clients only ever used it to probe for a name or
alias, so the records carry no more than that: the namespace and date
are the constants Nova gives every entry.
"""

from common import exception
from nova_api import policy

NAMESPACE = 'http://docs.openstack.org/compute/ext/fake_xml'
UPDATED = '2014-12-03T00:00:00Z'

# (alias, name, description)
EXTENSIONS = (
    ('NMN', 'Multinic', 'Several networks on one server.'),
    ('OS-DCF', 'DiskConfig', 'Disk partitioning mode of a server.'),
    ('OS-EXT-AZ', 'ExtendedAvailabilityZone',
     'A server\'s availability zone in its body.'),
    ('OS-EXT-IMG-SIZE', 'ImageSize', 'Image sizes in image bodies.'),
    ('OS-EXT-IPS', 'ExtendedIps', 'The type of each server address.'),
    ('OS-EXT-IPS-MAC', 'ExtendedIpsMac',
     'The MAC address of each server address.'),
    ('OS-EXT-SRV-ATTR', 'ExtendedServerAttributes',
     'Host and hypervisor attributes of servers.'),
    ('OS-EXT-STS', 'ExtendedStatus', 'vm_state, task_state, power_state.'),
    ('OS-EXT-VIF-NET', 'ExtendedVIFNet',
     'Network ids of virtual interfaces.'),
    ('OS-FLV-DISABLED', 'FlavorDisabled', 'Whether a flavor is disabled.'),
    ('OS-FLV-EXT-DATA', 'FlavorExtraData', 'Ephemeral disk of flavors.'),
    ('OS-SCH-HNT', 'SchedulerHints', 'Hints to the scheduler at create.'),
    ('OS-SRV-USG', 'ServerUsage', 'Launch and termination times.'),
    ('os-access-ips', 'AccessIPs', 'accessIPv4 and accessIPv6.'),
    ('os-admin-actions', 'AdminActions',
     'Admin actions: reset state, reset and inject network.'),
    ('os-admin-password', 'AdminPassword', 'Changing a server password.'),
    ('os-agents', 'Agents', 'Guest agent builds.'),
    ('os-aggregates', 'Aggregates', 'Host aggregates (admin).'),
    ('os-assisted-volume-snapshots', 'AssistedVolumeSnapshots',
     'Volume snapshots the hypervisor helps with.'),
    ('os-attach-interfaces', 'AttachInterfaces',
     'Attaching and detaching network interfaces.'),
    ('os-availability-zone', 'AvailabilityZone',
     'Availability zones: listing them, booting into one.'),
    ('os-baremetal-ext-status', 'BareMetalExtStatus',
     'Status of bare-metal nodes.'),
    ('os-baremetal-nodes', 'BareMetalNodes', 'Bare-metal nodes (admin).'),
    ('os-block-device-mapping', 'BlockDeviceMapping',
     'Booting with block device mappings.'),
    ('os-block-device-mapping-v2-boot', 'BlockDeviceMappingV2Boot',
     'Block device mappings in the v2 format.'),
    ('os-cell-capacities', 'CellCapacities', 'Capacities of cells.'),
    ('os-cells', 'Cells', 'Cells and their neighbours.'),
    ('os-certificates', 'Certificates', 'x509 certificates.'),
    ('os-cloudpipe', 'Cloudpipe', 'VPN instances of projects.'),
    ('os-cloudpipe-update', 'CloudpipeUpdate',
     'The VPN address of cloudpipe instances.'),
    ('os-config-drive', 'ConfigDrive', 'Config drives.'),
    ('os-console-auth-tokens', 'ConsoleAuthTokens',
     'Checking console tokens.'),
    ('os-console-output', 'ConsoleOutput', 'A server\'s console log.'),
    ('os-consoles', 'Consoles', 'Interactive consoles.'),
    ('os-create-backup', 'CreateBackup', 'Backups of servers.'),
    ('os-create-server-ext', 'Createserverext',
     'More server create options.'),
    ('os-deferred-delete', 'DeferredDelete',
     'Soft-deleted servers: restore and force delete.'),
    ('os-evacuate', 'Evacuate', 'Evacuating servers of a failed host.'),
    ('os-extended-evacuate-find-host', 'ExtendedEvacuateFindHost',
     'Evacuation to a host the scheduler picks.'),
    ('os-extended-floating-ips', 'ExtendedFloatingIps',
     'Naming the fixed address a floating IP goes to.'),
    ('os-extended-hypervisors', 'ExtendedHypervisors',
     'More hypervisor details.'),
    ('os-extended-networks', 'ExtendedNetworks', 'More network fields.'),
    ('os-extended-quotas', 'ExtendedQuotas',
     'Deleting quotas and forcing quota updates.'),
    ('os-extended-rescue-with-image', 'ExtendedRescueWithImage',
     'Rescue with a chosen image.'),
    ('os-extended-services', 'ExtendedServices',
     'Disabling services with a reason.'),
    ('os-extended-services-delete', 'ExtendedServicesDelete',
     'Deleting services.'),
    ('os-extended-status', 'ExtendedStatus',
     'vm_state, task_state, power_state.'),
    ('os-extended-volumes', 'ExtendedVolumes', 'Volumes of servers.'),
    ('os-fixed-ips', 'FixedIPs', 'Fixed IPs.'),
    ('os-flavor-access', 'FlavorAccess', 'Private flavors and access.'),
    ('os-flavor-extra-specs', 'FlavorExtraSpecs', 'Flavor extra specs.'),
    ('os-flavor-manage', 'FlavorManage', 'Creating and deleting flavors.'),
    ('os-flavor-rxtx', 'FlavorRxtx', 'rxtx_factor of flavors.'),
    ('os-flavor-swap', 'FlavorSwap', 'Swap of flavors.'),
    ('os-floating-ip-dns', 'FloatingIpDns', 'DNS of floating IPs.'),
    ('os-floating-ip-pools', 'FloatingIpPools', 'Floating IP pools.'),
    ('os-floating-ips', 'FloatingIps', 'Floating IPs.'),
    ('os-floating-ips-bulk', 'FloatingIpsBulk',
     'Floating IPs in bulk (admin).'),
    ('os-fping', 'Fping', 'Pinging servers.'),
    ('os-hide-server-addresses', 'HideServerAddresses',
     'Hiding addresses of servers in some states.'),
    ('os-hosts', 'Hosts', 'Hosts and their resources (admin).'),
    ('os-hypervisor-status', 'HypervisorStatus',
     'State and status of hypervisors.'),
    ('os-hypervisors', 'Hypervisors', 'Hypervisors (admin).'),
    ('os-instance-actions', 'InstanceActions',
     'The actions taken on a server and their events.'),
    ('os-instance_usage_audit_log', 'OSInstanceUsageAuditLog',
     'Usage audit task logs (admin).'),
    ('os-keypairs', 'Keypairs', 'Key pairs.'),
    ('os-lock-server', 'LockServer', 'Locking and unlocking servers.'),
    ('os-migrate-server', 'MigrateServer', 'Cold and live migration.'),
    ('os-migrations', 'Migrations', 'Migrations (admin).'),
    ('os-multiple-create', 'MultipleCreate',
     'Several servers from one create.'),
    ('os-networks', 'Networks', 'Networks (admin).'),
    ('os-networks-associate', 'NetworkAssociationSupport',
     'Associating networks with projects and hosts.'),
    ('os-pause-server', 'PauseServer', 'Pausing and unpausing servers.'),
    ('os-personality', 'Personality', 'Files injected at create.'),
    ('os-preserve-ephemeral-rebuild', 'PreserveEphemeralOnRebuild',
     'Keeping the ephemeral disk through a rebuild.'),
    ('os-quota-class-sets', 'QuotaClasses', 'Quota classes.'),
    ('os-quota-sets', 'Quotas', 'Quotas.'),
    ('os-rescue', 'Rescue', 'Rescue mode.'),
    ('os-security-group-default-rules', 'SecurityGroupDefaultRules',
     'Default rules of security groups.'),
    ('os-security-groups', 'SecurityGroups', 'Security groups.'),
    ('os-server-diagnostics', 'ServerDiagnostics',
     'Server diagnostics (admin).'),
    ('os-server-external-events', 'ServerExternalEvents',
     'Events other services send about servers.'),
    ('os-server-group-quotas', 'ServerGroupQuotas',
     'Quotas of server groups.'),
    ('os-server-groups', 'ServerGroups', 'Server groups.'),
    ('os-server-list-multi-status', 'ServerListMultiStatus',
     'Filtering servers by several statuses.'),
    ('os-server-password', 'ServerPassword', 'Server passwords.'),
    ('os-server-sort-keys', 'ServerSortKeys', 'Sorting server lists.'),
    ('os-server-start-stop', 'ServerStartStop',
     'Starting and stopping servers.'),
    ('os-services', 'Services', 'Services.'),
    ('os-shelve', 'Shelve', 'Shelving servers.'),
    ('os-simple-tenant-usage', 'SimpleTenantUsage',
     'Usage of projects over time.'),
    ('os-suspend-server', 'SuspendServer',
     'Suspending and resuming servers.'),
    ('os-tenant-networks', 'OSTenantNetworks', 'Networks of projects.'),
    ('os-used-limits', 'UsedLimits', 'Usage beside limits.'),
    ('os-used-limits-for-admin', 'UsedLimitsForAdmin',
     'Usage beside limits of other projects (admin).'),
    ('os-user-data', 'UserData', 'User data at create.'),
    ('os-user-quotas', 'UserQuotas', 'Quotas of users in projects.'),
    ('os-virtual-interfaces', 'VirtualInterfaces', 'Virtual interfaces.'),
    ('os-volume-attachment-update', 'VolumeAttachmentUpdate',
     'Swapping an attached volume.'),
    ('os-volumes', 'Volumes', 'Volumes.'),
)


def view(alias, name, description):
    return {'alias': alias, 'name': name, 'description': description,
            'namespace': NAMESPACE, 'updated': UPDATED, 'links': []}


class Extensions:

    def on_get(self, req, resp):
        policy.authorize(req, 'os_compute_api:extensions')
        resp.media = {'extensions': [view(*ext) for ext in EXTENSIONS]}


class Extension:

    def on_get(self, req, resp, alias):
        policy.authorize(req, 'os_compute_api:extensions')
        for ext in EXTENSIONS:
            if ext[0] == alias:
                resp.media = {'extension': view(*ext)}
                return
        raise exception.ResourceNotFound()
