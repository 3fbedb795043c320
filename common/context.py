"""The request context that travels with every API request and RPC message."""

from oslo_context import context as oslo_context


class RequestContext(oslo_context.RequestContext):
    """Who asks (user, project, roles) and which request this is part of."""

    def __init__(self, *args, service_catalog=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Keystone's catalog for the API's own use; not sent over RPC.
        self.service_catalog = service_catalog or []

    @property
    def is_admin_user(self):
        return self.is_admin or 'admin' in (self.roles or [])

    def elevated(self):
        """A copy with admin rights, for internal work done on a user's behalf."""
        ctxt = self.from_dict(self.to_dict())
        ctxt.is_admin = True
        if 'admin' not in ctxt.roles:
            ctxt.roles = list(ctxt.roles) + ['admin']
        return ctxt


def get_admin_context():
    """A context for the daemons' own work (periodic tasks, startup)."""
    return RequestContext(user_id=None, project_id=None, is_admin=True,
                          roles=['admin'], overwrite=False)
