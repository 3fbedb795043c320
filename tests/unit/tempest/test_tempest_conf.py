"""tempest.conf as tests/tempest/tempest_conf.py writes it."""

import configparser
import types

from tests.tempest import features
from tests.tempest import tempest_conf


def _cloud():
    keystone = types.SimpleNamespace(url='http://127.0.0.1:5000/v3')
    return types.SimpleNamespace(
        keystone=keystone, image_ids=['img-1', 'img-2'],
        flavor_ids=['f-1', 'f-2'], min_microversion='2.1',
        max_microversion='2.100', compute_hosts=2,
        scheduler_filters=['RamFilter', 'SameHostFilter'])


def _parsed():
    parser = configparser.RawConfigParser()
    parser.read_string(tempest_conf.render(
        tempest_conf.sections(_cloud(), '/tmp/logs')))
    return parser


def test_the_conf_names_what_the_cloud_started():
    conf = _parsed()
    assert conf.get('identity', 'uri_v3') == 'http://127.0.0.1:5000/v3'
    assert [conf.get('compute', k) for k in (
        'image_ref', 'image_ref_alt', 'flavor_ref', 'flavor_ref_alt',
        'min_microversion', 'max_microversion')] == [
        'img-1', 'img-2', 'f-1', 'f-2', '2.1', '2.100']
    assert conf.get('auth', 'use_dynamic_credentials') == 'true'
    assert conf.get('validation', 'run_validation') == 'false'
    assert conf.get('compute-feature-enabled',
                    'scheduler_enabled_filters') == 'RamFilter,SameHostFilter'


def test_every_feature_flag_is_written_with_its_decision():
    conf = _parsed()
    for name, (value, reason) in features.COMPUTE_FEATURES.items():
        assert reason, name
        assert conf.get('compute-feature-enabled', name) == str(value).lower()
    for name, (value, reason) in features.SERVICES.items():
        assert reason, name
        assert conf.get('service_available', name) == str(value).lower()
    assert conf.get('service_available', 'neutron') == 'false'
    assert conf.get('compute-feature-enabled', 'resize') == 'true'
    assert conf.get('compute-feature-enabled', 'live_migration') == 'false'
    assert conf.get('compute-feature-enabled', 'pause') == 'true'
