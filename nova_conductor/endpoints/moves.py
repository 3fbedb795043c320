"""Resize and cold migration: the API's requests go to resize.py, the
computes' reports to db/moves.py."""

from nova_conductor.db import moves as moves_db


class MovesEndpoints:
    # (1.14)
    def resize_instance(self, context, instance_uuid, flavor_id=None,
                        host=None):
        return self.mover.resize(context, instance_uuid, flavor_id, host)

    # (1.14)
    def confirm_resize(self, context, instance_uuid):
        return self.mover.confirm(context, instance_uuid)

    # (1.14)
    def revert_resize(self, context, instance_uuid):
        return self.mover.revert(context, instance_uuid)

    # (1.14)
    def move_progress(self, context, instance_uuid, migration_uuid, values,
                      expected_task_state, status=None, host=None,
                      to_dest=False):
        return moves_db.progress(instance_uuid, migration_uuid, values,
                                 expected_task_state, status, host, to_dest)

    # (1.14)
    def move_reverted(self, context, instance_uuid, migration_uuid,
                      failed=False, message=None, details=None, host=None,
                      power_state=None):
        return moves_db.reverted(instance_uuid, migration_uuid, failed,
                                 message, details, host, power_state)

    # (1.14)
    def move_confirmed(self, context, instance_uuid, migration_uuid,
                       host=None, power_state=None):
        return moves_db.confirmed(instance_uuid, migration_uuid, host,
                                  power_state)
