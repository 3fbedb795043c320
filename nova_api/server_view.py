"""The server body the Compute API returns (2.1 shape)."""

import hashlib

from common import states
from nova_api import links
from nova_api import policy


def _time(iso):
    return iso[:19] + 'Z' if iso else None


def host_id(instance):
    """Opaque per-project host id: same value means same host."""
    if not instance.get('host'):
        return ''
    text = '%s%s' % (instance['project_id'], instance['host'])
    return hashlib.sha224(text.encode()).hexdigest()


def addresses(instance):
    out = {}
    for ip in instance.get('fixed_ips') or []:
        out.setdefault(ip['network'], []).append({
            'version': 4, 'addr': ip['address'],
            'OS-EXT-IPS:type': 'fixed',
            'OS-EXT-IPS-MAC:mac_addr': ip['mac']})
    return out


def fault(instance, is_admin):
    found = instance.get('fault')
    if not found:
        return None
    out = {'code': found['code'], 'message': found['message'],
           'created': _time(found['created_at'])}
    # Tracebacks are for operators; users see them only for non-500 faults.
    if found.get('details') and (is_admin or found['code'] != 500):
        out['details'] = found['details']
    return out


def basic(req, instance):
    return {'id': instance['uuid'], 'name': instance['display_name'],
            'links': links.resource_links(req, 'servers', instance['uuid'])}


def detail(req, instance):
    ctxt = req.context.ctxt
    flavor = instance['flavor'] or {}
    image_ref = instance.get('image_ref')
    out = basic(req, instance)
    out.update({
        'status': states.api_status(instance['vm_state'],
                                    instance['task_state']),
        'tenant_id': instance['project_id'],
        'user_id': instance['user_id'],
        'metadata': instance.get('metadata') or {},
        'hostId': host_id(instance),
        'image': ({'id': image_ref,
                   'links': [l for l in links.resource_links(
                       req, 'images', image_ref) if l['rel'] == 'bookmark']}
                  if image_ref else ''),
        'flavor': {'id': flavor.get('flavorid'),
                   'links': [l for l in links.resource_links(
                       req, 'flavors', flavor.get('flavorid'))
                       if l['rel'] == 'bookmark']},
        'created': _time(instance['created_at']),
        'updated': _time(instance['updated_at']),
        'addresses': addresses(instance),
        'accessIPv4': instance.get('access_ip_v4') or '',
        'accessIPv6': '',
        'OS-DCF:diskConfig': 'MANUAL',
        'progress': 100 if instance['vm_state'] == states.ACTIVE else 0,
        'OS-EXT-AZ:availability_zone': instance.get('availability_zone')
        or '',
        'config_drive': '',
        'key_name': instance.get('key_name'),
        'OS-SRV-USG:launched_at': instance.get('launched_at'),
        'OS-SRV-USG:terminated_at': instance.get('terminated_at'),
        'OS-EXT-STS:vm_state': instance['vm_state'],
        'OS-EXT-STS:task_state': instance['task_state'],
        'OS-EXT-STS:power_state': instance['power_state'],
        'os-extended-volumes:volumes_attached': [],
        'security_groups': [{'name': 'default'}],
    })
    for key in ('OS-SRV-USG:launched_at', 'OS-SRV-USG:terminated_at'):
        if out[key]:
            out[key] = out[key][:26].replace('+00:00', '')
    if policy.check(req, 'os_compute_api:os-extended-server-attributes',
                    policy.server_target(instance)):
        out.update({
            'OS-EXT-SRV-ATTR:host': instance.get('host'),
            'OS-EXT-SRV-ATTR:hypervisor_hostname': instance.get('node'),
            'OS-EXT-SRV-ATTR:instance_name': 'instance-%s' % instance['uuid'],
        })
    found = fault(instance, ctxt.is_admin_user)
    if found:
        out['fault'] = found
    return out


