"""Response schemas for flavors, key pairs, aggregates, hypervisors,
services, server groups, quotas, limits, instance actions and
availability zones, as functions of the microversion (a tuple)."""

import jsonschema

STR = {'type': 'string'}
STR_OR_NULL = {'type': ['string', 'null']}
INT = {'type': 'integer'}
BOOL = {'type': 'boolean'}
UUID = {'type': 'string', 'format': 'uuid',
        'pattern': '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-'
                   '[0-9a-f]{12}$'}
# Nova's timestamps: ISO-8601 without a zone, with optional microseconds.
TIME = {'type': 'string',
        'pattern': r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?$'}
TIME_OR_NULL = {'anyOf': [TIME, {'type': 'null'}]}


def obj(required, optional=None):
    """An object with exactly `required` keys, plus any of `optional`."""
    properties = dict(required)
    properties.update(optional or {})
    return {'type': 'object', 'properties': properties,
            'required': sorted(required), 'additionalProperties': False}


def array(items):
    return {'type': 'array', 'items': items}


def body(key, value, optional=None):
    return obj({key: value}, optional)


LINK = obj({'rel': STR, 'href': STR})
LINKS = array(LINK)


def validate(schema, instance):
    jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.FormatChecker()).validate(instance)


# -- flavors ---------------------------------------------------------------

def flavor(version, detail=True):
    keys = {'id': STR, 'name': STR, 'links': LINKS}
    if version >= (2, 55):
        keys['description'] = STR_OR_NULL
    if detail:
        keys.update({
            'ram': INT, 'disk': INT, 'vcpus': INT,
            'swap': INT if version >= (2, 75) else {
                'anyOf': [{'type': 'integer', 'minimum': 1},
                          {'type': 'string', 'enum': ['']}]},
            'rxtx_factor': {'type': 'number'},
            'OS-FLV-EXT-DATA:ephemeral': INT,
            'OS-FLV-DISABLED:disabled': BOOL,
            'os-flavor-access:is_public': BOOL,
        })
        if version >= (2, 61):
            keys['extra_specs'] = {'type': 'object',
                                   'additionalProperties': STR}
    return obj(keys)


def flavor_show(version):
    return body('flavor', flavor(version))


def flavor_list(version, detail):
    return body('flavors', array(flavor(version, detail)))


FLAVOR_ACCESS = body('flavor_access', array(obj({'flavor_id': STR,
                                                  'tenant_id': STR})))


# -- key pairs -------------------------------------------------------------

def _with_type(version, keys):
    if version >= (2, 2):
        keys['type'] = {'type': 'string', 'enum': ['ssh', 'x509']}
    return keys


def keypair_list(version):
    item = body('keypair', obj(_with_type(version, {
        'name': STR, 'public_key': STR, 'fingerprint': STR})))
    optional = {'keypairs_links': LINKS} if version >= (2, 35) else None
    return body('keypairs', array(item), optional)


def keypair_create(version, generated):
    keys = _with_type(version, {'name': STR, 'public_key': STR,
                                'fingerprint': STR, 'user_id': STR})
    if generated:
        keys['private_key'] = STR
    return body('keypair', obj(keys))


def keypair_show(version):
    return body('keypair', obj(_with_type(version, {
        'id': INT, 'name': STR, 'public_key': STR, 'fingerprint': STR,
        'user_id': STR, 'created_at': TIME, 'updated_at': TIME_OR_NULL,
        'deleted': BOOL, 'deleted_at': TIME_OR_NULL})))


# -- aggregates ------------------------------------------------------------

def aggregate(version, with_members=True):
    keys = {'id': INT, 'name': STR, 'availability_zone': STR_OR_NULL,
            'created_at': TIME, 'updated_at': TIME_OR_NULL,
            'deleted': BOOL, 'deleted_at': TIME_OR_NULL}
    if with_members:
        keys.update({'hosts': array(STR),
                     'metadata': {'type': 'object',
                                  'additionalProperties': STR}})
    if version >= (2, 41):
        keys['uuid'] = UUID
    return obj(keys)


def aggregate_show(version, with_members=True):
    return body('aggregate', aggregate(version, with_members))


def aggregate_list(version):
    return body('aggregates', array(aggregate(version)))


# -- hypervisors -----------------------------------------------------------

SERVERS_ON_HOST = array(obj({'name': STR, 'uuid': UUID}))


def _hypervisor_id(version):
    return UUID if version >= (2, 53) else INT


def hypervisor(version, detail=False, with_servers=False, uptime=False):
    keys = {'id': _hypervisor_id(version), 'hypervisor_hostname': STR,
            'state': {'enum': ['up', 'down']},
            'status': {'enum': ['enabled', 'disabled']}}
    if detail:
        keys.update({
            'hypervisor_type': STR, 'hypervisor_version': INT,
            'host_ip': STR_OR_NULL,
            'cpu_info': ({'type': 'object'} if version >= (2, 28)
                         else STR),
            'service': obj({'host': STR, 'id': _hypervisor_id(version),
                            'disabled_reason': STR_OR_NULL}),
        })
        if version < (2, 88):
            keys.update({k: INT for k in (
                'vcpus', 'vcpus_used', 'memory_mb', 'memory_mb_used',
                'free_ram_mb', 'local_gb', 'local_gb_used', 'free_disk_gb',
                'running_vms', 'current_workload')})
            keys['disk_available_least'] = {'type': ['integer', 'null']}
    if uptime:
        keys['uptime'] = STR_OR_NULL
    if with_servers:
        keys['servers'] = SERVERS_ON_HOST
    return obj(keys)


def hypervisor_list(version, detail=False, with_servers=False):
    optional = ({'hypervisors_links': LINKS} if version >= (2, 33)
                else None)
    return body('hypervisors', array(hypervisor(version, detail,
                                                with_servers)), optional)


def hypervisor_show(version, with_servers=False):
    return body('hypervisor', hypervisor(version, True, with_servers,
                                         uptime=version >= (2, 88)))


def hypervisor_uptime(version):
    return body('hypervisor', hypervisor(version, uptime=True))


HYPERVISOR_STATISTICS = body('hypervisor_statistics', obj(
    {k: INT for k in ('count', 'vcpus', 'vcpus_used', 'memory_mb',
                      'memory_mb_used', 'free_ram_mb', 'local_gb',
                      'local_gb_used', 'free_disk_gb', 'running_vms',
                      'current_workload', 'disk_available_least')}))

# Before 2.53: /{pattern}/servers omits `servers` on an empty host.
HYPERVISOR_SERVERS_OLD = body('hypervisors', array(obj(
    {'id': INT, 'hypervisor_hostname': STR, 'state': STR, 'status': STR},
    {'servers': SERVERS_ON_HOST})))


# -- services --------------------------------------------------------------

def service(version):
    keys = {'id': UUID if version >= (2, 53) else INT, 'binary': STR,
            'host': STR, 'zone': STR,
            'status': {'enum': ['enabled', 'disabled']},
            'state': {'enum': ['up', 'down']}, 'updated_at': TIME_OR_NULL,
            'disabled_reason': STR_OR_NULL}
    if version >= (2, 11):
        keys['forced_down'] = BOOL
    return obj(keys)


def service_list(version):
    return body('services', array(service(version)))


def service_action(action):
    """PUT /os-services/{action}, before 2.53."""
    keys = {'host': STR, 'binary': STR}
    if action == 'force-down':
        keys['forced_down'] = BOOL
    else:
        keys['status'] = {'enum': ['enabled', 'disabled']}
    if action == 'disable-log-reason':
        keys['disabled_reason'] = STR
    return body('service', obj(keys))


def service_update(version):
    return body('service', service(version))


# -- server groups ---------------------------------------------------------

def server_group(version):
    policies = ['affinity', 'anti-affinity']
    if version >= (2, 15):
        policies += ['soft-affinity', 'soft-anti-affinity']
    keys = {'id': UUID, 'name': STR, 'members': array(UUID)}
    if version >= (2, 64):
        keys['policy'] = {'enum': policies}
        keys['rules'] = obj({}, {'max_server_per_host': {
            'type': 'integer', 'minimum': 1}})
    else:
        keys['policies'] = {'type': 'array', 'minItems': 1, 'maxItems': 1,
                            'items': {'enum': policies}}
        keys['metadata'] = obj({})
    if version >= (2, 13):
        keys.update({'project_id': STR, 'user_id': STR})
    return obj(keys)


def server_group_show(version):
    return body('server_group', server_group(version))


def server_group_list(version):
    return body('server_groups', array(server_group(version)))


# -- quotas and limits -----------------------------------------------------

def quota_keys(version):
    keys = ['instances', 'cores', 'ram', 'metadata_items', 'key_pairs',
            'server_groups', 'server_group_members']
    if version < (2, 57):
        keys += ['injected_files', 'injected_file_content_bytes',
                 'injected_file_path_bytes']
    if version < (2, 36):
        keys += ['fixed_ips', 'floating_ips', 'security_groups',
                 'security_group_rules']
    return keys


def quota_set(version, with_id=True):
    keys = {k: INT for k in quota_keys(version)}
    if with_id:
        keys['id'] = STR
    return body('quota_set', obj(keys))


def quota_set_detail(version):
    item = obj({'limit': INT, 'in_use': INT, 'reserved': INT})
    keys = {k: item for k in quota_keys(version)}
    keys['id'] = STR
    return body('quota_set', obj(keys))


def limits(version):
    keys = ['maxTotalInstances', 'maxTotalCores', 'maxTotalRAMSize',
            'maxServerMeta', 'maxTotalKeypairs', 'maxServerGroups',
            'maxServerGroupMembers', 'totalInstancesUsed', 'totalCoresUsed',
            'totalRAMUsed', 'totalServerGroupsUsed']
    if version < (2, 36):
        keys += ['maxSecurityGroups', 'maxSecurityGroupRules',
                 'maxTotalFloatingIps', 'totalSecurityGroupsUsed',
                 'totalFloatingIpsUsed']
    if version < (2, 39):
        keys.append('maxImageMeta')
    if version < (2, 57):
        keys += ['maxPersonality', 'maxPersonalitySize']
    return body('limits', obj({'rate': {'type': 'array', 'maxItems': 0},
                               'absolute': obj({k: INT for k in keys})}))


# -- instance actions ------------------------------------------------------

def instance_action(version, events=None, is_admin=False):
    keys = {'action': STR, 'instance_uuid': UUID, 'message': STR_OR_NULL,
            'project_id': STR, 'request_id': STR, 'start_time': TIME,
            'user_id': STR}
    if version >= (2, 58):
        keys['updated_at'] = TIME
    if events:
        event = {'event': STR, 'start_time': TIME,
                 'finish_time': TIME_OR_NULL, 'result': STR_OR_NULL}
        if is_admin:
            event['traceback'] = STR_OR_NULL
        if version >= (2, 62):
            event['hostId'] = STR
            if is_admin:
                event['host'] = STR
        if version >= (2, 84):
            event['details'] = STR_OR_NULL
        keys['events'] = array(obj(event))
    return obj(keys)


def instance_action_list(version):
    optional = {'links': LINKS} if version >= (2, 58) else None
    return body('instanceActions', array(instance_action(version)),
                optional)


def instance_action_show(version, is_admin):
    events = version >= (2, 51) or is_admin
    return body('instanceAction', instance_action(version, events,
                                                  is_admin))


# -- availability zones ----------------------------------------------------

_ZONE_STATE = obj({'available': BOOL})
AVAILABILITY_ZONES = body('availabilityZoneInfo', array(obj(
    {'zoneName': STR, 'zoneState': _ZONE_STATE, 'hosts': {'type': 'null'}})))
AVAILABILITY_ZONES_DETAIL = body('availabilityZoneInfo', array(obj({
    'zoneName': STR, 'zoneState': _ZONE_STATE,
    'hosts': {'type': ['object', 'null'], 'additionalProperties': {
        'type': 'object', 'additionalProperties': obj({
            'available': BOOL, 'active': BOOL,
            'updated_at': TIME_OR_NULL})}}})))
