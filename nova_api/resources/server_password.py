"""/v2.1/servers/{id}/os-server-password: the password the guest posted
to the metadata service (encrypted with its key pair, by the guest), and
clearing it so the guest may post another."""

import falcon

from nova_api.resources import server_resource


class ServerPassword(server_resource.ServerResource):

    def on_get(self, req, resp, server_id):
        instance = self.get_visible(
            req, server_id, 'os_compute_api:os-server-password:show')
        resp.media = {'password': instance.get('password') or ''}

    def on_delete(self, req, resp, server_id):
        self.get_visible(req, server_id,
                         'os_compute_api:os-server-password:clear')
        self.conductor.instance_password_set(req.context.ctxt, server_id,
                                             '')
        resp.status = falcon.HTTP_204
