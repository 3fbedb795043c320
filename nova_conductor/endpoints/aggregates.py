"""Host aggregates and the availability zones they make."""

from nova_conductor import availability_zones
from nova_conductor import image_lookup
from nova_conductor.db import aggregates as aggregates_db
from nova_conductor.endpoints import hosts


class AggregatesEndpoints:
    # (1.0)
    def aggregate_get_all(self, context):
        return aggregates_db.get_all()

    # (1.0)
    def aggregate_get(self, context, aggregate_id):
        return aggregates_db.get(aggregate_id)

    # (1.0)
    def aggregate_create(self, context, name, availability_zone=None):
        return aggregates_db.create(name, availability_zone)

    # (1.0)
    @hosts.changes_hosts
    def aggregate_update(self, context, aggregate_id, name=None,
                         availability_zone=None):
        return aggregates_db.update(aggregate_id, name, availability_zone)

    # (1.0)
    @hosts.changes_hosts
    def aggregate_delete(self, context, aggregate_id):
        return aggregates_db.delete(aggregate_id)

    # (1.0)
    @hosts.changes_hosts
    def aggregate_add_host(self, context, aggregate_id, host):
        return aggregates_db.add_host(aggregate_id, host)

    # (1.0)
    @hosts.changes_hosts
    def aggregate_remove_host(self, context, aggregate_id, host):
        return aggregates_db.remove_host(aggregate_id, host)

    # (1.0)
    @hosts.changes_hosts
    def aggregate_set_metadata(self, context, aggregate_id, metadata):
        return aggregates_db.set_metadata(aggregate_id, metadata)

    # (1.1)
    def aggregate_cache_images(self, context, aggregate_id, image_ids):
        aggregates_db.get(aggregate_id)  # NotFound first
        for image_id in image_ids:
            image_lookup.get(image_id)  # ImageNotFound before recording
        return aggregates_db.request_image_cache(aggregate_id, image_ids)

    # (1.0)
    def availability_zones_get(self, context):
        return availability_zones.zones()

    # (1.21)
    def availability_zone_exists(self, context, name):
        return availability_zones.zone_exists(name)
