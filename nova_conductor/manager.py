"""The conductor's RPC endpoint: the endpoint mixins of endpoints/, one
per resource, and the pool builds run in."""

from concurrent import futures
import logging

import oslo_messaging as messaging

from common import exception
from common.conf import CONF
from nova_conductor import build
from nova_conductor import heartbeats
from nova_conductor import live_migrate
from nova_conductor import liveness
from nova_conductor import resize
from nova_conductor import stuck_tasks
from nova_conductor import takeover
from nova_conductor.db import console_tokens
from nova_conductor.db import health
from nova_conductor.endpoints import aggregates
from nova_conductor.endpoints import block_devices
from nova_conductor.endpoints import consoles
from nova_conductor.endpoints import ec2
from nova_conductor.endpoints import flavors
from nova_conductor.endpoints import hosts
from nova_conductor.endpoints import images
from nova_conductor.endpoints import instance_actions
from nova_conductor.endpoints import instance_details
from nova_conductor.endpoints import instance_operations
from nova_conductor.endpoints import instances
from nova_conductor.endpoints import keypairs
from nova_conductor.endpoints import live_migrations
from nova_conductor.endpoints import moves
from nova_conductor.endpoints import quotas
from nova_conductor.endpoints import reports
from nova_conductor.endpoints import rescue
from nova_conductor.endpoints import server_groups
from nova_conductor.endpoints import snapshots

LOG = logging.getLogger(__name__)
# Builds in flight per conductor; each mostly waits on RPC and SQL.
BUILD_THREADS = 32
CONSOLE_TOKEN_PURGE_INTERVAL = 300


class ConductorManager(instances.InstancesEndpoints,
                       instance_details.InstanceDetailsEndpoints,
                       instance_operations.InstanceOperationsEndpoints,
                       instance_actions.InstanceActionsEndpoints,
                       flavors.FlavorsEndpoints,
                       images.ImagesEndpoints,
                       aggregates.AggregatesEndpoints,
                       hosts.HostsEndpoints,
                       quotas.QuotasEndpoints,
                       keypairs.KeypairsEndpoints,
                       server_groups.ServerGroupsEndpoints,
                       reports.ReportsEndpoints,
                       block_devices.BlockDevicesEndpoints,
                       moves.MovesEndpoints,
                       rescue.RescueEndpoints,
                       snapshots.SnapshotsEndpoints,
                       consoles.ConsolesEndpoints,
                       live_migrations.LiveMigrationsEndpoints,
                       ec2.EC2Endpoints):
    target = messaging.Target(version='1.26')

    def __init__(self, scheduler_api=None, compute_api=None,
                 metadata_api=None):
        # Told of every fixed IP handed out (endpoints/instances.py);
        # made when first needed, as tests of everything else make no
        # RPC transport.
        self._metadata_api = metadata_api
        if scheduler_api is None:
            from nova_scheduler import rpcapi as scheduler_rpcapi
            scheduler_api = scheduler_rpcapi.SchedulerAPI()
        if compute_api is None:
            from nova_compute import rpcapi as compute_rpcapi
            compute_api = compute_rpcapi.ComputeAPI()
        self.compute_api = compute_api
        self.builder = build.BuildOrchestrator(scheduler_api, compute_api)
        self.mover = resize.MoveOrchestrator(scheduler_api, compute_api)
        # Builds run here, after create_instances has answered the API. A
        # cast to ourselves would cost two more messages per boot for no
        # gain: oslo.messaging acknowledges a message on receipt either way.
        # What this process loses when killed, the stored rows keep: another
        # worker takes the builds over (takeover.py).
        self._builds = futures.ThreadPoolExecutor(
            max_workers=BUILD_THREADS, thread_name_prefix='build')
        self.live_migrator = live_migrate.LiveMigrator(
            scheduler_api, compute_api, self._builds.submit)
        self.owner = takeover.BuildOwner(self.builder, compute_api,
                                         self._start_build)
        self.heartbeats = heartbeats.HeartbeatBuffer()
        self.stuck_tasks = stuck_tasks.StuckTaskSweep(compute_api)

    @property
    def metadata_api(self):
        if self._metadata_api is None:
            from nova_api.metadata import rpcapi as metadata_rpcapi
            self._metadata_api = metadata_rpcapi.MetadataAPI()
        return self._metadata_api

    def init_host(self):
        self.owner.start()
        # The redis driver's client (its import and first connection)
        # now, not inside the first service's registration call, which
        # waits only rpc_resend_after for its answer.
        liveness.warm_up()

    def periodic_tasks(self):
        # At start too: builds of this host's workers killed before us are
        # resumed at once.
        return [('resume-lost-builds', self.owner.interval,
                 self.owner.sweep),
                # [DEFAULT] resize_confirm_window (0: does nothing).
                ('confirm-resizes',
                 min(60, CONF.resize_confirm_window or 60),
                 self.mover.confirm_expired),
                # Expired console tokens (a new token purges them too).
                ('purge-console-tokens', CONSOLE_TOKEN_PURGE_INTERVAL,
                 console_tokens.purge_expired),
                # Heartbeats cast by services (db service-group driver).
                ('flush-heartbeats', CONF.servicegroup.flush_interval,
                 self.heartbeats.flush),
                # The fleet's stuck-task candidates, to their hosts
                # ([DEFAULT] recover_stuck_tasks_interval; 0: does nothing).
                ('recover-stuck-tasks',
                 CONF.recover_stuck_tasks_interval or 60,
                 self.stuck_tasks.sweep)]

    def cleanup_host(self):
        """On shutdown, let builds already under way finish; then this
        worker owns nothing and goes."""
        self._builds.shutdown(wait=True)
        self.owner.stop()
        try:
            self.heartbeats.flush()
        except Exception:
            # Lost beats only make their services look a beat older.
            LOG.warning('Could not write the last heartbeats',
                        exc_info=True)

    # (1.0)
    def ping(self, context):
        return 'pong'

    # (1.23)
    def check_database(self, context):
        return health.check()

    def _start_build(self, context, instance_uuids, request_spec):
        self._builds.submit(self._build, context, instance_uuids,
                            request_spec)

    def _build(self, context, instance_uuids, request_spec):
        try:
            self.builder.build_instances(context, instance_uuids,
                                         request_spec)
        except exception.ServiceUnavailable as error:
            # No scheduler answered, even asked again, or the database is
            # unavailable: that says nothing of capacity. The instances
            # stay in scheduling, and a sweep resumes them from what is
            # stored ([conductor] max_build_resumes bounds it).
            LOG.warning('Build of %s is waiting for a scheduler or the '
                        'database: %s', instance_uuids, error.message)
            self.owner.release(instance_uuids)
        except Exception as error:
            # Nothing may stay in scheduling: whatever went wrong, the
            # instances still waiting get an error and a fault.
            LOG.exception('Build of %s failed unexpectedly', instance_uuids)
            self.builder.fail_unplaced(instance_uuids, error)
