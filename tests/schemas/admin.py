"""Response schemas of the admin APIs (os-hosts, os-simple-tenant-usage,
os-instance_usage_audit_log, os-migrations, os-server-external-events,
os-networks, os-tenant-networks, os-quota-class-sets), as functions of
the microversion (a tuple), as the Compute API reference documents
them."""

from tests.schemas.compute import (BOOL, INT, LINKS, STR, STR_OR_NULL, TIME,
                                   TIME_OR_NULL, UUID, array, body, obj)

NUMBER = {'type': 'number'}
INT_OR_NULL = {'type': ['integer', 'null']}
ANY_OR_NULL = {}


# -- os-hosts ----------------------------------------------------------------

def host_list():
    return body('hosts', array(obj({'host_name': STR, 'service': STR,
                                    'zone': STR})))


def host_show():
    resource = obj({'host': STR, 'project': STR, 'cpu': INT,
                    'memory_mb': INT, 'disk_gb': INT})
    return body('host', {'type': 'array', 'minItems': 3,
                         'items': obj({'resource': resource})})


# -- os-simple-tenant-usage ---------------------------------------------------

SERVER_USAGE = obj({
    'instance_id': UUID, 'name': STR, 'tenant_id': STR, 'flavor': STR,
    'hours': NUMBER, 'memory_mb': INT, 'vcpus': INT, 'local_gb': INT,
    'started_at': TIME, 'ended_at': TIME_OR_NULL, 'state': STR,
    'uptime': INT})


def tenant_usage(detailed=True):
    keys = {'tenant_id': STR, 'start': TIME, 'stop': TIME,
            'total_hours': NUMBER, 'total_local_gb_usage': NUMBER,
            'total_vcpus_usage': NUMBER, 'total_memory_mb_usage': NUMBER}
    if detailed:
        keys['server_usages'] = array(SERVER_USAGE)
    return obj(keys)


def tenant_usage_list(version, detailed, links=False):
    optional = {'tenant_usages_links': LINKS} if version >= (2, 40) else {}
    schema = body('tenant_usages', array(tenant_usage(detailed)), optional)
    if links:
        schema['required'] = sorted(schema['required'] +
                                    ['tenant_usages_links'])
    return schema


def tenant_usage_show(version, empty=False, links=False):
    usage = obj({}) if empty else tenant_usage()
    optional = {'tenant_usage_links': LINKS} if version >= (2, 40) else {}
    schema = body('tenant_usage', usage, optional)
    if links:
        schema['required'] = sorted(schema['required'] +
                                    ['tenant_usage_links'])
    return schema


# -- os-instance_usage_audit_log ----------------------------------------------

AUDIT_TIME = {'type': 'string',
              'pattern': r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$'}
AUDIT_LOG = obj({
    'period_beginning': AUDIT_TIME, 'period_ending': AUDIT_TIME,
    'num_hosts': INT, 'num_hosts_done': INT, 'num_hosts_running': INT,
    'num_hosts_not_run': INT, 'hosts_not_run': array(STR),
    'total_instances': INT, 'total_errors': INT, 'overall_status': STR,
    'log': {'type': 'object', 'additionalProperties': obj({
        'state': STR, 'instances': INT, 'errors': INT, 'message': STR})}})


def audit_log_list():
    return body('instance_usage_audit_logs', AUDIT_LOG)


def audit_log_show():
    return body('instance_usage_audit_log', AUDIT_LOG)


# -- os-migrations -----------------------------------------------------------

def migration(version):
    keys = {'id': INT, 'status': STR_OR_NULL, 'instance_uuid': STR_OR_NULL,
            'source_node': STR_OR_NULL, 'source_compute': STR_OR_NULL,
            'dest_node': STR_OR_NULL, 'dest_compute': STR_OR_NULL,
            'dest_host': STR_OR_NULL, 'old_instance_type_id': INT_OR_NULL,
            'new_instance_type_id': INT_OR_NULL, 'created_at': TIME,
            'updated_at': TIME_OR_NULL}
    optional = {}
    if version >= (2, 23):
        keys['migration_type'] = STR_OR_NULL
        optional['links'] = LINKS
    if version >= (2, 59):
        keys['uuid'] = UUID
    if version >= (2, 80):
        keys['user_id'] = STR_OR_NULL
        keys['project_id'] = STR_OR_NULL
    return obj(keys, optional)


def migration_list(version):
    optional = {'migrations_links': LINKS} if version >= (2, 59) else {}
    return body('migrations', array(migration(version)), optional)


# -- os-server-external-events -----------------------------------------------

def external_events(version):
    names = ['network-changed', 'network-vif-plugged',
             'network-vif-unplugged', 'network-vif-deleted']
    for since, name in (((2, 51), 'volume-extended'),
                        ((2, 76), 'power-update'),
                        ((2, 82), 'accelerator-request-bound'),
                        ((2, 93), 'volume-reimaged')):
        if version >= since:
            names.append(name)
    event = obj({'server_uuid': UUID,
                 'name': {'type': 'string', 'enum': names},
                 'status': {'type': 'string',
                            'enum': ['failed', 'completed', 'in-progress']},
                 'code': INT},
                {'tag': {'type': 'string', 'maxLength': 255}})
    return body('events', {'type': 'array', 'minItems': 1, 'items': event})


# -- os-networks, os-tenant-networks -----------------------------------------

NETWORK_FIELDS = ('id', 'cidr', 'netmask', 'gateway', 'broadcast', 'dns1',
                  'dns2', 'cidr_v6', 'gateway_v6', 'label', 'netmask_v6')
NETWORK_ADMIN_FIELDS = (
    'created_at', 'updated_at', 'deleted_at', 'deleted', 'injected',
    'bridge', 'vlan', 'vpn_public_address', 'vpn_public_port',
    'vpn_private_address', 'dhcp_start', 'project_id', 'host',
    'bridge_interface', 'multi_host', 'priority', 'rxtx_base', 'mtu',
    'dhcp_server', 'enable_dhcp', 'share_address')


def network(admin):
    keys = {k: ANY_OR_NULL for k in NETWORK_FIELDS}
    keys.update({'id': UUID, 'label': STR, 'cidr': STR_OR_NULL})
    if admin:
        keys.update({k: ANY_OR_NULL for k in NETWORK_ADMIN_FIELDS})
        keys['deleted'] = BOOL
    return obj(keys)


def network_list(admin):
    return body('networks', array(network(admin)))


def network_show(admin):
    return body('network', network(admin))


TENANT_NETWORK = obj({'id': UUID, 'cidr': STR_OR_NULL, 'label': STR})


def tenant_network_list():
    return body('networks', array(TENANT_NETWORK))


def tenant_network_show():
    return body('network', TENANT_NETWORK)


# -- os-quota-class-sets -----------------------------------------------------

def quota_class_keys(version):
    keys = ['instances', 'cores', 'ram', 'metadata_items', 'key_pairs']
    if version < (2, 57):
        keys += ['injected_files', 'injected_file_content_bytes',
                 'injected_file_path_bytes']
    if version < (2, 50):
        keys += ['fixed_ips', 'floating_ips', 'security_groups',
                 'security_group_rules']
    else:
        keys += ['server_groups', 'server_group_members']
    return keys


def quota_class_set(version, with_id=True):
    keys = {k: INT for k in quota_class_keys(version)}
    if with_id:
        keys['id'] = STR
    return body('quota_class_set', obj(keys))
