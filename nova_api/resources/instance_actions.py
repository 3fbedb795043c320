"""/v2.1/servers/{id}/os-instance-actions: what was done to a server.

Microversions: 2.21 reads the actions of deleted servers; 2.51 shows
events to everyone (traceback stays admin-only); 2.58 adds updated_at
and pages the list (limit, marker = request id, changes-since); 2.62
puts hostId (and host for admins) in events; 2.66 adds changes-before;
2.84 adds the events' details.
"""


from common import exception
from nova_api import links
from nova_api import policy
from nova_api import query
from nova_api import server_view
from nova_api import timestamps
from nova_api.resources import server_resource


def action_view(req, action):
    out = {'action': action['action'],
           'instance_uuid': action['instance_uuid'],
           'message': action['message'],
           'project_id': action['project_id'],
           'request_id': action['request_id'],
           'start_time': timestamps.microseconds(action['start_time']),
           'user_id': action['user_id']}
    if req.context.api_version >= (2, 58):
        out['updated_at'] = timestamps.microseconds(
            action['updated_at'] or action['start_time'])
    return out


def event_view(req, event, project_id):
    version = req.context.api_version
    # Tracebacks and hosts are for operators.
    is_admin = policy.check(req, 'os_compute_api:os-instance-actions:events',
                            {'project_id': project_id})
    out = {'event': event['event'],
           'start_time': timestamps.microseconds(event['start_time']),
           'finish_time': timestamps.microseconds(event['finish_time']),
           'result': event['result']}
    if is_admin:
        out['traceback'] = event['traceback']
    if version >= (2, 62):
        out['hostId'] = server_view.host_id({'project_id': project_id,
                                             'host': event.get('host')})
        if is_admin:
            out['host'] = event.get('host') or ''
    if version >= (2, 84):
        out['details'] = event.get('details')
    return out


class _Base(server_resource.ServerResource):

    def _instance(self, req, server_id, rule):
        """The server (deleted ones too from 2.21), or 404; then 403
        unless the caller passes `rule` on it."""
        return self.get_visible(
            req, server_id, 'os_compute_api:os-instance-actions:' + rule,
            read_deleted=req.context.api_version >= (2, 21))


class InstanceActions(_Base):

    def on_get(self, req, resp, server_id):
        self._instance(req, server_id, 'list')
        version = req.context.api_version
        paging = {}
        if version >= (2, 58):
            paging = {'limit': query.limit(req),
                      'marker': req.get_param('marker'),
                      'changes_since': query.date_time(req, 'changes-since')}
        if version >= (2, 66):
            paging['changes_before'] = query.date_time(req, 'changes-before')
        found = self.conductor.instance_actions_get(
            req.context.ctxt, server_id, **paging)
        resp.media = {'instanceActions': [action_view(req, a)
                                          for a in found]}
        if paging.get('limit') and len(found) == paging['limit']:
            resp.media['links'] = links.collection_next(
                req, 'servers/%s/os-instance-actions' % server_id,
                found[-1]['request_id'])


class InstanceAction(_Base):

    def on_get(self, req, resp, server_id, request_id):
        instance = self._instance(req, server_id, 'show')
        found = self.conductor.instance_action_get(req.context.ctxt,
                                                   server_id, request_id)
        if found is None:
            raise exception.NotFound('Action for request_id %s on instance %s '
                                     'not found' % (request_id, server_id))
        out = action_view(req, found)
        if req.context.api_version >= (2, 51) or policy.check(
                req, 'os_compute_api:os-instance-actions:events',
                {'project_id': instance['project_id']}):
            out['events'] = [event_view(req, e, instance['project_id'])
                             for e in found['events']]
        resp.media = {'instanceAction': out}
