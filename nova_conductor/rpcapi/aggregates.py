"""Host aggregates and the availability zones they make (nova-api)."""


class AggregatesAPI:
    # (1.0)
    def aggregate_get_all(self, ctxt):
        return self.call(ctxt, 'aggregate_get_all', '1.0')

    # (1.0)
    def aggregate_get(self, ctxt, aggregate_id):
        return self.call(ctxt, 'aggregate_get', '1.0',
                         aggregate_id=aggregate_id)

    # (1.0)
    def aggregate_create(self, ctxt, name, availability_zone=None):
        return self.call(ctxt, 'aggregate_create', '1.0', name=name,
                         availability_zone=availability_zone)

    # (1.0)
    def aggregate_update(self, ctxt, aggregate_id, name=None,
                         availability_zone=None):
        return self.call(ctxt, 'aggregate_update', '1.0',
                         aggregate_id=aggregate_id, name=name,
                         availability_zone=availability_zone)

    # (1.0)
    def aggregate_delete(self, ctxt, aggregate_id):
        return self.call(ctxt, 'aggregate_delete', '1.0',
                         aggregate_id=aggregate_id)

    # (1.0)
    def aggregate_add_host(self, ctxt, aggregate_id, host):
        return self.call(ctxt, 'aggregate_add_host', '1.0',
                         aggregate_id=aggregate_id, host=host)

    # (1.0)
    def aggregate_remove_host(self, ctxt, aggregate_id, host):
        return self.call(ctxt, 'aggregate_remove_host', '1.0',
                         aggregate_id=aggregate_id, host=host)

    # (1.0)
    def aggregate_set_metadata(self, ctxt, aggregate_id, metadata):
        return self.call(ctxt, 'aggregate_set_metadata', '1.0',
                         aggregate_id=aggregate_id, metadata=metadata)

    # (1.1)
    def aggregate_cache_images(self, ctxt, aggregate_id, image_ids):
        return self.call(ctxt, 'aggregate_cache_images', '1.1',
                         aggregate_id=aggregate_id, image_ids=image_ids)

    # (1.0)
    def availability_zones_get(self, ctxt):
        """[{'name', 'available', 'hosts': {host: {binary: {...}}}}]."""
        return self.call(ctxt, 'availability_zones_get', '1.0')

    # (1.21)
    def availability_zone_exists(self, ctxt, name):
        """Whether a server may be booted in zone `name` (any listed zone
        but 'internal'); asked of an older conductor as the whole list."""
        if self.can_send_version('1.21'):
            return self.call(ctxt, 'availability_zone_exists', '1.21',
                             name=name)
        return any(z['name'] == name and z['name'] != 'internal'
                   for z in self.availability_zones_get(ctxt))
