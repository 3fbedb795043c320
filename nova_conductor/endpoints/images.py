"""Image records."""

from nova_conductor.db import catalog


class ImagesEndpoints:
    # (1.0)
    def image_get(self, context, image_id):
        return catalog.image_get(image_id)

    # (1.0)
    def image_get_all(self, context, filters=None):
        return catalog.image_get_all(filters)

    # (1.2)
    def image_list(self, context, filters=None, project_id=None, limit=None,
                   marker=None, sort_key='created_at', sort_dir='desc'):
        images, more = catalog.image_list(filters, project_id, limit, marker,
                                          sort_key, sort_dir)
        return {'images': images, 'more': more}

    # (1.2)
    def image_create(self, context, values):
        return catalog.image_create(values)

    # (1.2)
    def image_update(self, context, image_id, values, expected_status=None):
        return catalog.image_update(image_id, values, expected_status)

    # (1.2)
    def image_delete(self, context, image_id):
        return catalog.image_delete(image_id)

    # (1.9)
    def image_properties_update(self, context, image_id, updates,
                                remove=(), replace=False, max_items=None):
        return catalog.image_properties_update(image_id, updates, remove,
                                               replace, max_items)
