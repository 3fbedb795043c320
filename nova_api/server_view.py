"""The server bodies the Compute API returns, for every microversion.

`detail()` is an item of the detailed list, `show()` the body of GET
/servers/{id}, `updated()` the answer to PUT and `rebuilt()` the answer
to a rebuild; `ViewContext` carries what one
request needs to build many of them (host states for admins).

Below 2.75 PUT and rebuild answer a shorter body than GET, as Nova does:
none of the extension attributes (OS-EXT-*, OS-SRV-USG, config_drive,
security_groups, volumes, host_status, the OS-EXT-IPS keys of addresses).
Rebuild shows key_name from 2.54 and user_data (its own key) from 2.57.
From 2.75 both answer the GET body, except that rebuild keeps user_data
as its own key rather than OS-EXT-SRV-ATTR:user_data.
"""

import base64
import functools
import hashlib

from common import servicegroup
from common import states
from nova_api import disk_config
from nova_api import links
from nova_api import policy
from nova_api import timestamps

# Statuses whose body carries a progress figure.
_PROGRESS_STATUSES = ('ACTIVE', 'BUILD', 'REBUILD', 'RESIZE',
                      'VERIFY_RESIZE', 'MIGRATING')


def host_id(instance):
    """Opaque per-project host id: same value means same host."""
    if not instance.get('host'):
        return ''
    return _host_hash(instance['project_id'], instance['host'])


@functools.lru_cache(maxsize=4096)
def _host_hash(project_id, host):
    # A list shows the same few (project, host) pairs again and again.
    text = '%s%s' % (project_id, host)
    return hashlib.sha224(text.encode()).hexdigest()


def addresses(instance, extended=True):
    """Fixed IPs by network; `extended` adds their type and MAC. None
    while the server is building, as in Nova."""
    out = {}
    if instance['vm_state'] == states.BUILDING:
        return out
    for ip in instance.get('fixed_ips') or []:
        address = {'version': 4, 'addr': ip['address']}
        if extended:
            address.update({'OS-EXT-IPS:type': 'fixed',
                            'OS-EXT-IPS-MAC:mac_addr': ip['mac']})
        out.setdefault(ip['network'], []).append(address)
    return out


def fault(instance, is_admin):
    found = instance.get('fault')
    if not found:
        return None
    out = {'code': found['code'], 'message': found['message'],
           'created': timestamps.seconds(found['created_at'])}
    # Tracebacks are for operators; users see them only for non-500 faults.
    if found.get('details') and (is_admin or found['code'] != 500):
        out['details'] = found['details']
    return out


def basic(req, instance):
    return {'id': instance['uuid'], 'name': instance['display_name'],
            'links': links.resource_links(req, 'servers', instance['uuid'])}


def _bookmark(req, collection, resource_id):
    return links.bookmark_links(req, collection, resource_id)


def flavor(req, instance):
    """A link to the flavor; from 2.47 the flavor as it was at boot."""
    snapshot = instance['flavor'] or {}
    if req.context.api_version < (2, 47):
        return {'id': snapshot.get('flavorid'),
                'links': _bookmark(req, 'flavors', snapshot.get('flavorid'))}
    return {'vcpus': snapshot.get('vcpus'), 'ram': snapshot.get('memory_mb'),
            'disk': snapshot.get('root_gb'),
            'ephemeral': snapshot.get('ephemeral_gb') or 0,
            'swap': snapshot.get('swap') or 0,
            'original_name': snapshot.get('name'),
            'extra_specs': dict(snapshot.get('extra_specs') or {})}


def image(req, instance):
    image_ref = instance.get('image_ref')
    if not image_ref:
        return ''
    out = {'id': image_ref, 'links': _bookmark(req, 'images', image_ref)}
    if req.context.api_version >= (2, 98):
        spec_image = (instance.get('request_spec') or {}).get('image') or {}
        out['properties'] = dict(spec_image.get('properties') or {})
    return out


# What the list views read of an instance: the conductor sends only these
# (nova_conductor/db/instance_list.py), so a page costs what it shows.
BASIC_FIELDS = ('uuid', 'display_name')
EC2_VIEW_KEY = 'nova.ec2.view'
_DETAIL_FIELDS = BASIC_FIELDS + (
    'vm_state', 'task_state', 'power_state', 'project_id', 'user_id',
    'metadata', 'host', 'node', 'image_ref', 'flavor', 'created_at',
    'updated_at', 'fixed_ips', 'access_ip_v4', 'access_ip_v6',
    'auto_disk_config', 'key_name', 'availability_zone', 'config_drive',
    'launched_at', 'terminated_at', 'block_device_mappings',
    'reservation_id', 'launch_index', 'hostname', 'locked_by',
    'display_description', 'tags', 'locked_reason', 'fault')


def detail_fields(req):
    """The fields detail() reads at this request's microversion."""
    version = req.context.api_version
    return _DETAIL_FIELDS + (
        # OS-EXT-SRV-ATTR:user_data (2.3); the spec's zone, image
        # properties and hints (2.96, 2.98, 2.100).
        (('user_data',) if version >= (2, 3) else ()) +
        (('request_spec',) if version >= (2, 96) else ()))


class ViewContext:
    """Per-request facts many server bodies share, fetched at most once."""

    def __init__(self, req, conductor, instances=()):
        """`instances`: the page the bodies are for, so the services of
        all its hosts are asked for at once."""
        self.req = req
        self.conductor = conductor
        self._page_hosts = {i['host'] for i in instances if i.get('host')}
        self._host_states = {}

    def host_status(self, instance):
        host = instance.get('host')
        if not host:
            return ''
        if host not in self._host_states:
            # Only this page's hosts: a fleet may hold 10,000.
            self._load_host_states(self._page_hosts | {host})
        return self._host_states[host]

    def _load_host_states(self, hosts):
        hosts = hosts - set(self._host_states)
        self._host_states.update(dict.fromkeys(hosts, 'UNKNOWN'))
        for svc in self.conductor.service_get_all(
                self.req.context.ctxt, 'nova-compute', hosts=hosts):
            if svc['forced_down'] or not servicegroup.service_is_up(svc):
                self._host_states[svc['host']] = 'DOWN'
            elif svc['disabled']:
                self._host_states[svc['host']] = 'MAINTENANCE'
            else:
                self._host_states[svc['host']] = 'UP'


def _user_data(instance):
    data = instance.get('user_data')
    if data is None:
        return None
    # Stored as the client sent it: base64 text already.
    if isinstance(data, bytes):
        return base64.b64encode(data).decode()
    return data


def detail(req, instance, view_ctx=None):
    """An item of GET /servers/detail."""
    return _body(req, instance, view_ctx)


def show(req, instance, view_ctx=None, server_groups=None):
    """The body GET /servers/{id} answers: the detail one, and from 2.71
    `server_groups`, the ids of the instance's groups."""
    return _body(req, instance, view_ctx, server_groups=server_groups or [])


def updated(req, instance, view_ctx=None, server_groups=None):
    """The body PUT /servers/{id} answers."""
    full = req.context.api_version >= (2, 75)
    return _body(req, instance, view_ctx, extended=full, key_name=full,
                 server_groups=server_groups)


def rebuilt(req, instance, view_ctx=None, server_groups=None):
    """The body a rebuild answers (adminPass is the caller's to add)."""
    version = req.context.api_version
    out = _body(req, instance, view_ctx, extended=version >= (2, 75),
                key_name=version >= (2, 54), user_data_attr=False,
                server_groups=server_groups)
    if version >= (2, 57):
        out['user_data'] = _user_data(instance)
    return out


def _body(req, instance, view_ctx, extended=True, key_name=True,
          user_data_attr=True, server_groups=None):
    """A server body. `extended` False leaves out the extension attributes
    (OS-EXT-*, OS-SRV-USG, config_drive, security groups, volumes,
    host_status and the extended address keys); `user_data_attr` False
    leaves out OS-EXT-SRV-ATTR:user_data; `server_groups` (a list, or None
    for no key) are shown from 2.71."""
    ctxt = req.context.ctxt
    version = req.context.api_version
    is_admin = ctxt.is_admin_user
    status = states.api_status(instance['vm_state'], instance['task_state'])
    spec = instance.get('request_spec') or {}
    out = basic(req, instance)
    out.update({
        'status': status,
        'tenant_id': instance['project_id'],
        'user_id': instance['user_id'],
        'metadata': instance.get('metadata') or {},
        'hostId': host_id(instance),
        'image': image(req, instance),
        'flavor': flavor(req, instance),
        'created': timestamps.seconds(instance['created_at']),
        'updated': timestamps.seconds(instance['updated_at']),
        'addresses': addresses(instance, extended),
        'accessIPv4': instance.get('access_ip_v4') or '',
        'accessIPv6': instance.get('access_ip_v6') or '',
        disk_config.KEY: disk_config.to_api(instance.get('auto_disk_config')),
    })
    if status in _PROGRESS_STATUSES:
        out['progress'] = 100 if status == 'ACTIVE' else 0
    if key_name:
        out['key_name'] = instance.get('key_name')
    if extended:
        out.update(_extensions(req, instance, view_ctx, user_data_attr))
    if version >= (2, 9):
        out['locked'] = bool(instance.get('locked_by'))
    if version >= (2, 19):
        out['description'] = instance.get('display_description')
    if version >= (2, 26):
        out['tags'] = list(instance.get('tags') or [])
    if version >= (2, 63):
        out['trusted_image_certificates'] = None
    if version >= (2, 71) and server_groups is not None:
        out['server_groups'] = list(server_groups)
    if version >= (2, 73):
        out['locked_reason'] = instance.get('locked_reason')
    if version >= (2, 96):
        out['pinned_availability_zone'] = spec.get('availability_zone')
    if version >= (2, 100):
        out['scheduler_hints'] = dict(spec.get('scheduler_hints') or {})
    found = fault(instance, is_admin)
    if found and instance['vm_state'] in (states.ERROR, 'deleted'):
        out['fault'] = found
    if req.env.get(EC2_VIEW_KEY):
        # The EC2 API's in-process calls (nova_api/ec2/compute.py): what
        # its Instance shows that no Compute API view does for owners.
        out['ec2'] = {'reservation_id': instance.get('reservation_id'),
                      'launch_index': instance.get('launch_index')}
    return out


def volumes_attached(instance, version):
    """The instance's volumes (with delete_on_termination from 2.3)."""
    out = []
    for bdm in instance.get('block_device_mappings') or ():
        if bdm.get('destination_type') != 'volume' or \
                not bdm.get('volume_id'):
            continue
        item = {'id': bdm['volume_id']}
        if version >= (2, 3):
            item['delete_on_termination'] = bool(
                bdm.get('delete_on_termination'))
        out.append(item)
    return out


def _extensions(req, instance, view_ctx, user_data_attr):
    """The attributes that were API extensions before 2.1, and those
    policy shows (OS-EXT-SRV-ATTR:*, host_status)."""
    version = req.context.api_version
    out = {
        'OS-EXT-AZ:availability_zone':
            instance.get('availability_zone') or '',
        # Nova's words: "True" once a drive was built, else "".
        'config_drive': 'True' if instance.get('config_drive') else '',
        'OS-SRV-USG:launched_at':
            timestamps.microseconds(instance.get('launched_at')),
        'OS-SRV-USG:terminated_at':
            timestamps.microseconds(instance.get('terminated_at')),
        'OS-EXT-STS:vm_state': instance['vm_state'],
        'OS-EXT-STS:task_state': instance['task_state'],
        'OS-EXT-STS:power_state': instance['power_state'],
        'os-extended-volumes:volumes_attached': volumes_attached(
            instance, version),
        'security_groups': [{'name': 'default'}],
    }
    target = policy.server_target(instance)
    ext_attrs = policy.check(
        req, 'os_compute_api:os-extended-server-attributes', target)
    if ext_attrs:
        out.update({
            'OS-EXT-SRV-ATTR:host': instance.get('host'),
            'OS-EXT-SRV-ATTR:hypervisor_hostname': instance.get('node'),
            'OS-EXT-SRV-ATTR:instance_name': 'instance-%s' % instance['uuid'],
        })
    if version >= (2, 3) and ext_attrs:
        out.update({
            'OS-EXT-SRV-ATTR:reservation_id': instance.get('reservation_id'),
            'OS-EXT-SRV-ATTR:launch_index': instance.get('launch_index'),
            'OS-EXT-SRV-ATTR:hostname': instance.get('hostname'),
            'OS-EXT-SRV-ATTR:kernel_id': '',
            'OS-EXT-SRV-ATTR:ramdisk_id': '',
            'OS-EXT-SRV-ATTR:root_device_name': '/dev/vda',
        })
        if user_data_attr:
            out['OS-EXT-SRV-ATTR:user_data'] = _user_data(instance)
    if version >= (2, 16) and view_ctx is not None and policy.check(
            req, 'os_compute_api:servers:show:host_status', target):
        out['host_status'] = view_ctx.host_status(instance)
    if version >= (2, 90):
        # 2.90 shows the hostname to everyone.
        out['OS-EXT-SRV-ATTR:hostname'] = instance.get('hostname')
    return out
