"""Server bodies as the Compute API reference documents them.

Each builder takes the microversion (a tuple) and returns a schema with
every documented key required and no other key allowed.
"""

_STR = {'type': 'string'}
_STR_OR_NULL = {'type': ['string', 'null']}
_LINKS = {'type': 'array', 'items': {
    'type': 'object',
    'properties': {'rel': _STR, 'href': _STR, 'type': _STR},
    'required': ['rel', 'href'], 'additionalProperties': False}}
_ADDRESS = {'type': 'object', 'properties': {
    'version': {'enum': [4, 6]}, 'addr': _STR,
    'OS-EXT-IPS:type': {'enum': ['fixed', 'floating']},
    'OS-EXT-IPS-MAC:mac_addr': _STR},
    'required': ['version', 'addr', 'OS-EXT-IPS:type',
                 'OS-EXT-IPS-MAC:mac_addr'],
    'additionalProperties': False}


def _obj(props, required=None, optional=()):
    return {'type': 'object', 'properties': props,
            'required': sorted(set(required if required is not None
                                   else props) - set(optional)),
            'additionalProperties': False}


def _flavor(version):
    if version < (2, 47):
        return _obj({'id': _STR, 'links': _LINKS})
    return _obj({'vcpus': {'type': 'integer'}, 'ram': {'type': 'integer'},
                 'disk': {'type': 'integer'},
                 'ephemeral': {'type': 'integer'},
                 'swap': {'type': 'integer'}, 'original_name': _STR,
                 'extra_specs': {'type': 'object',
                                 'additionalProperties': _STR}},
                optional=['extra_specs'])


def _image(version):
    props = {'id': _STR, 'links': _LINKS}
    if version >= (2, 98):
        props['properties'] = {'type': 'object'}
    return {'oneOf': [{'type': 'string', 'enum': ['']}, _obj(props)]}


def server_basic():
    return _obj({'id': _STR, 'name': _STR, 'links': _LINKS})


def server(version, is_admin=False, show=False, answer='get'):
    """GET /servers/{id} (show=True) or one item of /servers/detail; or
    the body PUT /servers/{id} (answer='update') or a rebuild
    (answer='rebuild') returns, which below 2.75 leave out the extension
    attributes."""
    extended = answer == 'get' or version >= (2, 75)
    address = _ADDRESS
    if not extended:
        address = _obj({'version': {'enum': [4, 6]}, 'addr': _STR})
    props = {
        'id': _STR, 'name': _STR, 'links': _LINKS, 'status': _STR,
        'tenant_id': _STR, 'user_id': _STR,
        'metadata': {'type': 'object', 'additionalProperties': _STR},
        'hostId': _STR, 'image': _image(version), 'flavor': _flavor(version),
        'created': _STR, 'updated': _STR,
        'addresses': {'type': 'object',
                      'additionalProperties': {'type': 'array',
                                               'items': address}},
        'accessIPv4': _STR, 'accessIPv6': _STR,
        'OS-DCF:diskConfig': {'enum': ['AUTO', 'MANUAL']},
        'progress': {'type': 'integer'},
        'fault': _obj({'code': {'type': 'integer'}, 'message': _STR,
                       'created': _STR, 'details': _STR},
                      optional=['details']),
    }
    optional = {'progress', 'fault'}
    if extended or (answer == 'rebuild' and version >= (2, 54)):
        props['key_name'] = _STR_OR_NULL
    if extended:
        props.update({
            'OS-EXT-AZ:availability_zone': _STR,
            'config_drive': _STR,
            'OS-SRV-USG:launched_at': _STR_OR_NULL,
            'OS-SRV-USG:terminated_at': _STR_OR_NULL,
            'OS-EXT-STS:vm_state': _STR,
            'OS-EXT-STS:task_state': _STR_OR_NULL,
            'OS-EXT-STS:power_state': {'type': 'integer'},
            'os-extended-volumes:volumes_attached': {'type': 'array'},
            'security_groups': {'type': 'array'}})
    if extended and is_admin:
        props.update({'OS-EXT-SRV-ATTR:host': _STR_OR_NULL,
                      'OS-EXT-SRV-ATTR:hypervisor_hostname': _STR_OR_NULL,
                      'OS-EXT-SRV-ATTR:instance_name': _STR})
    if extended and version >= (2, 3) and is_admin:
        props.update({
            'OS-EXT-SRV-ATTR:reservation_id': _STR_OR_NULL,
            'OS-EXT-SRV-ATTR:launch_index': {'type': 'integer'},
            'OS-EXT-SRV-ATTR:hostname': _STR_OR_NULL,
            'OS-EXT-SRV-ATTR:kernel_id': _STR_OR_NULL,
            'OS-EXT-SRV-ATTR:ramdisk_id': _STR_OR_NULL,
            'OS-EXT-SRV-ATTR:root_device_name': _STR_OR_NULL})
        if answer != 'rebuild':
            # A rebuild shows user_data as a key of its own (2.57).
            props['OS-EXT-SRV-ATTR:user_data'] = _STR_OR_NULL
    if version >= (2, 9):
        props['locked'] = {'type': 'boolean'}
    if extended and version >= (2, 16) and is_admin:
        props['host_status'] = {
            'enum': ['UP', 'DOWN', 'MAINTENANCE', 'UNKNOWN', '']}
    if version >= (2, 19):
        props['description'] = _STR_OR_NULL
    if version >= (2, 26):
        props['tags'] = {'type': 'array', 'items': _STR}
    if answer == 'rebuild' and version >= (2, 57):
        props['user_data'] = _STR_OR_NULL
    if version >= (2, 63):
        props['trusted_image_certificates'] = {'type': ['array', 'null']}
    if version >= (2, 71) and (show or answer != 'get'):
        props['server_groups'] = {'type': 'array', 'items': _STR}
    if version >= (2, 73):
        props['locked_reason'] = _STR_OR_NULL
    if version >= (2, 90):
        props['OS-EXT-SRV-ATTR:hostname'] = _STR_OR_NULL
    if version >= (2, 96):
        props['pinned_availability_zone'] = _STR_OR_NULL
    if version >= (2, 100):
        props['scheduler_hints'] = {'type': 'object'}
    if answer == 'rebuild':
        props['adminPass'] = _STR
    return _obj(props, optional=optional)


def server_list(version, is_admin=False, detail=False):
    item = server(version, is_admin) if detail else server_basic()
    return _obj({'servers': {'type': 'array', 'items': item},
                 'servers_links': _LINKS}, optional=['servers_links'])


def server_create_response():
    return _obj({'id': _STR, 'links': _LINKS,
                 'OS-DCF:diskConfig': {'enum': ['AUTO', 'MANUAL']},
                 'security_groups': {'type': 'array'}, 'adminPass': _STR},
                optional=['adminPass'])


_INT_OR_NULL = {'type': ['integer', 'null']}


def diagnostics():
    """GET /servers/{id}/diagnostics from 2.48: Nova's standard shape."""
    return _obj({
        'state': {'enum': ['pending', 'running', 'paused', 'shutdown',
                           'crashed', 'suspended']},
        'driver': {'enum': ['libvirt']},
        'hypervisor': _STR_OR_NULL, 'hypervisor_os': _STR_OR_NULL,
        'uptime': _INT_OR_NULL, 'config_drive': {'type': 'boolean'},
        'num_cpus': {'type': 'integer'}, 'num_nics': {'type': 'integer'},
        'num_disks': {'type': 'integer'},
        'memory_details': _obj({'maximum': _INT_OR_NULL,
                                'used': _INT_OR_NULL}),
        'cpu_details': {'type': 'array', 'items': _obj({
            'id': _INT_OR_NULL, 'time': _INT_OR_NULL,
            'utilisation': _INT_OR_NULL})},
        'nic_details': {'type': 'array', 'items': _obj(dict(
            {'mac_address': _STR_OR_NULL},
            **{key: _INT_OR_NULL for key in (
                'rx_octets', 'rx_errors', 'rx_drop', 'rx_packets', 'rx_rate',
                'tx_octets', 'tx_errors', 'tx_drop', 'tx_packets',
                'tx_rate')}))},
        'disk_details': {'type': 'array', 'items': _obj({
            key: _INT_OR_NULL for key in (
                'read_bytes', 'read_requests', 'write_bytes',
                'write_requests', 'errors_count')})},
    })
