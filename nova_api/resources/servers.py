"""/v2.1/servers: create (a body checked into a request spec by
ServerSpecBuilder), list, detail, show, update, delete, and
diagnostics."""

import ipaddress
import secrets
import uuid

import falcon
import netaddr

from common import exception
from common import row_pages
from common import flat_network
from common import glance_client
from common.conf import CONF
from nova_api import block_devices
from nova_api import create_checks
from nova_api import disk_config
from nova_api import image_source
from nova_api import links
from nova_api import policy
from nova_api import server_filters
from nova_api import server_view
from nova_api import validation
from nova_api import volume_checks as volume_checks_mod
from nova_api.resources import server_resource

METADATA_SCHEMA = {
    'type': 'object',
    'patternProperties': {
        '^[a-zA-Z0-9-_:. ]{1,255}$': {'type': 'string', 'maxLength': 255},
    },
    'additionalProperties': False,
}

_NETWORK_ITEM = {
    'type': 'object',
    'properties': {'uuid': {'type': 'string'},
                   'fixed_ip': {'type': 'string'},
                   'port': {'type': ['string', 'null']},
                   'tag': {'type': 'string', 'maxLength': 60}},
    'additionalProperties': False}
_NETWORKS = {'type': 'array', 'items': _NETWORK_ITEM}
TAGS_SCHEMA = {'type': 'array', 'maxItems': 50, 'items': {
    'type': 'string', 'minLength': 1, 'maxLength': 60,
    'pattern': '^[^,/]*$'}}
_DESCRIPTION = {'type': ['string', 'null'], 'maxLength': 255}
# An IPv6 address may carry a zone ("%eth0") of any length; the columns
# hold 64.
ACCESS_IPV4 = {'type': 'string', 'format': 'ipv4', 'maxLength': 64}
ACCESS_IPV6 = {'type': 'string', 'format': 'ipv6', 'maxLength': 64}
_ACCESS_IP_COLUMNS = (('accessIPv4', 'access_ip_v4', 4),
                      ('accessIPv6', 'access_ip_v6', 6))
_HOSTNAME = {'type': 'string', 'minLength': 1, 'maxLength': 63,
             'pattern': '^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$'}
_FQDN = {'type': 'string', 'minLength': 1, 'maxLength': 255,
         'pattern': r'^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$'}
_HINTS = {
    'type': 'object',
    'properties': {
        'group': validation.UUID,
        'same_host': {'oneOf': [validation.UUID, {
            'type': 'array', 'items': validation.UUID}]},
        'different_host': {'oneOf': [validation.UUID, {
            'type': 'array', 'items': validation.UUID}]},
    },
    # Unknown hints are allowed (custom filters may read them).
    'additionalProperties': True}
PERSONALITY_SCHEMA = {'type': 'array', 'items': {
    'type': 'object',
    'properties': {'path': {'type': 'string'},
                   'contents': {'type': 'string', 'format': 'base64'}},
    'required': ['path', 'contents'], 'additionalProperties': False}}
_SERVER_21 = {
    'name': validation.NAME,
    'imageRef': {'type': 'string'},
    'flavorRef': {'type': ['string', 'integer'], 'minLength': 1},
    'adminPass': {'type': 'string'},
    'metadata': METADATA_SCHEMA,
    # 'auto' / 'none' arrived in 2.37; older requests may use them too.
    'networks': {'oneOf': [{'type': 'string', 'enum': ['auto', 'none']},
                           _NETWORKS]},
    'availability_zone': {'type': 'string', 'minLength': 1,
                          'maxLength': 255},
    'key_name': {'type': 'string', 'minLength': 1, 'maxLength': 255},
    'user_data': validation.USER_DATA,
    'min_count': validation.POSITIVE_INT,
    'max_count': validation.POSITIVE_INT,
    'return_reservation_id': {'type': 'boolean'},
    'OS-DCF:diskConfig': {'type': 'string', 'enum': ['AUTO', 'MANUAL']},
    'security_groups': {'type': 'array'},
    'config_drive': validation.BOOLEAN,
    'accessIPv4': ACCESS_IPV4,
    'accessIPv6': ACCESS_IPV6,
    'personality': PERSONALITY_SCHEMA,
    'block_device_mapping': block_devices.LEGACY_SCHEMA,
    'block_device_mapping_v2': block_devices.V2_SCHEMA,
}

# (first version, changes to the 'server' properties). None removes one.
_CREATE_CHANGES = [
    ((2, 19), {'description': _DESCRIPTION}),
    ((2, 52), {'tags': TAGS_SCHEMA}),
    ((2, 57), {'personality': None}),
    ((2, 63), {'trusted_image_certificates': {
        'type': ['array', 'null'], 'maxItems': 50}}),
    ((2, 74), {'host': {'type': 'string', 'minLength': 1, 'maxLength': 255},
               'hypervisor_hostname': {'type': 'string', 'minLength': 1,
                                       'maxLength': 255}}),
    ((2, 90), {'hostname': _HOSTNAME}),
    ((2, 94), {'hostname': _FQDN}),
]


def canonical_ip(text, version):
    """An address as Nova stores it: netaddr's text, so IPv6 is compressed
    and lower case ('0000:0000:0000:0000:0000:babe:220.12.22.2' ->
    '::babe:dc0c:1602'), while IPv4-mapped ones keep their dotted tail
    ('::ffff:1.2.3.4'). Text netaddr cannot read (a zone, '%eth0') is
    compressed by the standard library instead."""
    try:
        return str(netaddr.IPAddress(text, version=version))
    except (netaddr.AddrFormatError, ValueError, TypeError):
        return ipaddress.ip_address(text).compressed


def access_ip_values(params):
    """The access IPs a create, update or rebuild body gives, as instance
    columns, in canonical form; a null clears one."""
    values = {}
    for api_key, column, version in _ACCESS_IP_COLUMNS:
        if api_key in params:
            value = params[api_key]
            values[column] = canonical_ip(value, version) if value else value
    return values


def hostname_schema(version):
    return _FQDN if version >= (2, 94) else _HOSTNAME


def create_schema(version):
    """The create body's schema at `version`."""
    props = dict(_SERVER_21)
    for since, changes in _CREATE_CHANGES:
        if version >= since:
            for key, value in changes.items():
                if value is None:
                    props.pop(key, None)
                else:
                    props[key] = value
    required = ['name', 'flavorRef']
    if version >= (2, 37):
        required.append('networks')
    return {
        'type': 'object',
        'properties': {
            'server': {'type': 'object', 'properties': props,
                       'required': required, 'additionalProperties': False},
            'os:scheduler_hints': _HINTS,
            'OS-SCH-HNT:scheduler_hints': _HINTS,
        },
        'required': ['server'],
        'additionalProperties': False,
    }


def update_schema(version):
    props = {'name': validation.NAME,
             'accessIPv4': ACCESS_IPV4,
             'accessIPv6': ACCESS_IPV6,
             'OS-DCF:diskConfig': {'type': 'string',
                                   'enum': ['AUTO', 'MANUAL']}}
    if version >= (2, 19):
        props['description'] = _DESCRIPTION
    if version >= (2, 90):
        props['hostname'] = hostname_schema(version)
    return {'type': 'object',
            'properties': {'server': {'type': 'object', 'properties': props,
                                      'additionalProperties': False}},
            'required': ['server'], 'additionalProperties': False}


# What an update or a rebuild sets as given: body key, column.
_PLAIN_COLUMNS = (('name', 'display_name'),
                  ('description', 'display_description'),
                  ('hostname', 'hostname'))


def changed_values(params, image=None):
    """The columns an update, or a rebuild to `image` (which the disk
    config is checked against), sets from its body: access IPs, disk
    config, name, description and hostname."""
    values = access_ip_values(params)
    values.update(disk_config.requested_value(params, image))
    for api_key, column in _PLAIN_COLUMNS:
        if api_key in params:
            values[column] = params[api_key]
    return values


def _hostname(name):
    """A DNS label made from a display name, as Nova's sanitising does."""
    label = ''.join(c if c.isalnum() or c == '-' else '-'
                    for c in name.lower().replace(' ', '-'))
    return label.strip('-')[:63] or 'server'


def _is_uuid(value):
    try:
        return str(uuid.UUID(value)) == value.lower()
    except (ValueError, AttributeError, TypeError):
        return False


class ServerSpecBuilder:
    """A create body, checked, as the scheduler's request spec: flavor,
    image, how many servers the quota has room for, zone and forced host,
    networks, key pair. Shared by POST /servers and the scheduler dry
    run; a rebuild checks its new image and key pair with it."""

    def __init__(self, conductor_api, volume_checks=None):
        self.conductor = conductor_api
        self.volume_checks = volume_checks or \
            volume_checks_mod.VolumeChecks()

    def request_spec(self, ctxt, body, count_quota=True):
        """Check a create body; (flavor, image, metadata, request_spec).
        `count_quota` False (a dry run) leaves the count to max_count."""
        server = body['server']
        flavor = self._flavor(ctxt, server['flavorRef'])
        mappings = block_devices.normalize(server, server.get('imageRef'))
        volume_backed = block_devices.is_volume_backed(mappings)
        if volume_backed:
            image = self.volume_checks.boot_image(
                ctxt, mappings[0], lambda ref: self.image(
                    ctxt, ref, flavor, check_disk=False))
        else:
            image = self.image(ctxt, self._image_ref(server, mappings),
                               flavor)
        metadata = server.get('metadata') or {}
        min_count, max_count = self._counts(server)
        count = max_count
        if metadata or server.get('personality') or (
                count_quota and max_count > 1):
            quota = self.conductor.quota_get(ctxt, ctxt.project_id)
            create_checks.check_metadata(quota['limits'], metadata)
            create_checks.check_personality(quota['limits'],
                                            server.get('personality'))
            if count_quota:
                # Before any per-instance work: a count is what the quota
                # has room for, not what the body asks.
                count = create_checks.count_within_quota(
                    quota, flavor, min_count, max_count)
        if server.get('trusted_image_certificates'):
            raise exception.Invalid('Image signature certificate '
                                    'validation is not supported.')
        request_spec = {
            'num_instances': count,
            'flavor': flavor,
            'image': glance_client.spec_image(image),
            'project_id': ctxt.project_id, 'user_id': ctxt.user_id,
            'scheduler_hints': self._hints(body),
            'requested_networks': self._networks(server.get('networks')),
            'ignore_hosts': [],
        }
        request_spec.update(self._zone(ctxt, server.get('availability_zone')))
        request_spec.update(self._requested_host(ctxt, server))
        if any(m['destination_type'] == 'volume' for m in mappings):
            self.volume_checks.check(ctxt, mappings, image,
                                     request_spec['availability_zone'],
                                     count)
            # Stored with each instance (see on_post).
            request_spec['block_device_mappings'] = mappings
        return flavor, image, metadata, request_spec

    def key_values(self, ctxt, key_name):
        """The instance values of key pair `key_name` (None: no key): its
        name and content as they are now, which the guest is given. 400
        unless the caller has a key pair of that name."""
        if not key_name:
            return {'key_name': None, 'key_data': None, 'key_type': None}
        try:
            keypair = self.conductor.keypair_get(ctxt, key_name)
        except exception.NotFound:
            raise exception.Invalid('Invalid key_name provided.')
        return {'key_name': key_name, 'key_data': keypair['public_key'],
                'key_type': keypair.get('type') or 'ssh'}

    @staticmethod
    def _counts(server):
        """(min_count, max_count), max_count at most
        [api] max_servers_per_request."""
        min_count = int(server.get('min_count', 1))
        max_count = int(server.get('max_count', min_count))
        if min_count > max_count:
            raise exception.Invalid('min_count must be <= max_count')
        most = CONF.api.max_servers_per_request
        if min_count > most:
            raise exception.Invalid(
                'Invalid input for field/attribute min_count. Value: %d. '
                'This cloud creates at most %d servers in one request.'
                % (min_count, most))
        return min_count, min(max_count, most)

    @staticmethod
    def _image_ref(server, mappings):
        """The image of the boot mapping (an image on a local disk), or
        imageRef."""
        if mappings and mappings[0]['source_type'] == 'image':
            return mappings[0]['uuid']
        return server.get('imageRef')

    @staticmethod
    def _requested_host(ctxt, server):
        """2.74 host / hypervisor_hostname: admins pick the destination."""
        host, node = server.get('host'), server.get('hypervisor_hostname')
        if not (host or node):
            return {}
        policy.enforce(ctxt, 'os_compute_api:servers:create:'
                             'requested_destination')
        return {'force_hosts': [host] if host else [],
                'force_nodes': [node] if node else []}

    def _flavor(self, ctxt, flavor_ref):
        flavor_id = str(flavor_ref).rstrip('/').rsplit('/', 1)[-1]
        try:
            # Private flavors only for projects they are shared with.
            flavor = self.conductor.flavor_get(
                ctxt, flavor_id,
                None if ctxt.is_admin_user else ctxt.project_id)
        except exception.FlavorNotFound:
            raise exception.Invalid('Flavor %s could not be found.'
                                    % flavor_ref)
        if flavor['disabled']:
            raise exception.Invalid('Flavor %s is disabled.' % flavor_ref)
        return flavor

    def image(self, ctxt, image_ref, flavor, check_disk=True):
        """The active image `image_ref` names, checked against
        `flavor` (its disk, unless the root disk is a volume, and
        memory)."""
        if not image_ref:
            raise exception.Invalid('Missing imageRef attribute')
        image_id = image_ref.rstrip('/').rsplit('/', 1)[-1]
        if not _is_uuid(image_id):
            raise exception.InvalidImageRef(image_href=image_ref)
        try:
            image = image_source.get(ctxt, self.conductor, image_id)
        except exception.ImageNotFound:
            raise exception.Invalid('Image %s could not be found.'
                                    % image_id)
        if image['status'] != 'active':
            raise exception.ImageNotActive(image_id=image_id)
        gib = 1024 ** 3
        if check_disk and flavor['root_gb'] and \
                image['min_disk'] > flavor['root_gb']:
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
            if not self.conductor.availability_zone_exists(ctxt, zone):
                raise exception.Invalid('The requested availability zone '
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
                raise exception.Invalid('Ports are not supported: this '
                                        'cloud has one flat network.')
            if item.get('uuid') != flat_network.network_id():
                raise exception.Invalid('Network %s could not be found.'
                                        % item.get('uuid'))
        return 'auto' if requested else 'none'


def _list(req, conductor, fields):
    """(instances, next marker) for GET /servers and /servers/detail, each
    instance with only `fields`."""
    limit = server_filters.limit(req)
    # Invalid (400) for a bad filter, sort or marker.
    found = row_pages.unpack(conductor.instance_list(
        req.context.ctxt, server_filters.filters(req), limit=limit,
        marker=req.get_param('marker'), sort=server_filters.sort(req),
        fields=fields))
    next_marker = found[-1]['uuid'] if found and len(found) == limit \
        else None
    return found, next_marker


class ServerCollection(server_resource.ServerResource):

    def __init__(self, conductor_api):
        super().__init__(conductor_api)
        self.specs = ServerSpecBuilder(conductor_api)

    def on_get(self, req, resp):
        policy.authorize(req, 'os_compute_api:servers:index')
        found, next_marker = _list(req, self.conductor,
                                   server_view.BASIC_FIELDS)
        resp.media = {'servers': [server_view.basic(req, i) for i in found]}
        if next_marker:
            resp.media['servers_links'] = links.collection_next(
                req, 'servers', next_marker)

    @validation.schema(create_schema)
    def on_post(self, req, resp, body):
        ctxt = req.context.ctxt
        policy.authorize(req, 'os_compute_api:servers:create')
        server = body['server']
        flavor, image, metadata, request_spec = self.specs.request_spec(
            ctxt, body)
        count = request_spec['num_instances']
        reservation_id = 'r-%s' % secrets.token_hex(4)
        access_ips = access_ip_values(server)
        auto_disk_config = disk_config.for_create(
            image, server.get(disk_config.KEY))
        key_values = self.specs.key_values(ctxt, server.get('key_name'))
        instances = []
        for index in range(count):
            name = server['name']
            if count > 1:
                # Shortened so the suffix fits display_name's 255.
                suffix = '-%d' % (index + 1)
                name = name[:255 - len(suffix)] + suffix
            instances.append({
                'uuid': str(uuid.uuid4()), 'display_name': name,
                'display_description': server.get('description'),
                'hostname': server.get('hostname') or _hostname(name),
                'project_id': ctxt.project_id, 'user_id': ctxt.user_id,
                # A volume-backed server has no image of its own (Nova
                # shows "" for it).
                'image_ref': '' if block_devices.is_volume_backed(
                    request_spec.get('block_device_mappings') or []) else
                image['id'] if image else None,
                'flavor': flavor, 'flavorid': flavor['flavorid'],
                'vcpus': flavor['vcpus'],
                'memory_mb': flavor['memory_mb'],
                'root_gb': flavor['root_gb'],
                'ephemeral_gb': flavor['ephemeral_gb'],
                'availability_zone': request_spec['availability_zone'],
                'user_data': server.get('user_data'),
                # The compute builds the drive, and may be told to
                # ([DEFAULT] force_config_drive).
                'config_drive': validation.as_bool(
                    server.get('config_drive', False)),
                'metadata': metadata, 'reservation_id': reservation_id,
                'launch_index': index,
                'access_ip_v4': access_ips.get('access_ip_v4'),
                'access_ip_v6': access_ips.get('access_ip_v6'),
                'auto_disk_config': auto_disk_config,
                'tags': server.get('tags') or [],
                **key_values,
            })
            if request_spec.get('block_device_mappings'):
                instances[-1]['block_device_mappings'] = \
                    request_spec['block_device_mappings']
        created = self.conductor.create_instances(ctxt, instances,
                                                  request_spec)
        first = created[0]
        resp.status = falcon.HTTP_202
        resp.location = server_view.basic(req, first)['links'][0]['href']
        if server.get('return_reservation_id'):
            resp.media = {'reservation_id': reservation_id}
            if req.env.get(server_view.EC2_VIEW_KEY):
                # The EC2 API (in-process only) answers RunInstances
                # with the servers: their views now, not a list call.
                resp.media['servers'] = [server_view.detail(req, i)
                                         for i in created]
            return
        resp.media = {'server': {
            'id': first['uuid'],
            'links': server_view.basic(req, first)['links'],
            disk_config.KEY: disk_config.to_api(
                first.get('auto_disk_config')),
            'security_groups': [{'name': 'default'}],
            'adminPass': server.get('adminPass') or secrets.token_urlsafe(9),
        }}


class ServerDetail(server_resource.ServerResource):

    def on_get(self, req, resp):
        policy.authorize(req, 'os_compute_api:servers:detail')
        found, next_marker = _list(req, self.conductor,
                                   server_view.detail_fields(req))
        view_ctx = server_view.ViewContext(req, self.conductor, found)
        resp.media = {'servers': [server_view.detail(req, i, view_ctx)
                                  for i in found]}
        if next_marker:
            resp.media['servers_links'] = links.collection_next(
                req, 'servers/detail', next_marker)


class Server(server_resource.ServerResource):

    def on_get(self, req, resp, server_id):
        resp.media = self.show_body(req, self.get_visible(
            req, server_id, 'os_compute_api:servers:show'))

    @validation.schema(update_schema)
    def on_put(self, req, resp, server_id, body):
        self.get_visible(req, server_id, 'os_compute_api:servers:update')
        # As Nova: an update may switch the disk config whatever the
        # image says.
        values = changed_values(body['server'])
        ctxt = req.context.ctxt
        instance = self.conductor.instance_update(ctxt, server_id, values) \
            if values else self.conductor.instance_get(ctxt, server_id)
        resp.media = self.show_body(req, instance, server_view.updated)

    def on_delete(self, req, resp, server_id):
        self.delete(req, server_id, 'os_compute_api:servers:delete')
        resp.status = falcon.HTTP_204


class ServerDiagnostics(server_resource.ServerResource):
    """What the hypervisor reports of a server's domain (admin only): from
    2.48 Nova's standard diagnostics, before that the driver's own keys."""

    def on_get(self, req, resp, server_id):
        self.get_visible(req, server_id,
                         'os_compute_api:os-server-diagnostics')
        standard = req.context.api_version >= (2, 48)
        resp.media = self.conductor.instance_diagnostics(
            req.context.ctxt, server_id, standard=standard)
