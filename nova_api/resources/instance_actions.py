"""/v2.1/servers/{id}/os-instance-actions: what was done to a server, step by step."""

from nova_api import errors
from nova_api import policy
from nova_api.resources import servers


def _time(iso):
    return iso[:26].replace('+00:00', '') if iso else None


def action_view(action):
    return {'action': action['action'],
            'instance_uuid': action['instance_uuid'],
            'message': action['message'],
            'project_id': action['project_id'],
            'request_id': action['request_id'],
            'start_time': _time(action['start_time']),
            'user_id': action['user_id']}


def event_view(event, is_admin):
    out = {'event': event['event'], 'start_time': _time(event['start_time']),
           'finish_time': _time(event['finish_time']),
           'result': event['result']}
    if is_admin:
        out['traceback'] = event['traceback']
    return out


class InstanceActions(servers._Base):

    def on_get(self, req, resp, server_id):
        self._get_visible(req, server_id,
                          'os_compute_api:os-instance-actions:list')
        found = self.conductor.instance_actions_get(req.context.ctxt,
                                                    server_id)
        resp.media = {'instanceActions': [action_view(a) for a in found]}


class InstanceAction(servers._Base):

    def on_get(self, req, resp, server_id, request_id):
        instance = self._get_visible(
            req, server_id, 'os_compute_api:os-instance-actions:show')
        found = self.conductor.instance_action_get(req.context.ctxt,
                                                   server_id, request_id)
        if found is None:
            raise errors.not_found('Action for request_id %s on instance %s '
                                   'not found' % (request_id, server_id))
        out = action_view(found)
        is_admin = policy.check(req, 'os_compute_api:os-instance-actions:'
                                'events', policy.server_target(instance))
        out['events'] = [event_view(e, is_admin) for e in found['events']]
        resp.media = {'instanceAction': out}
