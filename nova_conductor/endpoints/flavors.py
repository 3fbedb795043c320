"""Flavors, their extra specs and who may use them."""

from nova_conductor.db import catalog
from nova_conductor.db import flavor_access as flavor_access_db


class FlavorsEndpoints:
    # (1.0; project_id from 1.1)
    def flavor_get(self, context, flavorid, project_id=None):
        return catalog.flavor_get(flavorid, project_id)

    # (1.0; project_id from 1.1)
    def flavor_get_all(self, context, is_public=None, project_id=None):
        return catalog.flavor_get_all(is_public, project_id)

    # (1.0)
    def flavor_create(self, context, values):
        return catalog.flavor_create(values)

    # (1.1)
    def flavor_update(self, context, flavorid, description):
        return catalog.flavor_update(flavorid, description)

    # (1.0)
    def flavor_delete(self, context, flavorid):
        return catalog.flavor_delete(flavorid)

    # (1.0)
    def flavor_extra_specs_update(self, context, flavorid, specs):
        return catalog.flavor_extra_specs_update(flavorid, specs)

    # (1.0)
    def flavor_extra_spec_delete(self, context, flavorid, key):
        return catalog.flavor_extra_spec_delete(flavorid, key)

    # (1.1)
    def flavor_access_get(self, context, flavorid):
        return flavor_access_db.projects(flavorid)

    # (1.1)
    def flavor_access_add(self, context, flavorid, project_id):
        return flavor_access_db.add(flavorid, project_id)

    # (1.1)
    def flavor_access_remove(self, context, flavorid, project_id):
        return flavor_access_db.remove(flavorid, project_id)
