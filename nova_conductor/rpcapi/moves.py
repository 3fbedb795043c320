"""Resize and cold migration: what the API asks (resize, migrate,
confirm, revert) and what the computes report of each step
(nova-api, nova-compute)."""


class MovesAPI:
    # (1.14)
    def resize_instance(self, ctxt, instance_uuid, flavor_id=None,
                        host=None):
        """Resize to `flavor_id`, or migrate without one (to `host` if
        given); the migration once a target is claimed, else NoValidHost,
        OverQuota, InstanceInvalidState..."""
        return self.call(ctxt, 'resize_instance', '1.14',
                         instance_uuid=instance_uuid, flavor_id=flavor_id,
                         host=host)

    # (1.14)
    def confirm_resize(self, ctxt, instance_uuid):
        return self.call(ctxt, 'confirm_resize', '1.14',
                         instance_uuid=instance_uuid)

    # (1.14)
    def revert_resize(self, ctxt, instance_uuid):
        return self.call(ctxt, 'revert_resize', '1.14',
                         instance_uuid=instance_uuid)

    # (1.14)
    def move_progress(self, ctxt, instance_uuid, migration_uuid, values,
                      expected_task_state, status=None, host=None,
                      to_dest=False):
        """A compute's step of a move: the instance's states and the
        migration's status together; (instance, migration)."""
        return self.call(ctxt, 'move_progress', '1.14',
                         instance_uuid=instance_uuid,
                         migration_uuid=migration_uuid, values=values,
                         expected_task_state=expected_task_state,
                         status=status, host=host, to_dest=to_dest)

    # (1.14)
    def move_reverted(self, ctxt, instance_uuid, migration_uuid,
                      failed=False, message=None, details=None, host=None,
                      power_state=None):
        """The instance is back on its source as before the move (a
        revert, or with `failed` a move that failed)."""
        return self.call(ctxt, 'move_reverted', '1.14',
                         instance_uuid=instance_uuid,
                         migration_uuid=migration_uuid, failed=failed,
                         message=message, details=details, host=host,
                         power_state=power_state)

    # (1.14)
    def move_confirmed(self, ctxt, instance_uuid, migration_uuid, host=None,
                       power_state=None):
        return self.call(ctxt, 'move_confirmed', '1.14',
                         instance_uuid=instance_uuid,
                         migration_uuid=migration_uuid, host=host,
                         power_state=power_state)
