"""/v2.1/servers: create, list, detail, show, delete."""

import secrets
import uuid

import falcon

from common import exception
from common import states
from common.conf import CONF
from nova_api import errors
from nova_api import links
from nova_api import policy
from nova_api import server_view
from nova_api import validation

_METADATA = {
    'type': 'object',
    'patternProperties': {
        '^[a-zA-Z0-9-_:. ]{1,255}$': {'type': 'string', 'maxLength': 255},
    },
    'additionalProperties': False,
}

CREATE_SCHEMA = {
    'type': 'object',
    'properties': {
        'server': {
            'type': 'object',
            'properties': {
                'name': validation.NAME,
                'imageRef': {'type': 'string'},
                'flavorRef': {'type': ['string', 'integer'], 'minLength': 1},
                'adminPass': {'type': 'string'},
                'metadata': _METADATA,
                'networks': {'oneOf': [
                    {'type': 'string', 'enum': ['auto', 'none']},
                    {'type': 'array', 'items': {
                        'type': 'object',
                        'properties': {'uuid': {'type': 'string'},
                                       'fixed_ip': {'type': 'string'},
                                       'port': {'type': ['string', 'null']}},
                        'additionalProperties': False}},
                ]},
                'availability_zone': {'type': 'string', 'minLength': 1,
                                      'maxLength': 255},
                'key_name': {'type': 'string', 'minLength': 1,
                             'maxLength': 255},
                'user_data': {'type': 'string', 'maxLength': 65535},
                'min_count': validation.POSITIVE_INT,
                'max_count': validation.POSITIVE_INT,
                'return_reservation_id': {'type': 'boolean'},
                'OS-DCF:diskConfig': {'type': 'string',
                                      'enum': ['AUTO', 'MANUAL']},
                'security_groups': {'type': 'array'},
                'config_drive': {'type': ['boolean', 'string']},
                'accessIPv4': {'type': 'string', 'format': 'ipv4'},
            },
            'required': ['name', 'flavorRef'],
            'additionalProperties': False,
        },
        'os:scheduler_hints': {'$ref': '#/definitions/hints'},
        'OS-SCH-HNT:scheduler_hints': {'$ref': '#/definitions/hints'},
    },
    'required': ['server'],
    'additionalProperties': False,
    'definitions': {'hints': {
        'type': 'object',
        'properties': {
            'group': validation.UUID,
            'same_host': {'oneOf': [validation.UUID, {
                'type': 'array', 'items': validation.UUID}]},
            'different_host': {'oneOf': [validation.UUID, {
                'type': 'array', 'items': validation.UUID}]},
        },
        # Unknown hints are allowed (custom filters may read them).
        'additionalProperties': True}},
}

def network_id():
    """Stable id of the one flat network, derived from its name."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL,
                          'nova-lite/network/' + CONF.network.network_name))


def _is_uuid(value):
    try:
        return str(uuid.UUID(value)) == value.lower()
    except (ValueError, AttributeError, TypeError):
        return False


class _Base:
    """What every server resource shares: lookup with project checks,
    listing, and turning a create body into a checked request spec."""

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    def _get_visible(self, req, server_id, rule):
        """The instance, or 404 when absent or another project's; then
        403 unless the caller passes `rule` on it."""
        ctxt = req.context.ctxt
        try:
            instance = self.conductor.instance_get(ctxt, server_id)
        except exception.InstanceNotFound:
            instance = None
        if instance is None or (not ctxt.is_admin_user and
                                instance['project_id'] != ctxt.project_id):
            raise errors.not_found('Instance %s could not be found.'
                                   % server_id)
        policy.authorize(req, rule, policy.server_target(instance))
        return instance

    def _list(self, req):
        ctxt = req.context.ctxt
        policy.authorize(req, self.LIST_RULE)
        filters = {}
        all_tenants = req.get_param('all_tenants')
        if all_tenants is not None and all_tenants.lower() not in (
                '0', 'false', 'off', 'no'):
            policy.authorize(req, self.LIST_RULE + ':get_all_tenants')
        else:
            filters['project_id'] = ctxt.project_id
        status = req.get_param('status')
        if status:
            vm_states = states.vm_states_for_status(status)
            if not vm_states:
                return [], None
            filters['vm_state'] = vm_states
        if req.get_param('host') and policy.check(
                req, 'os_compute_api:servers:allow_all_filters'):
            filters['host'] = req.get_param('host')
        try:
            limit = int(req.get_param('limit') or CONF.api.max_limit)
        except ValueError:
            raise errors.bad_request('limit param must be an integer')
        if limit < 0:
            raise errors.bad_request('limit param must be positive')
        limit = min(limit, CONF.api.max_limit)
        marker = req.get_param('marker')
        try:
            found = self.conductor.instance_get_all(
                ctxt, filters, limit=limit, marker=marker)
        except exception.Invalid as e:
            raise errors.bad_request(e.message)
        next_marker = found[-1]['uuid'] if found and len(found) == limit \
            else None
        return found, next_marker


    def request_spec(self, ctxt, body):
        """Check a create body; (flavor, image, metadata, request_spec)."""
        server = body['server']
        flavor = self._flavor(ctxt, server['flavorRef'])
        image = self._image(ctxt, server.get('imageRef'), flavor)
        metadata = server.get('metadata') or {}
        if metadata:
            limit = self.conductor.quota_get(ctxt, ctxt.project_id)[
                'limits']['metadata_items']
            if 0 <= limit < len(metadata):
                raise errors.HTTPError(
                    403, 'Quota exceeded for metadata_items: Requested %d, '
                         'but already used 0 of %d metadata_items'
                         % (len(metadata), limit))
        min_count = int(server.get('min_count', 1))
        max_count = int(server.get('max_count', min_count))
        if min_count > max_count:
            raise errors.bad_request('min_count must be <= max_count')
        request_spec = {
            'num_instances': max_count,
            'flavor': flavor,
            'image': {'id': image['id'], 'properties': image['properties'],
                      'min_disk': image['min_disk'],
                      'min_ram': image['min_ram']} if image else {},
            'project_id': ctxt.project_id, 'user_id': ctxt.user_id,
            'scheduler_hints': self._hints(body),
            'requested_networks': self._networks(server.get('networks')),
            'ignore_hosts': [],
        }
        request_spec.update(self._zone(ctxt, server.get('availability_zone')))
        if server.get('key_name'):
            try:
                self.conductor.keypair_get(ctxt, server['key_name'])
            except exception.NotFound:
                raise errors.bad_request('Invalid key_name provided.')
        return flavor, image, metadata, request_spec

    def _flavor(self, ctxt, flavor_ref):
        flavor_id = str(flavor_ref).rstrip('/').rsplit('/', 1)[-1]
        try:
            flavor = self.conductor.flavor_get(ctxt, flavor_id)
        except exception.FlavorNotFound:
            raise errors.bad_request('Flavor %s could not be found.'
                                     % flavor_ref)
        if flavor['disabled']:
            raise errors.bad_request('Flavor %s is disabled.' % flavor_ref)
        return flavor

    def _image(self, ctxt, image_ref, flavor):
        if not image_ref:
            raise errors.bad_request('Missing imageRef attribute')
        image_id = image_ref.rstrip('/').rsplit('/', 1)[-1]
        if not _is_uuid(image_id):
            raise errors.bad_request('Invalid image href provided: %s.'
                                     % image_ref)
        try:
            image = self.conductor.image_get(ctxt, image_id)
        except exception.ImageNotFound:
            raise errors.bad_request('Image %s could not be found.'
                                     % image_id)
        if image['status'] != 'active':
            raise errors.bad_request('Image %s is not active.' % image_id)
        gib = 1024 ** 3
        if flavor['root_gb'] and image['min_disk'] > flavor['root_gb']:
            raise exception.FlavorDiskSmallerThanMinDisk(
                flavor_size=flavor['root_gb'] * gib,
                image_min_disk=image['min_disk'] * gib)
        if image['min_ram'] and image['min_ram'] > flavor['memory_mb']:
            raise exception.FlavorMemoryTooSmall(
                flavor_ram=flavor['memory_mb'], image_min_ram=image['min_ram'])
        return image

    @staticmethod
    def _hints(body):
        hints = dict(body.get('os:scheduler_hints') or
                     body.get('OS-SCH-HNT:scheduler_hints') or {})
        for key in ('same_host', 'different_host'):
            if isinstance(hints.get(key), str):
                hints[key] = [hints[key]]
        return hints

    def _zone(self, ctxt, requested):
        """AZ placement: 'az', or for admins 'az:host' and 'az:host:node'."""
        if not requested:
            return {'availability_zone': None}
        zone, _, rest = requested.partition(':')
        host, _, node = rest.partition(':')
        out = {'availability_zone': zone or None}
        if host or node:
            policy.enforce(ctxt, 'os_compute_api:servers:create:forced_host')
            out['force_hosts'] = [host] if host else []
            out['force_nodes'] = [node] if node else []
        if zone:
            known = {z['name'] for z in self.conductor.availability_zones_get(
                ctxt) if z['name'] != 'internal'}
            if zone not in known:
                raise errors.bad_request('The requested availability zone '
                                         'is not available')
        return out

    @staticmethod
    def _networks(requested):
        if requested is None or requested == 'auto':
            return 'auto'
        if requested == 'none':
            return 'none'
        for item in requested:
            if item.get('port'):
                raise errors.bad_request('Ports are not supported: this '
                                         'cloud has one flat network.')
            if item.get('uuid') != network_id():
                raise errors.bad_request('Network %s could not be found.'
                                         % item.get('uuid'))
        return 'auto' if requested else 'none'


class ServerCollection(_Base):
    LIST_RULE = 'os_compute_api:servers:index'

    def on_get(self, req, resp):
        found, next_marker = self._list(req)
        resp.media = {'servers': [server_view.basic(req, i) for i in found]}
        if next_marker:
            resp.media['servers_links'] = links.collection_next(
                req, 'servers', next_marker)

    def on_post(self, req, resp):
        ctxt = req.context.ctxt
        policy.authorize(req, 'os_compute_api:servers:create')
        body = validation.validate(CREATE_SCHEMA, validation.read_json(req))
        server = body['server']
        flavor, image, metadata, request_spec = self.request_spec(ctxt, body)
        max_count = request_spec['num_instances']
        reservation_id = 'r-%s' % secrets.token_hex(4)
        instances = []
        for index in range(max_count):
            name = server['name'] if max_count == 1 else '%s-%d' % (
                server['name'], index + 1)
            instances.append({
                'uuid': str(uuid.uuid4()), 'display_name': name,
                'hostname': name.lower().replace(' ', '-')[:63],
                'project_id': ctxt.project_id, 'user_id': ctxt.user_id,
                'image_ref': image['id'] if image else None,
                'flavor': flavor, 'vcpus': flavor['vcpus'],
                'memory_mb': flavor['memory_mb'],
                'root_gb': flavor['root_gb'],
                'ephemeral_gb': flavor['ephemeral_gb'],
                'availability_zone': request_spec['availability_zone'],
                'key_name': server.get('key_name'),
                'user_data': server.get('user_data'),
                'metadata': metadata, 'reservation_id': reservation_id,
                'launch_index': index,
                'access_ip_v4': server.get('accessIPv4'),
            })
        created = self.conductor.create_instances(ctxt, instances,
                                                  request_spec)
        first = created[0]
        resp.status = falcon.HTTP_202
        resp.location = server_view.basic(req, first)['links'][0]['href']
        if server.get('return_reservation_id'):
            resp.media = {'reservation_id': reservation_id}
            return
        resp.media = {'server': {
            'id': first['uuid'],
            'links': server_view.basic(req, first)['links'],
            'OS-DCF:diskConfig': server.get('OS-DCF:diskConfig', 'MANUAL'),
            'security_groups': [{'name': 'default'}],
            'adminPass': server.get('adminPass') or secrets.token_urlsafe(9),
        }}

class ServerDetail(_Base):
    LIST_RULE = 'os_compute_api:servers:detail'

    def on_get(self, req, resp):
        found, next_marker = self._list(req)
        resp.media = {'servers': [server_view.detail(req, i) for i in found]}
        if next_marker:
            resp.media['servers_links'] = links.collection_next(
                req, 'servers/detail', next_marker)


class Server(_Base):

    def on_get(self, req, resp, server_id):
        resp.media = {'server': server_view.detail(
            req, self._get_visible(req, server_id,
                                   'os_compute_api:servers:show'))}

    def on_delete(self, req, resp, server_id):
        self._get_visible(req, server_id, 'os_compute_api:servers:delete')
        try:
            self.conductor.delete_instance(req.context.ctxt, server_id)
        except exception.InstanceNotFound:
            raise errors.not_found('Instance %s could not be found.'
                                   % server_id)
        resp.status = falcon.HTTP_204


class ServerDiagnostics(_Base):
    """What the hypervisor reports of a server's domain (admin only)."""

    def on_get(self, req, resp, server_id):
        self._get_visible(req, server_id,
                          'os_compute_api:os-server-diagnostics')
        resp.media = self.conductor.instance_diagnostics(req.context.ctxt,
                                                         server_id)
