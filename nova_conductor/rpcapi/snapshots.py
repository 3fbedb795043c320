"""Snapshots, backups and shelving: what nova-api starts (1.15) and what
a compute host reports of them (1.15)."""

UNSET = 'unset'


class SnapshotsAPI:
    # (1.15)
    def snapshot_instance(self, ctxt, instance_uuid, name, kind='snapshot',
                          extra=None, backup_type=None, rotation=None):
        """Start createImage (`kind` 'snapshot') or createBackup; the
        queued image record it fills."""
        return self.call(ctxt, 'snapshot_instance', '1.15',
                         instance_uuid=instance_uuid, name=name, kind=kind,
                         extra=extra, backup_type=backup_type,
                         rotation=rotation)

    # (1.15)
    def shelve_instance(self, ctxt, instance_uuid):
        return self.call(ctxt, 'shelve_instance', '1.15',
                         instance_uuid=instance_uuid)

    # (1.15)
    def shelve_offload_instance(self, ctxt, instance_uuid):
        return self.call(ctxt, 'shelve_offload_instance', '1.15',
                         instance_uuid=instance_uuid)

    # (1.15)
    def unshelve_instance(self, ctxt, instance_uuid, availability_zone=UNSET,
                          host=None):
        """`availability_zone`: UNSET (keep), a zone, or None (any)."""
        return self.call(ctxt, 'unshelve_instance', '1.15',
                         instance_uuid=instance_uuid,
                         availability_zone=availability_zone, host=host)

    # (1.15) from the compute host
    def instance_shelved(self, ctxt, instance_uuid, host, image_id,
                         power_state, offloading=False):
        return self.call(ctxt, 'instance_shelved', '1.15',
                         instance_uuid=instance_uuid, host=host,
                         image_id=image_id, power_state=power_state,
                         offloading=offloading)

    # (1.15)
    def instance_offloaded(self, ctxt, instance_uuid, host):
        return self.call(ctxt, 'instance_offloaded', '1.15',
                         instance_uuid=instance_uuid, host=host)

    # (1.15)
    def instance_unshelved(self, ctxt, instance_uuid, host, values,
                           expected_task_state):
        return self.call(ctxt, 'instance_unshelved', '1.15',
                         instance_uuid=instance_uuid, host=host,
                         values=values,
                         expected_task_state=expected_task_state)

    # (1.15)
    def unshelve_failed(self, ctxt, instance_uuid, host, expected_task_state,
                        message, details=None):
        return self.call(ctxt, 'unshelve_failed', '1.15',
                         instance_uuid=instance_uuid, host=host,
                         expected_task_state=expected_task_state,
                         message=message, details=details)
