"""ServerResource: the base of the resources that act on servers
(/servers, /servers/{id} and what hangs below it: actions, metadata,
tags, instance actions, diagnostics).

It finds a server as the caller may see it, refuses changes to a locked
one, builds the server body the API answers, and deletes a server.
"""

from common import exception
from nova_api import image_source
from nova_api import policy
from nova_api import server_view


class ServerResource:

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    def get_visible(self, req, server_id, rule, read_deleted=False):
        """The instance, or 404 when absent or another project's; then
        403 unless the caller passes `rule` on it."""
        ctxt = req.context.ctxt
        try:
            instance = self.conductor.instance_get(
                ctxt, server_id, read_deleted=read_deleted)
        except exception.InstanceNotFound:
            instance = None
        if instance is None or (not ctxt.is_admin_user and
                                instance['project_id'] != ctxt.project_id):
            raise exception.InstanceNotFound(instance_id=server_id)
        policy.authorize(req, rule, policy.server_target(instance))
        return instance

    @staticmethod
    def check_not_locked(req, instance):
        """A locked server refuses changes from everyone but admins."""
        if instance.get('locked_by') and not req.context.ctxt.is_admin_user:
            raise exception.InstanceIsLocked(instance_uuid=instance['uuid'])

    def get_writable(self, req, server_id, rule):
        """The instance, as get_visible finds it, unless it is locked."""
        instance = self.get_visible(req, server_id, rule)
        self.check_not_locked(req, instance)
        return instance

    def delete(self, req, server_id, rule):
        """Delete the server now (DELETE, forceDelete): 404 when it is
        gone, 409 when locked."""
        instance = self.get_writable(req, server_id, rule)
        try:
            self.conductor.delete_instance(req.context.ctxt, server_id)
        except exception.InstanceNotFound:
            # Deleted meanwhile: answered as if it was never found.
            raise exception.InstanceNotFound(instance_id=server_id)
        image_source.delete_shelved(req.context.ctxt, self.conductor,
                                    instance)

    def _server_groups(self, ctxt, instance):
        """Ids of the groups the instance belongs to (2.71)."""
        hints = (instance.get('request_spec') or {}).get(
            'scheduler_hints') or {}
        group = hints.get('group')
        if isinstance(group, list):
            group = group[0] if group else None
        if not group:
            return []
        try:
            found = self.conductor.server_group_get(ctxt, group)
        except exception.NotFound:
            return []
        return [found['uuid']] if instance['uuid'] in found.get(
            'members', []) else []

    def show_body(self, req, instance, view=server_view.show):
        """{'server': ...} as GET /servers/{id} answers; `view` is
        server_view.updated or .rebuilt for PUT and rebuild."""
        groups = None
        if req.context.api_version >= (2, 71):
            groups = self._server_groups(req.context.ctxt, instance)
        return {'server': view(req, instance,
                               server_view.ViewContext(req, self.conductor),
                               server_groups=groups)}
