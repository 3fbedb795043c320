"""Flavors, their extra specs and who may use them (nova-api)."""


class FlavorsAPI:
    # (1.0; 1.1 with project_id)
    def flavor_get(self, ctxt, flavorid, project_id=None):
        """With `project_id`: FlavorNotFound when it may not use it."""
        if project_id is None:
            return self.call(ctxt, 'flavor_get', '1.0', flavorid=flavorid)
        return self.call(ctxt, 'flavor_get', '1.1', flavorid=flavorid,
                         project_id=project_id)

    # (1.0; 1.1 with project_id)
    def flavor_get_all(self, ctxt, is_public=None, project_id=None):
        """With `project_id`: public flavors and those shared with it."""
        if project_id is None:
            return self.call(ctxt, 'flavor_get_all', '1.0',
                             is_public=is_public)
        return self.call(ctxt, 'flavor_get_all', '1.1', is_public=is_public,
                         project_id=project_id)

    # (1.0)
    def flavor_create(self, ctxt, values):
        return self.call(ctxt, 'flavor_create', '1.0', values=values)

    # (1.1)
    def flavor_update(self, ctxt, flavorid, description):
        return self.call(ctxt, 'flavor_update', '1.1', flavorid=flavorid,
                         description=description)

    # (1.0)
    def flavor_delete(self, ctxt, flavorid):
        return self.call(ctxt, 'flavor_delete', '1.0', flavorid=flavorid)

    # (1.0)
    def flavor_extra_specs_update(self, ctxt, flavorid, specs):
        return self.call(ctxt, 'flavor_extra_specs_update', '1.0',
                         flavorid=flavorid, specs=specs)

    # (1.0)
    def flavor_extra_spec_delete(self, ctxt, flavorid, key):
        return self.call(ctxt, 'flavor_extra_spec_delete', '1.0',
                         flavorid=flavorid, key=key)

    # (1.1)
    def flavor_access_get(self, ctxt, flavorid):
        """Project ids sharing a private flavor; NotFound for public."""
        return self.call(ctxt, 'flavor_access_get', '1.1',
                         flavorid=flavorid)

    # (1.1)
    def flavor_access_add(self, ctxt, flavorid, project_id):
        return self.call(ctxt, 'flavor_access_add', '1.1',
                         flavorid=flavorid, project_id=project_id)

    # (1.1)
    def flavor_access_remove(self, ctxt, flavorid, project_id):
        return self.call(ctxt, 'flavor_access_remove', '1.1',
                         flavorid=flavorid, project_id=project_id)
