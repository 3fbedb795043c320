"""What a user asks of an instance: stop, start, reboot and the
like, rebuild, evacuate, delete; and what only its compute host can
tell (console output, diagnostics) (nova-api)."""

from nova_conductor.rpcapi import instances


class InstanceOperationsAPI:
    # (1.0)
    def instance_action(self, ctxt, instance_uuid, action, params=None):
        """Start stop / start / reboot: 409 when the state forbids it."""
        return self.call(ctxt, 'instance_action', '1.0',
                         instance_uuid=instance_uuid, action=action,
                         params=params)

    # (1.0; 1.10 / 1.11 when values set their columns)
    def rebuild_instance(self, ctxt, instance_uuid, image_id, values=None):
        """Recreate the instance on its host from `image_id`."""
        return self.call(ctxt, 'rebuild_instance',
                         instances.values_version(values),
                         instance_uuid=instance_uuid, image_id=image_id,
                         values=values)

    # (1.0; 1.13 with a target_state)
    def evacuate_instance(self, ctxt, instance_uuid, host=None,
                          target_state=None):
        """Recreate an instance of a down host elsewhere (admin);
        `target_state` 'stopped' brings it back stopped."""
        kwargs = {'instance_uuid': instance_uuid, 'host': host}
        version = '1.0'
        if target_state:
            kwargs['target_state'] = target_state
            version = '1.13'
        return self.call(ctxt, 'evacuate_instance', version, **kwargs)

    # (1.0)
    def delete_instance(self, ctxt, instance_uuid):
        return self.call(ctxt, 'delete_instance', '1.0',
                         instance_uuid=instance_uuid)

    # (1.0)
    def instance_console_output(self, ctxt, instance_uuid, tail_length=None):
        """The guest's serial console log, from its compute host."""
        return self.call(ctxt, 'instance_console_output', '1.0',
                         instance_uuid=instance_uuid, tail_length=tail_length)

    # (1.0; 1.8 with standard)
    def instance_diagnostics(self, ctxt, instance_uuid, standard=False):
        """Ask the instance's compute host what its hypervisor reports: in
        the driver's own keys, or with `standard` Nova's standard
        diagnostics (2.48)."""
        if standard:
            return self.call(ctxt, 'instance_diagnostics', '1.8',
                             instance_uuid=instance_uuid, standard=True)
        return self.call(ctxt, 'instance_diagnostics', '1.0',
                         instance_uuid=instance_uuid)
