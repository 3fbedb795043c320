"""tempest.conf, written from what tests/tempest/cloud.py started."""

from tests.tempest import features
from tests.functional import keystone as keystone_mod

# Builds on the simulated hypervisor take seconds; a wait that runs out
# is a failure worth seeing soon, not after Tempest's default 300 s.
BUILD_TIMEOUT = 60


def sections(cloud, log_dir):
    """{section: {option: value}} for `cloud` (a started Cloud)."""
    return {
        'DEFAULT': {
            'log_dir': log_dir,
            'log_file': 'tempest.log',
        },
        'auth': {
            'use_dynamic_credentials': True,
            # No network service: nothing to isolate.
            'create_isolated_networks': False,
            'admin_username': 'admin',
            'admin_password': keystone_mod.ADMIN_PASSWORD,
            'admin_project_name': 'admin',
            'admin_domain_name': 'Default',
        },
        'identity': {
            'uri_v3': cloud.keystone.url,
            'auth_version': 'v3',
            'region': 'RegionOne',
        },
        'compute': {
            'image_ref': cloud.image_ids[0],
            'image_ref_alt': cloud.image_ids[1],
            'flavor_ref': cloud.flavor_ids[0],
            'flavor_ref_alt': cloud.flavor_ids[1],
            'min_microversion': cloud.min_microversion,
            'max_microversion': cloud.max_microversion,
            'min_compute_nodes': cloud.compute_hosts,
            'build_timeout': BUILD_TIMEOUT,
            'build_interval': 1,
            # fixed_network_name stays unset: Tempest would then look the
            # network up through os-networks at the test class'
            # microversion, where Nova (and so this API) answers 404 from
            # 2.36 on, failing the setup of e.g. the 2.94 hostname tests.
        },
        'compute-feature-enabled': dict(
            features.compute_feature_options(),
            scheduler_enabled_filters=cloud.scheduler_filters),
        'image': {
            'build_timeout': BUILD_TIMEOUT,
        },
        'validation': {
            # Simulated guests have no network to SSH to.
            'run_validation': False,
        },
        'service_available': features.service_options(),
    }


def _value(value):
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (list, tuple)):
        return ','.join(str(v) for v in value)
    return str(value)


def render(conf):
    """The INI text of `sections()`' result."""
    out = []
    for section, options in conf.items():
        out.append('[%s]' % section)
        out.extend('%s = %s' % (name, _value(value))
                   for name, value in options.items())
        out.append('')
    return '\n'.join(out)
