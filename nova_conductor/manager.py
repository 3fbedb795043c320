"""The conductor's RPC endpoint: thin methods over db/, and over the
modules that run multi-step operations (build.py, rebuild.py, delete.py,
lifecycle.py, compute_queries.py)."""

from concurrent import futures
import contextlib
import functools
import logging

import oslo_messaging as messaging

from common import coalesce
from common import exception
from common import states
from common.conf import CONF
from nova_conductor import admin
from nova_conductor import availability_zones
from nova_conductor import build
from nova_conductor import compute_queries
from nova_conductor import delete
from nova_conductor import image_lookup
from nova_conductor import lifecycle
from nova_conductor import rebuild
from nova_conductor import takeover
from nova_conductor.db import aggregates as aggregates_db
from nova_conductor.db import actions as actions_db
from nova_conductor.db import catalog
from nova_conductor.db import compute as compute_db
from nova_conductor.db import flavor_access as flavor_access_db
from nova_conductor.db import instance_create
from nova_conductor.db import instance_details as details_db
from nova_conductor.db import instance_transitions as transitions_db
from nova_conductor.db import instances as instances_db
from nova_conductor.db import keypairs as keypairs_db
from nova_conductor.db import network as network_db
from nova_conductor.db import quotas as quotas_db
from nova_conductor.db import server_groups as server_groups_db
from nova_conductor.db import services as services_db

LOG = logging.getLogger(__name__)
# Builds in flight per conductor; each mostly waits on RPC and SQL.
BUILD_THREADS = 32


def _expected(value):
    return transitions_db.UNSET if value == 'unset' else value


def _changes_hosts(method):
    """Schedulers cache hosts: after `method` has saved an admin's change
    to services or aggregates, tell them to read again, so a host disabled
    or moved out of a zone gets nothing."""
    @functools.wraps(method)
    def wrapper(self, context, *args, **kwargs):
        result = method(self, context, *args, **kwargs)
        try:
            self.builder.scheduler_api.invalidate_host_cache(context)
        except Exception:
            # Their cache still expires within [scheduler]
            # host_cache_max_age; the change itself is saved.
            LOG.warning('Could not tell the schedulers that hosts changed',
                        exc_info=True)
        return result
    return wrapper


class ConductorManager(admin.AdminEndpoints):
    target = messaging.Target(version='1.10')

    def __init__(self, scheduler_api=None, compute_api=None):
        if scheduler_api is None:
            from nova_scheduler import rpcapi as scheduler_rpcapi
            scheduler_api = scheduler_rpcapi.SchedulerAPI()
        if compute_api is None:
            from nova_compute import rpcapi as compute_rpcapi
            compute_api = compute_rpcapi.ComputeAPI()
        self.compute_api = compute_api
        self.builder = build.BuildOrchestrator(scheduler_api, compute_api)
        # Builds run here, after create_instances has answered the API. A
        # cast to ourselves would cost two more messages per boot for no
        # gain: oslo.messaging acknowledges a message on receipt either way.
        # What this process loses when killed, the stored rows keep: another
        # worker takes the builds over (takeover.py).
        self._builds = futures.ThreadPoolExecutor(
            max_workers=BUILD_THREADS, thread_name_prefix='build')
        self.owner = takeover.BuildOwner(self.builder, compute_api,
                                         self._start_build)

    def init_host(self):
        self.owner.start()

    def periodic_tasks(self):
        # At start too: builds of this host's workers killed before us are
        # resumed at once.
        return [('resume-lost-builds', self.owner.interval,
                 self.owner.sweep)]

    def cleanup_host(self):
        """On shutdown, let builds already under way finish; then this
        worker owns nothing and goes."""
        self._builds.shutdown(wait=True)
        self.owner.stop()

    def ping(self, context):
        return 'pong'

    # -- services and compute nodes ----------------------------------------

    def service_heartbeat(self, context, host, binary, topic):
        return compute_db.service_heartbeat(host, binary, topic)

    def service_get_all(self, context, binary=None):
        return compute_db.service_get_all(binary)

    @_changes_hosts
    def service_set_status(self, context, host, binary, disabled,
                           reason=None):
        return compute_db.service_set_status(host, binary, disabled, reason)

    def compute_node_update(self, context, host, nodename, resources):
        return compute_db.compute_node_update(host, nodename, resources)

    def compute_nodes_get_all(self, context, changed_since=None):
        return compute_db.compute_nodes_get_all(changed_since)

    # -- flavors and images ------------------------------------------------

    def flavor_get(self, context, flavorid, project_id=None):
        return catalog.flavor_get(flavorid, project_id)

    def flavor_get_all(self, context, is_public=None, project_id=None):
        return catalog.flavor_get_all(is_public, project_id)

    def flavor_create(self, context, values):
        return catalog.flavor_create(values)

    def flavor_delete(self, context, flavorid):
        return catalog.flavor_delete(flavorid)

    def flavor_extra_specs_update(self, context, flavorid, specs):
        return catalog.flavor_extra_specs_update(flavorid, specs)

    def flavor_extra_spec_delete(self, context, flavorid, key):
        return catalog.flavor_extra_spec_delete(flavorid, key)

    def image_get(self, context, image_id):
        return catalog.image_get(image_id)

    def image_get_all(self, context, filters=None):
        return catalog.image_get_all(filters)

    def image_list(self, context, filters=None, project_id=None, limit=None,
                   marker=None, sort_key='created_at', sort_dir='desc'):
        images, more = catalog.image_list(filters, project_id, limit, marker,
                                          sort_key, sort_dir)
        return {'images': images, 'more': more}

    def image_create(self, context, values):
        return catalog.image_create(values)

    def image_update(self, context, image_id, values, expected_status=None):
        return catalog.image_update(image_id, values, expected_status)

    def image_delete(self, context, image_id):
        return catalog.image_delete(image_id)

    def image_properties_update(self, context, image_id, updates,
                                remove=(), replace=False, max_items=None):
        return catalog.image_properties_update(image_id, updates, remove,
                                               replace, max_items)

    # -- instances ---------------------------------------------------------

    def create_instances(self, context, instances, request_spec):
        [created] = self.create_together(
            [(context, {'instances': instances,
                        'request_spec': request_spec})])
        return created

    @coalesce.batch_of('create_instances')
    def create_together(self, items):
        """create_instances for each of `items` in one transaction: quotas,
        the rows and group membership (NotFound or OverQuota leave nothing
        written; a batch refused together runs again one by one, so only
        the refused create fails). The same create sent again gets the
        stored rows, and starts no second build."""
        with self._resumed_if_stored([kw['instances'] for _, kw in items]):
            results = instance_create.create_together([
                self._create_request(ctxt, **kw) for ctxt, kw in items])
        for (ctxt, kw), created in zip(items, results):
            if created.new:
                self._start_build(ctxt,
                                  [i['uuid'] for i in created.instances],
                                  kw['request_spec'])
        return [created.instances for created in results]

    def _create_request(self, context, instances, request_spec):
        return {
            'values_list': [
                dict(values, vm_state=states.BUILDING,
                     task_state=states.SCHEDULING,
                     power_state=states.NOSTATE, request_spec=request_spec,
                     build_owner=self.owner.id)
                for values in instances],
            'ctxt_dict': context.to_dict(),
            'project_id': request_spec.get('project_id') or
            context.project_id,
            'group_uuid': (request_spec.get('scheduler_hints') or {}).get(
                'group')}

    @contextlib.contextmanager
    def _resumed_if_stored(self, instances_lists):
        """Creates whose COMMIT was lost may be stored, with this worker
        as their owner and no build running: the next sweep resumes those
        that are (takeover.BuildOwner.release). The client sends the
        create again and gets them as stored."""
        try:
            yield
        except exception.DatabaseCommitUnknown:
            self.owner.release([values['uuid'] for values_list in
                                instances_lists for values in values_list
                                if values.get('uuid')])
            raise

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

    def build_failed(self, context, instance_uuid, host, message,
                     details=None, alternates=None, request_spec=None):
        try:
            self.builder.build_failed(context, instance_uuid, host, message,
                                      details, alternates, request_spec)
        except exception.DatabaseUnavailable:
            # It may have been taken off the host already (and a copy sent
            # again would then find nothing to do): if it waits in
            # scheduling, the next sweep resumes it.
            self.owner.release([instance_uuid])
            raise

    def instance_get(self, context, instance_uuid, read_deleted=False):
        return instances_db.get(instance_uuid, read_deleted)

    def instance_get_all(self, context, filters=None, limit=None,
                         marker=None, sort=None):
        return instances_db.get_all(filters, limit, marker, sort)

    def instance_set_metadata(self, context, instance_uuid, metadata,
                              replace=False):
        return details_db.set_metadata(instance_uuid, metadata, replace)

    def instance_delete_metadata_key(self, context, instance_uuid, key):
        return details_db.delete_metadata_key(instance_uuid, key)

    def instance_set_lock(self, context, instance_uuid, locked_by,
                          reason=None, by_admin=False):
        return details_db.set_lock(instance_uuid, locked_by, reason,
                                   by_admin)

    def instance_set_tags(self, context, instance_uuid, tags, add=(),
                          remove=()):
        return details_db.set_tags(instance_uuid, tags, add, remove)

    def instance_update(self, context, instance_uuid, values,
                        expected_task_state='unset',
                        expected_vm_state='unset', host=None):
        return transitions_db.update(
            instance_uuid, values,
            expected_task_state=_expected(expected_task_state),
            expected_vm_state=_expected(expected_vm_state), host=host)

    def instance_advance(self, context, instance_uuid, values,
                         expected_task_state, through=(), host=None,
                         allocate_ip=False):
        return self._with_bridge(transitions_db.advance(
            **self._advance_args(instance_uuid, values, expected_task_state,
                                 through, host, allocate_ip)))

    @coalesce.batch_of('instance_advance')
    def advance_together(self, items):
        """instance_advance for each of `items` in one transaction; each
        advance refused (its instance gone, or in another state) fails
        alone."""
        outcomes = transitions_db.advance_together(
            [self._advance_args(**kwargs) for _ctxt, kwargs in items])
        return [outcome if isinstance(outcome, Exception)
                else self._with_bridge(outcome) for outcome in outcomes]

    def _advance_args(self, instance_uuid, values, expected_task_state,
                      through=(), host=None, allocate_ip=False):
        return dict(instance_uuid=instance_uuid, values=values,
                    expected_task_state=_expected(expected_task_state),
                    through=through, host=host,
                    ip_network=self._ip_network() if allocate_ip else None)

    @staticmethod
    def _with_bridge(ip):
        if ip:
            ip['bridge'] = CONF.network.flat_network_bridge
        return ip

    def instance_action(self, context, instance_uuid, action, params=None):
        return lifecycle.start(self.compute_api, context, instance_uuid,
                               action, params)

    def rebuild_instance(self, context, instance_uuid, image_id,
                         values=None):
        return rebuild.rebuild(self.compute_api, context, instance_uuid,
                               image_id, values)

    def evacuate_instance(self, context, instance_uuid, host=None):
        return self.builder.evacuate(context, instance_uuid, host)

    def instance_task_done(self, context, instance_uuid, values,
                           expected_task_state, failed=False, message=None,
                           details=None, host=None):
        return transitions_db.end_task(instance_uuid, values,
                                       expected_task_state, failed, message,
                                       details, host)

    def delete_instance(self, context, instance_uuid):
        """Start a delete from any state; compute finishes it if it can."""
        return delete.delete(self.compute_api, context, instance_uuid)

    def instance_destroy(self, context, instance_uuid):
        return instances_db.destroy(instance_uuid)

    def instance_actions_get(self, context, instance_uuid, limit=None,
                             marker=None, changes_since=None,
                             changes_before=None):
        return actions_db.actions_get(instance_uuid, limit, marker,
                                      changes_since, changes_before)

    def instance_action_get(self, context, instance_uuid, request_id):
        return actions_db.action_get_by_request_id(instance_uuid, request_id)

    def instance_diagnostics(self, context, instance_uuid, standard=False):
        return compute_queries.diagnostics(self.compute_api, context,
                                           instance_uuid, standard)

    def instance_console_output(self, context, instance_uuid,
                                tail_length=None):
        return compute_queries.console_output(
            self.compute_api, context, instance_uuid, tail_length)

    # -- aggregates, availability zones, server groups -------------------

    def aggregate_get_all(self, context):
        return aggregates_db.get_all()

    def aggregate_get(self, context, aggregate_id):
        return aggregates_db.get(aggregate_id)

    def aggregate_create(self, context, name, availability_zone=None):
        return aggregates_db.create(name, availability_zone)

    @_changes_hosts
    def aggregate_update(self, context, aggregate_id, name=None,
                         availability_zone=None):
        return aggregates_db.update(aggregate_id, name, availability_zone)

    @_changes_hosts
    def aggregate_delete(self, context, aggregate_id):
        return aggregates_db.delete(aggregate_id)

    @_changes_hosts
    def aggregate_add_host(self, context, aggregate_id, host):
        return aggregates_db.add_host(aggregate_id, host)

    @_changes_hosts
    def aggregate_remove_host(self, context, aggregate_id, host):
        return aggregates_db.remove_host(aggregate_id, host)

    @_changes_hosts
    def aggregate_set_metadata(self, context, aggregate_id, metadata):
        return aggregates_db.set_metadata(aggregate_id, metadata)

    def availability_zones_get(self, context):
        return availability_zones.zones()

    def server_group_create(self, context, name, policy, rules=None):
        return server_groups_db.create(name, policy, rules,
                                       context.project_id, context.user_id)

    # Key pairs belong to the calling user, or to the user an admin names
    # (the API checks who may name one).
    def keypair_create(self, context, name, public_key, fingerprint,
                       key_type='ssh', user_id=None):
        return keypairs_db.create(user_id or context.user_id, name,
                                  public_key, fingerprint, key_type)

    def keypair_get(self, context, name, user_id=None):
        return keypairs_db.get(user_id or context.user_id, name)

    def keypair_get_all(self, context, user_id=None, limit=None,
                        marker=None):
        return keypairs_db.get_all(user_id or context.user_id, limit, marker)

    def keypair_delete(self, context, name, user_id=None):
        return keypairs_db.delete(user_id or context.user_id, name)

    def quota_get(self, context, project_id):
        return {'limits': quotas_db.limits(project_id),
                'usage': quotas_db.usage(project_id)}

    def quota_defaults(self, context):
        return quotas_db.defaults()

    def quota_update(self, context, project_id, limits):
        return quotas_db.update(project_id, limits)

    def quota_reset(self, context, project_id):
        return quotas_db.reset(project_id)

    def server_group_get(self, context, group_uuid):
        return server_groups_db.get(group_uuid)

    def server_group_get_all(self, context, project_id=None):
        return server_groups_db.get_all(project_id)

    def server_group_delete(self, context, group_uuid):
        return server_groups_db.delete(group_uuid)

    def scheduler_dry_run(self, context, request_spec):
        return self.builder.scheduler_api.dry_run(
            context, build.with_instance_group(request_spec))

    # -- admin views and changes added in RPC 1.1 --------------------------

    def flavor_update(self, context, flavorid, description):
        return catalog.flavor_update(flavorid, description)

    def flavor_access_get(self, context, flavorid):
        return flavor_access_db.projects(flavorid)

    def flavor_access_add(self, context, flavorid, project_id):
        return flavor_access_db.add(flavorid, project_id)

    def flavor_access_remove(self, context, flavorid, project_id):
        return flavor_access_db.remove(flavorid, project_id)

    @_changes_hosts
    def service_update(self, context, service_id, values):
        return services_db.update(service_id, values)

    @_changes_hosts
    def service_update_by_host(self, context, host, binary, values):
        return services_db.update_by_host(host, binary, values)

    @_changes_hosts
    def service_delete(self, context, service_id):
        return services_db.delete(service_id)

    def hypervisor_servers(self, context, node_ids):
        # Keys cross RPC as JSON object keys: strings.
        return {str(k): v for k, v in
                services_db.servers_by_node(node_ids).items()}

    def hypervisor_uptime(self, context, host):
        """The host's uptime line, or None when its compute is down."""
        return compute_queries.host_uptime(self.compute_api, context, host)

    def aggregate_cache_images(self, context, aggregate_id, image_ids):
        aggregates_db.get(aggregate_id)  # NotFound first
        for image_id in image_ids:
            image_lookup.get(image_id)  # ImageNotFound before recording
        return aggregates_db.request_image_cache(aggregate_id, image_ids)

    # -- networking --------------------------------------------------------

    def allocate_fixed_ip(self, context, instance_uuid):
        return self._with_bridge(network_db.allocate_fixed_ip(
            instance_uuid, *self._ip_network()))

    @staticmethod
    def _ip_network():
        return CONF.network.network_name, CONF.network.fixed_range_v4
