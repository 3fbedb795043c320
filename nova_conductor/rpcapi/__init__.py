"""Client for the conductor: the only way other daemons reach the database.

Version history:
  1.0 - first version
  1.1 - flavor access and description, key pairs of other users and
        paging, service update/delete by id, hypervisor servers and
        uptime, aggregate image cache, paged instance actions, deleted
        instances; instance_get_all takes sort; instance metadata, lock
        and tags
  1.2 - image_list, image_create, image_update, image_delete (the Glance
        v2 endpoint)
  1.3 - instance_advance
  1.4 - instance_advance_many: concurrent instance_advance travel together
        (common.coalesce; what instance_advance sends now)
  1.5 - create_instances_many: concurrent create_instances travel together
        (what create_instances sends now)
  1.6 - calls a client may send again when no answer comes (a conductor
        worker killed while it held the message): create_instances and
        create_instances_many answer a create whose instance uuids exist
        already with the stored instances, counting no quota and starting
        no build; instance_advance and instance_advance_many answer an
        advance already made, on its host, as done; build_failed changes
        nothing once the build has left the host (what clients send now)
  1.7 - quota_class_get, quota_class_update (the 'default' class feeds
        every project's defaults), migration_get_all, instance_usage_get
  1.8 - instance_diagnostics takes standard=True: Nova's standard
        diagnostics (microversion 2.48), from computes at 1.4
  1.9 - image_properties_update (image metadata through the Compute API)
  1.10 - instances carry auto_disk_config (OS-DCF:diskConfig, a column a
        1.9 conductor's database lacks): create_instances,
        instance_update and rebuild_instance may set it (what they send
        now when they do)
  1.11 - instances carry config_drive, key_data and key_type (the same
        rule: a message setting one is 1.11); instance_get_by_fixed_ip
        and instance_password_set (the metadata service)
  1.12 - block device mappings: create_instances' instances may carry
        block_device_mappings (stored with them; a message with them is
        1.12); block_devices_get, block_device_update,
        block_device_destroy (a volume's progress, from its compute);
        volume_attach, volume_detach
  1.13 - evacuate_instance's target_state ('stopped': the evacuated server
        comes back stopped, the API's 2.95)
  1.14 - resize_instance, confirm_resize, revert_resize (resize and cold
        migration, docs/resize.md); move_progress, move_reverted,
        move_confirmed (a compute's steps of a move)
  1.15 - snapshots and shelving: snapshot_instance (createImage and
        createBackup), shelve_instance, shelve_offload_instance,
        unshelve_instance; from computes instance_shelved,
        instance_offloaded, instance_unshelved, unshelve_failed
  1.16 - rescue_instance, unrescue_instance, trigger_crash_dump
  1.17 - instance_get_console, console_token_consume, console_token_get
        (remote consoles and their one-time tokens)
  1.18 - live migration: live_migrate_instance, live_migration_abort,
        live_migration_force_complete; from the source compute
        live_migration_progress, live_migration_succeeded,
        live_migration_failed (docs/live-migration.md)
  1.19 - instance_list: a page of instances with only the fields a list
        view shows, as compact rows (GET /servers, /servers/detail;
        docs/list-performance.md)
  1.20 - service_beat: a registered service's heartbeat as a cast, which
        the conductor coalesces (servicegroup_driver = db);
        compute_nodes_get_all answers 'down' (node ids down now) and no
        longer counts a heartbeat as a change
  1.21 - service_get_all's hosts: only the services of those hosts (the
        host_status of a page of servers, not of the whole fleet);
        availability_zone_exists (a boot's zone, without every service)
  1.22 - instance_list's rows_as_text: the page's rows as one JSON text
        (common.row_pages.as_text)
  1.23 - check_database: the conductor reaches its database (nova-api's
        /healthcheck)
  1.24 - service_heartbeat's service_version: the daemon's service version
        (common/service_version.py), recorded for nova-status
  1.25 - compute_nodes_where: nodes by id, uuid or host (a hypervisor or
        os-hosts show reads its node, not every node); compute_nodes_page
        (a page of the hypervisor list)
  1.26 - ec2_credential_create/get/list/delete and ec2_client_token_claim/
        set/release: the EC2 API's access keys without Keystone and its
        RunInstances ClientTokens

A batch (`<method>_many`, common.coalesce) travels at the newer of its
calls' version and the version that brought the batch form; a 1.10+
conductor answers `<method>_many` for every method, running the method for
each call unless it registered a batch handler (creates, advances).

The client is one class, ConductorAPI, made of a mixin per resource (the
modules of this package); the comment above each method names the RPC
version that added it, and any later one it sends.
"""

import logging
import time

from common import exception
from common import rpc
from nova_conductor.rpcapi import aggregates
from nova_conductor.rpcapi import block_devices
from nova_conductor.rpcapi import consoles
from nova_conductor.rpcapi import ec2
from nova_conductor.rpcapi import flavors
from nova_conductor.rpcapi import hosts
from nova_conductor.rpcapi import images
from nova_conductor.rpcapi import instance_actions
from nova_conductor.rpcapi import instance_details
from nova_conductor.rpcapi import instance_operations
from nova_conductor.rpcapi import instances
from nova_conductor.rpcapi import keypairs
from nova_conductor.rpcapi import live_migrations
from nova_conductor.rpcapi import moves
from nova_conductor.rpcapi import quotas
from nova_conductor.rpcapi import reports
from nova_conductor.rpcapi import rescue
from nova_conductor.rpcapi import server_groups
from nova_conductor.rpcapi import snapshots

LOG = logging.getLogger(__name__)

# Under load, how long a compute's progress reports wait for company. A
# batch otherwise grows only with the conductor's delay, so a conductor
# eased by batched creates saw batches of 1.9 reports instead of 4.6; this
# brings them back, for a few tens of ms on a build that is queued anyway
# (an idle compute's report leaves at once).
ADVANCE_LINGER = 0.05


class ConductorAPI(instances.InstancesAPI,
                   instance_details.InstanceDetailsAPI,
                   instance_operations.InstanceOperationsAPI,
                   instance_actions.InstanceActionsAPI,
                   flavors.FlavorsAPI,
                   images.ImagesAPI,
                   aggregates.AggregatesAPI,
                   hosts.HostsAPI,
                   quotas.QuotasAPI,
                   keypairs.KeypairsAPI,
                   server_groups.ServerGroupsAPI,
                   reports.ReportsAPI,
                   block_devices.BlockDevicesAPI,
                   moves.MovesAPI,
                   rescue.RescueAPI,
                   snapshots.SnapshotsAPI,
                   consoles.ConsolesAPI,
                   live_migrations.LiveMigrationsAPI,
                   ec2.EC2API,
                   rpc.RPCAPIBase):
    TOPIC = 'conductor'
    RPC_API_VERSION = '1.26'
    SERVICE_NAME = 'nova-conductor'
    # Sent again when no answer comes (rpc.RPCAPIBase): reads, a create
    # (1.6: the same uuids get the stored instances), a compute's report
    # of its totals, and a build's progress and failure: an advance already
    # made succeeds again, and a failure reported twice finds the build
    # gone from the host the second time and changes nothing.
    RESENDABLE = frozenset((
        'create_instances', 'compute_node_update', 'instance_advance',
        'build_failed',
        'ping', 'service_get_all', 'compute_nodes_get_all', 'flavor_get',
        'flavor_get_all', 'image_get', 'image_get_all', 'image_list',
        'instance_get', 'instance_get_all', 'instance_list',
        'instance_actions_get',
        'instance_action_get', 'aggregate_get_all', 'aggregate_get',
        'availability_zones_get', 'availability_zone_exists',
        'server_group_get',
        'server_group_get_all', 'scheduler_dry_run', 'quota_get',
        'block_devices_get',
        'quota_defaults', 'keypair_get', 'keypair_get_all',
        'flavor_access_get', 'hypervisor_servers', 'quota_class_get',
        'migration_get_all', 'instance_usage_get',
        'instance_get_by_fixed_ip', 'console_token_get',
        'compute_nodes_where', 'compute_nodes_page'))

    # Under a burst an API's creates, and a compute's reports of its
    # builds' progress, come at the same moments: they share messages.
    COALESCED = {
        'create_instances': rpc.Coalesced(since='1.5'),
        'instance_advance': rpc.Coalesced(since='1.4',
                                          linger=ADVANCE_LINGER),
    }

    # (1.0)
    def ping(self, ctxt, timeout=None):
        return self.call(ctxt, 'ping', '1.0', timeout=timeout)

    # (1.23) Not resent: a health check wants the answer of now.
    def check_database(self, ctxt, timeout=None):
        """{'dialect', 'ms'} of one query, or None from a conductor older
        than 1.23 (it answered a ping; its database was not checked)."""
        if not self.can_send_version('1.23'):
            self.ping(ctxt, timeout=timeout)
            return None
        return self.call(ctxt, 'check_database', '1.23', timeout=timeout)

    def wait_until_ready(self, ctxt, timeout=None, interval=2):
        """Block until a conductor answers (it may start after us).

        Messages sent before the conductor declared its queue are dropped
        by the broker, so ask again with short timeouts.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                return self.ping(ctxt, timeout=interval)
            except exception.ServiceUnavailable:
                if deadline is not None and time.monotonic() > deadline:
                    raise
                LOG.warning('nova-conductor did not answer yet; retrying')
