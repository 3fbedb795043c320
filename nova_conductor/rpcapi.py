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

A batch (`<method>_many`, common.coalesce) travels at the newer of its
calls' version and the version that brought the batch form; a 1.10
conductor answers `<method>_many` for every method, running the method for
each call unless it registered a batch handler (creates, advances).
"""

import logging
import time

from common import exception
from common import rpc
from common.conf import CONF

LOG = logging.getLogger(__name__)

_UNSET = 'unset'
# Under load, how long a compute's progress reports wait for company. A
# batch otherwise grows only with the conductor's delay, so a conductor
# eased by batched creates saw batches of 1.9 reports instead of 4.6; this
# brings them back, for a few tens of ms on a build that is queued anyway
# (an idle compute's report leaves at once).
ADVANCE_LINGER = 0.05


def _values_version(values):
    """1.10 for instance values that set auto_disk_config (a 1.9 conductor
    refuses the message, rather than failing on a column it lacks), else
    1.0."""
    return '1.10' if 'auto_disk_config' in (values or {}) else '1.0'


class ConductorAPI(rpc.RPCAPIBase):
    TOPIC = 'conductor'
    RPC_API_VERSION = '1.10'
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
        'instance_get', 'instance_get_all', 'instance_actions_get',
        'instance_action_get', 'aggregate_get_all', 'aggregate_get',
        'availability_zones_get', 'server_group_get',
        'server_group_get_all', 'scheduler_dry_run', 'quota_get',
        'quota_defaults', 'keypair_get', 'keypair_get_all',
        'flavor_access_get', 'hypervisor_servers', 'quota_class_get',
        'migration_get_all', 'instance_usage_get'))

    # Under a burst an API's creates, and a compute's reports of its
    # builds' progress, come at the same moments: they share messages.
    COALESCED = {
        'create_instances': rpc.Coalesced(since='1.5'),
        'instance_advance': rpc.Coalesced(since='1.4',
                                          linger=ADVANCE_LINGER),
    }

    def ping(self, ctxt, timeout=None):
        return self.call(ctxt, 'ping', '1.0', timeout=timeout)

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

    # -- services and compute nodes (nova-compute, nova-scheduler) --------

    def service_heartbeat(self, ctxt, host, binary, topic):
        """One short wait: a heartbeat lost (sent before any conductor
        consumed, or to one killed) is sent again promptly by the
        service's heartbeat timer (common.service), not waited for."""
        return self.call(ctxt, 'service_heartbeat', '1.0', host=host,
                         binary=binary, topic=topic,
                         timeout=CONF.rpc_resend_after)

    def service_get_all(self, ctxt, binary=None):
        return self.call(ctxt, 'service_get_all', '1.0', binary=binary)

    def service_set_status(self, ctxt, host, binary, disabled, reason=None):
        return self.call(ctxt, 'service_set_status', '1.0', host=host,
                         binary=binary, disabled=disabled, reason=reason)

    def compute_node_update(self, ctxt, host, nodename, resources):
        return self.call(ctxt, 'compute_node_update', '1.0', host=host,
                         nodename=nodename, resources=resources)

    def compute_nodes_get_all(self, ctxt, changed_since=None):
        return self.call(ctxt, 'compute_nodes_get_all', '1.0',
                         changed_since=changed_since)

    # -- flavors and images (nova-api) -------------------------------------

    def flavor_get(self, ctxt, flavorid, project_id=None):
        """With `project_id`: FlavorNotFound when it may not use it."""
        if project_id is None:
            return self.call(ctxt, 'flavor_get', '1.0', flavorid=flavorid)
        return self.call(ctxt, 'flavor_get', '1.1', flavorid=flavorid,
                         project_id=project_id)

    def flavor_get_all(self, ctxt, is_public=None, project_id=None):
        """With `project_id`: public flavors and those shared with it."""
        if project_id is None:
            return self.call(ctxt, 'flavor_get_all', '1.0',
                             is_public=is_public)
        return self.call(ctxt, 'flavor_get_all', '1.1', is_public=is_public,
                         project_id=project_id)

    def flavor_create(self, ctxt, values):
        return self.call(ctxt, 'flavor_create', '1.0', values=values)

    def flavor_delete(self, ctxt, flavorid):
        return self.call(ctxt, 'flavor_delete', '1.0', flavorid=flavorid)

    def flavor_extra_specs_update(self, ctxt, flavorid, specs):
        return self.call(ctxt, 'flavor_extra_specs_update', '1.0',
                         flavorid=flavorid, specs=specs)

    def flavor_extra_spec_delete(self, ctxt, flavorid, key):
        return self.call(ctxt, 'flavor_extra_spec_delete', '1.0',
                         flavorid=flavorid, key=key)

    def image_get(self, ctxt, image_id):
        return self.call(ctxt, 'image_get', '1.0', image_id=image_id)

    def image_get_all(self, ctxt, filters=None):
        return self.call(ctxt, 'image_get_all', '1.0', filters=filters)

    def image_list(self, ctxt, filters=None, project_id=None, limit=None,
                   marker=None, sort_key='created_at', sort_dir='desc'):
        """One page: {'images': [...], 'more': bool}."""
        return self.call(ctxt, 'image_list', '1.2', filters=filters,
                         project_id=project_id, limit=limit, marker=marker,
                         sort_key=sort_key, sort_dir=sort_dir)

    def image_create(self, ctxt, values):
        return self.call(ctxt, 'image_create', '1.2', values=values)

    def image_update(self, ctxt, image_id, values, expected_status=None):
        """ImageStatusConflict unless the image is in expected_status."""
        return self.call(ctxt, 'image_update', '1.2', image_id=image_id,
                         values=values, expected_status=expected_status)

    def image_delete(self, ctxt, image_id):
        """Forget the image; returns its record (the caller owns the file)."""
        return self.call(ctxt, 'image_delete', '1.2', image_id=image_id)

    def image_properties_update(self, ctxt, image_id, updates, remove=(),
                                replace=False, max_items=None):
        """Set `updates` and drop `remove` (or replace all) under the
        image's row lock; the image as it then is."""
        return self.call(ctxt, 'image_properties_update', '1.9',
                         image_id=image_id, updates=updates,
                         remove=list(remove), replace=replace,
                         max_items=max_items)

    # -- instances ---------------------------------------------------------

    def create_instances(self, ctxt, instances, request_spec):
        """Record building instances and start their build; returns them.
        Concurrent creates leave together and are stored in one
        transaction; one the quota refuses still fails alone."""
        # 1.6: a create sent again gets the stored instances.
        version = max(['1.6'] + [_values_version(v) for v in instances],
                      key=rpc.version_key)
        return self.call(ctxt, 'create_instances', version,
                         instances=instances, request_spec=request_spec)

    def instance_get(self, ctxt, instance_uuid, read_deleted=False):
        if not read_deleted:
            return self.call(ctxt, 'instance_get', '1.0',
                             instance_uuid=instance_uuid)
        return self.call(ctxt, 'instance_get', '1.1',
                         instance_uuid=instance_uuid, read_deleted=True)

    def instance_get_all(self, ctxt, filters=None, limit=None, marker=None,
                         sort=None):
        if sort is None:
            return self.call(ctxt, 'instance_get_all', '1.0',
                             filters=filters, limit=limit, marker=marker)
        return self.call(ctxt, 'instance_get_all', '1.1', filters=filters,
                         limit=limit, marker=marker, sort=sort)

    def instance_set_metadata(self, ctxt, instance_uuid, metadata,
                              replace=False):
        """Merge (or replace) under the row lock; the new metadata."""
        return self.call(ctxt, 'instance_set_metadata', '1.1',
                         instance_uuid=instance_uuid, metadata=metadata,
                         replace=replace)

    def instance_delete_metadata_key(self, ctxt, instance_uuid, key):
        return self.call(ctxt, 'instance_delete_metadata_key', '1.1',
                         instance_uuid=instance_uuid, key=key)

    def instance_set_lock(self, ctxt, instance_uuid, locked_by, reason=None,
                          by_admin=False):
        """locked_by 'owner'/'admin' locks; None unlocks."""
        return self.call(ctxt, 'instance_set_lock', '1.1',
                         instance_uuid=instance_uuid, locked_by=locked_by,
                         reason=reason, by_admin=by_admin)

    def instance_set_tags(self, ctxt, instance_uuid, tags, add=(),
                          remove=()):
        """Replace (tags not None), then add and remove; the new tags."""
        return self.call(ctxt, 'instance_set_tags', '1.1',
                         instance_uuid=instance_uuid, tags=tags,
                         add=list(add), remove=list(remove))

    def instance_update(self, ctxt, instance_uuid, values,
                        expected_task_state=_UNSET,
                        expected_vm_state=_UNSET, host=None):
        """Compare-and-swap: raises UnexpectedTaskState on a mismatch."""
        return self.call(ctxt, 'instance_update', _values_version(values),
                         instance_uuid=instance_uuid, values=values,
                         expected_task_state=expected_task_state,
                         expected_vm_state=expected_vm_state, host=host)

    def instance_advance(self, ctxt, instance_uuid, values,
                         expected_task_state, through=(), host=None,
                         allocate_ip=False):
        """instance_update for a build's progress: the same compare-and-swap
        with no instance sent back. `through` lists task_states passed on
        the way, each recorded as an instance-action event. With
        `allocate_ip`, the instance's fixed IP is allocated in the same
        transaction and returned (the networking step's work)."""
        # 1.6: an advance sent again, already made, succeeds.
        return self.call(ctxt, 'instance_advance', '1.6',
                         instance_uuid=instance_uuid, values=values,
                         expected_task_state=expected_task_state,
                         through=list(through), host=host,
                         allocate_ip=allocate_ip)

    def instance_action(self, ctxt, instance_uuid, action, params=None):
        """Start stop / start / reboot: 409 when the state forbids it."""
        return self.call(ctxt, 'instance_action', '1.0',
                         instance_uuid=instance_uuid, action=action,
                         params=params)

    def rebuild_instance(self, ctxt, instance_uuid, image_id, values=None):
        """Recreate the instance on its host from `image_id`."""
        return self.call(ctxt, 'rebuild_instance', _values_version(values),
                         instance_uuid=instance_uuid, image_id=image_id,
                         values=values)

    def evacuate_instance(self, ctxt, instance_uuid, host=None):
        """Recreate an instance of a down host elsewhere (admin)."""
        return self.call(ctxt, 'evacuate_instance', '1.0',
                         instance_uuid=instance_uuid, host=host)

    def instance_task_done(self, ctxt, instance_uuid, values,
                           expected_task_state, failed=False, message=None,
                           details=None, host=None):
        """Compute finished an operation: final states and the event."""
        return self.call(ctxt, 'instance_task_done', '1.0',
                         instance_uuid=instance_uuid, values=values,
                         expected_task_state=expected_task_state,
                         failed=failed, message=message, details=details,
                         host=host)

    def delete_instance(self, ctxt, instance_uuid):
        return self.call(ctxt, 'delete_instance', '1.0',
                         instance_uuid=instance_uuid)

    def instance_destroy(self, ctxt, instance_uuid):
        return self.call(ctxt, 'instance_destroy', '1.0',
                         instance_uuid=instance_uuid)

    def build_failed(self, ctxt, instance_uuid, host, message, details=None,
                     alternates=None, request_spec=None):
        """A build failed on `host`: retry on an alternate, or set error."""
        return self.call(ctxt, 'build_failed', '1.6',
                         instance_uuid=instance_uuid, host=host,
                         message=message, details=details,
                         alternates=alternates, request_spec=request_spec)

    def instance_actions_get(self, ctxt, instance_uuid, limit=None,
                             marker=None, changes_since=None,
                             changes_before=None):
        """Newest first; `marker` is a request id (MarkerNotFound)."""
        paging = {k: v for k, v in (
            ('limit', limit), ('marker', marker),
            ('changes_since', changes_since),
            ('changes_before', changes_before)) if v is not None}
        return self.call(ctxt, 'instance_actions_get',
                         '1.1' if paging else '1.0',
                         instance_uuid=instance_uuid, **paging)

    def instance_action_get(self, ctxt, instance_uuid, request_id):
        return self.call(ctxt, 'instance_action_get', '1.0',
                         instance_uuid=instance_uuid, request_id=request_id)

    def instance_console_output(self, ctxt, instance_uuid, tail_length=None):
        """The guest's serial console log, from its compute host."""
        return self.call(ctxt, 'instance_console_output', '1.0',
                         instance_uuid=instance_uuid, tail_length=tail_length)

    def instance_diagnostics(self, ctxt, instance_uuid, standard=False):
        """Ask the instance's compute host what its hypervisor reports: in
        the driver's own keys, or with `standard` Nova's standard
        diagnostics (2.48)."""
        if standard:
            return self.call(ctxt, 'instance_diagnostics', '1.8',
                             instance_uuid=instance_uuid, standard=True)
        return self.call(ctxt, 'instance_diagnostics', '1.0',
                         instance_uuid=instance_uuid)

    # -- aggregates, availability zones, server groups (nova-api) ---------

    def aggregate_get_all(self, ctxt):
        return self.call(ctxt, 'aggregate_get_all', '1.0')

    def aggregate_get(self, ctxt, aggregate_id):
        return self.call(ctxt, 'aggregate_get', '1.0',
                         aggregate_id=aggregate_id)

    def aggregate_create(self, ctxt, name, availability_zone=None):
        return self.call(ctxt, 'aggregate_create', '1.0', name=name,
                         availability_zone=availability_zone)

    def aggregate_update(self, ctxt, aggregate_id, name=None,
                         availability_zone=None):
        return self.call(ctxt, 'aggregate_update', '1.0',
                         aggregate_id=aggregate_id, name=name,
                         availability_zone=availability_zone)

    def aggregate_delete(self, ctxt, aggregate_id):
        return self.call(ctxt, 'aggregate_delete', '1.0',
                         aggregate_id=aggregate_id)

    def aggregate_add_host(self, ctxt, aggregate_id, host):
        return self.call(ctxt, 'aggregate_add_host', '1.0',
                         aggregate_id=aggregate_id, host=host)

    def aggregate_remove_host(self, ctxt, aggregate_id, host):
        return self.call(ctxt, 'aggregate_remove_host', '1.0',
                         aggregate_id=aggregate_id, host=host)

    def aggregate_set_metadata(self, ctxt, aggregate_id, metadata):
        return self.call(ctxt, 'aggregate_set_metadata', '1.0',
                         aggregate_id=aggregate_id, metadata=metadata)

    def availability_zones_get(self, ctxt):
        """[{'name', 'available', 'hosts': {host: {binary: {...}}}}]."""
        return self.call(ctxt, 'availability_zones_get', '1.0')

    def server_group_create(self, ctxt, name, policy, rules=None):
        return self.call(ctxt, 'server_group_create', '1.0', name=name,
                         policy=policy, rules=rules)

    def server_group_get(self, ctxt, group_uuid):
        return self.call(ctxt, 'server_group_get', '1.0',
                         group_uuid=group_uuid)

    def server_group_get_all(self, ctxt, project_id=None):
        return self.call(ctxt, 'server_group_get_all', '1.0',
                         project_id=project_id)

    def server_group_delete(self, ctxt, group_uuid):
        return self.call(ctxt, 'server_group_delete', '1.0',
                         group_uuid=group_uuid)

    def scheduler_dry_run(self, ctxt, request_spec):
        """Where the scheduler would place this request, claiming nothing."""
        return self.call(ctxt, 'scheduler_dry_run', '1.0',
                         request_spec=request_spec)

    def quota_get(self, ctxt, project_id):
        """{'limits': {...}, 'usage': {...}} of a project."""
        return self.call(ctxt, 'quota_get', '1.0', project_id=project_id)

    def quota_defaults(self, ctxt):
        return self.call(ctxt, 'quota_defaults', '1.0')

    def quota_update(self, ctxt, project_id, limits):
        return self.call(ctxt, 'quota_update', '1.0', project_id=project_id,
                         limits=limits)

    def quota_reset(self, ctxt, project_id):
        return self.call(ctxt, 'quota_reset', '1.0', project_id=project_id)

    # user_id (an admin acting for another user) and paging need 1.1.
    def keypair_create(self, ctxt, name, public_key, fingerprint,
                       key_type='ssh', user_id=None):
        extra = {'user_id': user_id} if user_id else {}
        return self.call(ctxt, 'keypair_create', '1.1' if extra else '1.0',
                         name=name, public_key=public_key,
                         fingerprint=fingerprint, key_type=key_type, **extra)

    def keypair_get(self, ctxt, name, user_id=None):
        extra = {'user_id': user_id} if user_id else {}
        return self.call(ctxt, 'keypair_get', '1.1' if extra else '1.0',
                         name=name, **extra)

    def keypair_get_all(self, ctxt, user_id=None, limit=None, marker=None):
        extra = {k: v for k, v in (('user_id', user_id), ('limit', limit),
                                   ('marker', marker)) if v is not None}
        return self.call(ctxt, 'keypair_get_all', '1.1' if extra else '1.0',
                         **extra)

    def keypair_delete(self, ctxt, name, user_id=None):
        extra = {'user_id': user_id} if user_id else {}
        return self.call(ctxt, 'keypair_delete', '1.1' if extra else '1.0',
                         name=name, **extra)

    # -- added in 1.1 -------------------------------------------------------

    def flavor_update(self, ctxt, flavorid, description):
        return self.call(ctxt, 'flavor_update', '1.1', flavorid=flavorid,
                         description=description)

    def flavor_access_get(self, ctxt, flavorid):
        """Project ids sharing a private flavor; NotFound for public."""
        return self.call(ctxt, 'flavor_access_get', '1.1',
                         flavorid=flavorid)

    def flavor_access_add(self, ctxt, flavorid, project_id):
        return self.call(ctxt, 'flavor_access_add', '1.1',
                         flavorid=flavorid, project_id=project_id)

    def flavor_access_remove(self, ctxt, flavorid, project_id):
        return self.call(ctxt, 'flavor_access_remove', '1.1',
                         flavorid=flavorid, project_id=project_id)

    def service_update(self, ctxt, service_id, values):
        """values: disabled, disabled_reason, forced_down (uuid or id)."""
        return self.call(ctxt, 'service_update', '1.1',
                         service_id=service_id, values=values)

    def service_update_by_host(self, ctxt, host, binary, values):
        return self.call(ctxt, 'service_update_by_host', '1.1', host=host,
                         binary=binary, values=values)

    def service_delete(self, ctxt, service_id):
        return self.call(ctxt, 'service_delete', '1.1',
                         service_id=service_id)

    def hypervisor_servers(self, ctxt, node_ids):
        """{str(node id): [{'name', 'uuid'}]} of live instances."""
        return self.call(ctxt, 'hypervisor_servers', '1.1',
                         node_ids=list(node_ids))

    def hypervisor_uptime(self, ctxt, host):
        return self.call(ctxt, 'hypervisor_uptime', '1.1', host=host)

    def aggregate_cache_images(self, ctxt, aggregate_id, image_ids):
        return self.call(ctxt, 'aggregate_cache_images', '1.1',
                         aggregate_id=aggregate_id, image_ids=image_ids)

    # -- added in 1.7 -------------------------------------------------------

    def quota_class_get(self, ctxt, class_name):
        """{resource: limit} of a quota class ('default': every project's
        defaults)."""
        return self.call(ctxt, 'quota_class_get', '1.7',
                         class_name=class_name)

    def quota_class_update(self, ctxt, class_name, limits):
        return self.call(ctxt, 'quota_class_update', '1.7',
                         class_name=class_name, limits=limits)

    def migration_get_all(self, ctxt, filters=None, limit=None,
                          marker=None):
        """Instance moves, newest first; `marker` is a migration uuid."""
        return self.call(ctxt, 'migration_get_all', '1.7', filters=filters,
                         limit=limit, marker=marker)

    def instance_usage_get(self, ctxt, start, stop, project_id=None,
                           limit=None, marker=None):
        """Instances that ran between `start` and `stop` (ISO 8601),
        oldest first; `marker` is an instance uuid."""
        return self.call(ctxt, 'instance_usage_get', '1.7', start=start,
                         stop=stop, project_id=project_id, limit=limit,
                         marker=marker)

    # -- networking (nova-compute) -----------------------------------------

    def allocate_fixed_ip(self, ctxt, instance_uuid):
        return self.call(ctxt, 'allocate_fixed_ip', '1.0',
                         instance_uuid=instance_uuid)
