"""Instances: their records, a build's progress and outcome, and the
fixed IP the build's networking step takes (nova-api, nova-compute,
nova-scheduler).
"""

from common import rpc

_UNSET = 'unset'


# Instance columns and the conductor version that has them: a message
# setting one is refused by an older conductor, rather than failing on a
# column its database lacks.
_COLUMNS_SINCE = {'auto_disk_config': '1.10', 'config_drive': '1.11',
                  'key_data': '1.11', 'key_type': '1.11',
                  'block_device_mappings': '1.12'}


def values_version(values):
    """The version instance `values` need: the newest of their columns'
    (_COLUMNS_SINCE), else 1.0."""
    return max([_COLUMNS_SINCE.get(key, '1.0') for key in values or ()] +
               ['1.0'], key=rpc.version_key)


class InstancesAPI:
    # (1.0; sends 1.6, or 1.10 / 1.11 with their columns; together as
    # create_instances_many from 1.5)
    def create_instances(self, ctxt, instances, request_spec):
        """Record building instances and start their build; returns them.
        Concurrent creates leave together and are stored in one
        transaction; one the quota refuses still fails alone."""
        # 1.6: a create sent again gets the stored instances.
        version = max(['1.6'] + [values_version(v) for v in instances],
                      key=rpc.version_key)
        return self.call(ctxt, 'create_instances', version,
                         instances=instances, request_spec=request_spec)

    # (1.11)
    def instance_get_by_fixed_ip(self, ctxt, address):
        """The live instance holding the flat network's `address`, or
        InstanceNotFound (the metadata service's caller lookup)."""
        return self.call(ctxt, 'instance_get_by_fixed_ip', '1.11',
                         address=address)

    # (1.11)
    def instance_password_set(self, ctxt, instance_uuid, password):
        """Record the password a guest posts, once: InstancePasswordSet
        when it has one already (an admin clears it with '')."""
        return self.call(ctxt, 'instance_password_set', '1.11',
                         instance_uuid=instance_uuid, password=password)

    # (1.0; 1.1 with read_deleted)
    def instance_get(self, ctxt, instance_uuid, read_deleted=False):
        if not read_deleted:
            return self.call(ctxt, 'instance_get', '1.0',
                             instance_uuid=instance_uuid)
        return self.call(ctxt, 'instance_get', '1.1',
                         instance_uuid=instance_uuid, read_deleted=True)

    # (1.0; 1.1 with sort)
    def instance_get_all(self, ctxt, filters=None, limit=None, marker=None,
                         sort=None):
        if sort is None:
            return self.call(ctxt, 'instance_get_all', '1.0',
                             filters=filters, limit=limit, marker=marker)
        return self.call(ctxt, 'instance_get_all', '1.1', filters=filters,
                         limit=limit, marker=marker, sort=sort)

    # (1.19; 1.22 for the rows as text)
    def instance_list(self, ctxt, filters=None, limit=None, marker=None,
                      sort=None, fields=('uuid',)):
        """instance_get_all's page with only `fields` of each instance
        (nova_conductor.db.instance_list.FIELDS), what a list view shows,
        as a common.row_pages page."""
        kwargs = dict(filters=filters, limit=limit, marker=marker,
                      sort=sort, fields=list(fields))
        if self.can_send_version('1.22'):
            return self.call(ctxt, 'instance_list', '1.22',
                             rows_as_text=True, **kwargs)
        return self.call(ctxt, 'instance_list', '1.19', **kwargs)

    # (1.0; 1.10 / 1.11 when values set their columns)
    def instance_update(self, ctxt, instance_uuid, values,
                        expected_task_state=_UNSET,
                        expected_vm_state=_UNSET, host=None):
        """Compare-and-swap: raises UnexpectedTaskState on a mismatch."""
        return self.call(ctxt, 'instance_update', values_version(values),
                         instance_uuid=instance_uuid, values=values,
                         expected_task_state=expected_task_state,
                         expected_vm_state=expected_vm_state, host=host)

    # (1.3; sends 1.6, or 1.11 with config_drive; together as
    # instance_advance_many from 1.4)
    def instance_advance(self, ctxt, instance_uuid, values,
                         expected_task_state, through=(), host=None,
                         allocate_ip=False):
        """instance_update for a build's progress: the same compare-and-swap
        with no instance sent back. `through` lists task_states passed on
        the way, each recorded as an instance-action event. With
        `allocate_ip`, the instance's fixed IP is allocated in the same
        transaction and returned (the networking step's work)."""
        # 1.6: an advance sent again, already made, succeeds.
        version = max('1.6', values_version(values), key=rpc.version_key)
        return self.call(ctxt, 'instance_advance', version,
                         instance_uuid=instance_uuid, values=values,
                         expected_task_state=expected_task_state,
                         through=list(through), host=host,
                         allocate_ip=allocate_ip)

    # (1.0; 1.11 with config_drive)
    def instance_task_done(self, ctxt, instance_uuid, values,
                           expected_task_state, failed=False, message=None,
                           details=None, host=None):
        """Compute finished an operation: final states and the event."""
        return self.call(ctxt, 'instance_task_done', values_version(values),
                         instance_uuid=instance_uuid, values=values,
                         expected_task_state=expected_task_state,
                         failed=failed, message=message, details=details,
                         host=host)

    # (1.0)
    def instance_destroy(self, ctxt, instance_uuid):
        return self.call(ctxt, 'instance_destroy', '1.0',
                         instance_uuid=instance_uuid)

    # (1.0; sends 1.6)
    def build_failed(self, ctxt, instance_uuid, host, message, details=None,
                     alternates=None, request_spec=None):
        """A build failed on `host`: retry on an alternate, or set error."""
        return self.call(ctxt, 'build_failed', '1.6',
                         instance_uuid=instance_uuid, host=host,
                         message=message, details=details,
                         alternates=alternates, request_spec=request_spec)

    # (1.0)
    def allocate_fixed_ip(self, ctxt, instance_uuid):
        return self.call(ctxt, 'allocate_fixed_ip', '1.0',
                         instance_uuid=instance_uuid)
