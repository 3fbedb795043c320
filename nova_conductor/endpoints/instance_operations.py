"""What a user asks of an instance, and what only its compute host can
tell: each hands over to the module that runs it."""

from nova_conductor import compute_queries
from nova_conductor import delete
from nova_conductor import lifecycle
from nova_conductor import rebuild


class InstanceOperationsEndpoints:
    # (1.0)
    def instance_action(self, context, instance_uuid, action, params=None):
        return lifecycle.start(self.compute_api, context, instance_uuid,
                               action, params)

    # (1.0; values may set auto_disk_config from 1.10)
    def rebuild_instance(self, context, instance_uuid, image_id,
                         values=None):
        return rebuild.rebuild(self.compute_api, context, instance_uuid,
                               image_id, values)

    # (1.0; target_state from 1.13)
    def evacuate_instance(self, context, instance_uuid, host=None,
                          target_state=None):
        return self.builder.evacuate(context, instance_uuid, host,
                                     target_state)

    # (1.0)
    def delete_instance(self, context, instance_uuid):
        """Start a delete from any state; compute finishes it if it can."""
        return delete.delete(self.compute_api, context, instance_uuid)

    # (1.0)
    def instance_console_output(self, context, instance_uuid,
                                tail_length=None):
        return compute_queries.console_output(
            self.compute_api, context, instance_uuid, tail_length)

    # (1.0; standard from 1.8)
    def instance_diagnostics(self, context, instance_uuid, standard=False):
        return compute_queries.diagnostics(self.compute_api, context,
                                           instance_uuid, standard)
