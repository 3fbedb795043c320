"""Image records (nova-api; its Glance v2 endpoint from 1.2)."""


class ImagesAPI:
    # (1.0)
    def image_get(self, ctxt, image_id):
        return self.call(ctxt, 'image_get', '1.0', image_id=image_id)

    # (1.0)
    def image_get_all(self, ctxt, filters=None):
        return self.call(ctxt, 'image_get_all', '1.0', filters=filters)

    # (1.2)
    def image_list(self, ctxt, filters=None, project_id=None, limit=None,
                   marker=None, sort_key='created_at', sort_dir='desc'):
        """One page: {'images': [...], 'more': bool}."""
        return self.call(ctxt, 'image_list', '1.2', filters=filters,
                         project_id=project_id, limit=limit, marker=marker,
                         sort_key=sort_key, sort_dir=sort_dir)

    # (1.2)
    def image_create(self, ctxt, values):
        return self.call(ctxt, 'image_create', '1.2', values=values)

    # (1.2)
    def image_update(self, ctxt, image_id, values, expected_status=None):
        """ImageStatusConflict unless the image is in expected_status."""
        return self.call(ctxt, 'image_update', '1.2', image_id=image_id,
                         values=values, expected_status=expected_status)

    # (1.2)
    def image_delete(self, ctxt, image_id):
        """Forget the image; returns its record (the caller owns the file)."""
        return self.call(ctxt, 'image_delete', '1.2', image_id=image_id)

    # (1.9)
    def image_properties_update(self, ctxt, image_id, updates, remove=(),
                                replace=False, max_items=None):
        """Set `updates` and drop `remove` (or replace all) under the
        image's row lock; the image as it then is."""
        return self.call(ctxt, 'image_properties_update', '1.9',
                         image_id=image_id, updates=updates,
                         remove=list(remove), replace=replace,
                         max_items=max_items)
