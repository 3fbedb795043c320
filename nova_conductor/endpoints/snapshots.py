"""Snapshots, backups and shelving: each hands over to snapshot.py or
shelve.py."""

from nova_conductor import shelve
from nova_conductor import snapshot


class SnapshotsEndpoints:
    # (1.15)
    def snapshot_instance(self, context, instance_uuid, name,
                          kind='snapshot', extra=None, backup_type=None,
                          rotation=None):
        return snapshot.snapshot(self.compute_api, context, instance_uuid,
                                 name, kind, extra, backup_type, rotation)

    # (1.15)
    def shelve_instance(self, context, instance_uuid):
        return shelve.shelve(self.compute_api, context, instance_uuid)

    # (1.15)
    def shelve_offload_instance(self, context, instance_uuid):
        return shelve.shelve_offload(self.compute_api, context,
                                     instance_uuid)

    # (1.15)
    def unshelve_instance(self, context, instance_uuid,
                          availability_zone=shelve.UNSET, host=None):
        return shelve.unshelve(self.builder.scheduler_api, self.compute_api,
                               context, instance_uuid, availability_zone,
                               host)

    # (1.15)
    def instance_shelved(self, context, instance_uuid, host, image_id,
                         power_state, offloading=False):
        return shelve.shelved(instance_uuid, host, image_id, power_state,
                              offloading)

    # (1.15)
    def instance_offloaded(self, context, instance_uuid, host):
        return shelve.offloaded(instance_uuid, host)

    # (1.15)
    def instance_unshelved(self, context, instance_uuid, host, values,
                           expected_task_state):
        return shelve.unshelved(instance_uuid, host, values,
                                expected_task_state)

    # (1.15)
    def unshelve_failed(self, context, instance_uuid, host,
                        expected_task_state, message, details=None):
        return shelve.unshelve_failed(instance_uuid, host,
                                      expected_task_state, message, details)
