"""What Tempest is told this cloud implements: every [compute-feature-enabled]
switch and each service, with the reason for its value.

Tempest's defaults turn most optional features on, so each switch is set
here, on only where nova-api really serves the feature (see
nova_api/app.py for the routes and nova_api/resources/server_actions.py
for the server actions). Turning one on is part of implementing it.
"""

# option: (value, reason)
COMPUTE_FEATURES = {
    'pause': (True, 'pause/unpause server actions'),
    'suspend': (True, 'suspend/resume server actions'),
    'console_output': (True, 'os-getConsoleOutput server action'),
    'enable_instance_password': (
        True, 'create and rebuild answer with adminPass, as Nova does '
              'with [api] enable_instance_password'),
    'resize': (True, 'resize, confirmResize and revertResize server '
                     'actions (docs/resize.md)'),
    'cold_migration': (True, 'migrate server action (admin), to the other '
                             'simulated host'),
    'live_migration': (False, 'os-migrateLive is served '
                              '(docs/live-migration.md), but not on the '
                              'test driver Tempest runs against'),
    'live_migrate_back_and_forth': (False, 'no live migration'),
    'block_migration_for_live_migration': (False, 'no live migration'),
    'can_migrate_between_any_hosts': (
        False, 'read only by the live migration tests, which are off'),
    'volume_backed_live_migration': (False, 'no live migration, no volumes'),
    'vtpm_live_migration': (False, 'no live migration, no vTPM'),
    'shelve': (True, 'shelve, shelveOffload and unshelve server actions'),
    'shelve_migrate': (False, 'unshelve to another host is served; '
                              'Tempest tests it in a scenario test (a '
                              'guest over SSH), which is not run here'),
    'snapshot': (True, 'createImage and createBackup server actions'),
    'rescue': (True, 'rescue/unrescue server actions (disk.rescue first, '
                     'the root disk second)'),
    'stable_rescue': (False, 'no stable device rescue (2.87 '
                             'hw_rescue_device); volume-backed rescue is '
                             'refused'),
    'change_password': (False, 'no changePassword action'),
    'metadata_service': (True, 'nova-api-metadata (or nova-api with '
                               'metadata in [DEFAULT] enabled_apis) serves '
                               'the OpenStack and EC2 trees to guests'),
    'config_drive': (True, 'nova-compute writes an ISO 9660 (or vfat) '
                           'config drive labelled config-2 for a server '
                           'created with config_drive true, and the server '
                           'shows config_drive "True"'),
    'personality': (False, 'injected files are refused (400): file '
                           'injection is not implemented; user_data '
                           'carries files to cloud-init'),
    'disk_config': (True, 'OS-DCF:diskConfig kept per server: set at '
                          'create, rebuild and update, shown on every body'),
    'interface_attach': (False, 'no os-interface API'),
    # Served (docs/consoles.md), but the Tempest cloud's test-driver
    # guests have only stand-ins: the VNC one greets and answers no RFB
    # handshake, which Tempest's noVNC tests go through.
    'vnc_console': (False, 'test-driver guests have no real VNC server'),
    'spice_console': (False, 'no SPICE consoles (501)'),
    'serial_console': (False, 'test-driver guests have no real serial '
                              'port'),
    'attach_encrypted_volume': (False, 'no volume attachment'),
    'swap_volume': (False, 'no volume attachment'),
    'volume_multiattach': (False, 'no volume attachment'),
    'ide_bus': (False, 'only used with stable device rescue, which does '
                       'not exist'),
    'hostname_fqdn_sanitization': (
        False, 'checked inside a guest over SSH; run_validation is off'),
    'unified_limits': (False, 'quotas are os-quota-sets, not Keystone '
                              'unified limits'),
}

# [service_available] option: (value, reason)
SERVICES = {
    'nova': (True, 'the cloud under test'),
    'glance': (True, 'nova-api serves Glance v2 under /image (create, '
                     'upload, show, list, update, delete), registered as '
                     'the image service'),
    'neutron': (False, 'no network service: servers get addresses from '
                       'nova-api\'s own fixed range'),
    'cinder': (False, 'no block storage service'),
    'swift': (False, 'no object storage service'),
    'horizon': (False, 'the dashboard is not Horizon'),
}

# Scheduler filters the cloud runs with and Tempest is told about: Nova's
# defaults as this project sets them, plus the same/different host hints.
EXTRA_SCHEDULER_FILTERS = ['SameHostFilter', 'DifferentHostFilter']


def compute_feature_options():
    return {name: value for name, (value, _why) in COMPUTE_FEATURES.items()}


def service_options():
    return {name: value for name, (value, _why) in SERVICES.items()}
