"""How many servers a create makes: decided from the quota's headroom and
[api] max_servers_per_request before any per-instance record is built."""

import falcon.testing
import pytest

from common import exception
from common.conf import CONF
from nova_api import app as api_app
from nova_api import create_checks
from tests.unit.nova_api import test_app

FLAVOR = dict(test_app.FLAVOR, vcpus=2, memory_mb=1024)
IMAGE = {'id': 'a3b1c2d4-0000-4000-8000-000000000001', 'status': 'active',
         'min_disk': 0, 'min_ram': 0, 'properties': {}, 'name': 'img',
         'disk_format': 'qcow2', 'container_format': 'bare', 'size': 1,
         'checksum': None, 'owner': None, 'visibility': 'public'}


def _quota(instances=10, cores=20, ram=51200, used=(0, 0, 0)):
    limits = {'instances': instances, 'cores': cores, 'ram': ram,
              'metadata_items': 128, 'injected_files': 5,
              'injected_file_content_bytes': 10240,
              'injected_file_path_length': 255}
    usage = dict(zip(('instances', 'cores', 'ram'), used))
    return {'limits': limits, 'usage': usage}


@pytest.mark.parametrize('quota, min_count, max_count, expected', [
    (_quota(), 1, 5, 5),
    (_quota(), 3, 50, 10),                       # instances: 10 of room
    (_quota(cores=7), 1, 50, 3),                 # cores: 2 each
    (_quota(ram=2048, used=(0, 0, 0)), 2, 9, 2),  # ram: 1024 each
    (_quota(instances=-1, cores=-1, ram=-1), 1, 5000, 5000),
    (_quota(used=(8, 16, 8192)), 2, 2, 2),
])
def test_the_count_is_the_quotas_headroom_up_to_max_count(
        quota, min_count, max_count, expected):
    assert create_checks.count_within_quota(
        quota, FLAVOR, min_count, max_count) == expected


def test_headroom_below_min_count_is_novas_quota_error():
    with pytest.raises(exception.TooManyInstances) as caught:
        create_checks.count_within_quota(_quota(used=(8, 16, 8192)), FLAVOR,
                                         3, 5)
    assert caught.value.code == 403
    assert caught.value.message == (
        'Quota exceeded for instances, cores: Requested 3-5, 10, but '
        'already used 8, 16 of 10, 20 instances, cores')


def test_usage_past_the_limit_is_no_headroom_not_negative():
    with pytest.raises(exception.TooManyInstances):
        create_checks.count_within_quota(_quota(used=(12, 0, 0)), FLAVOR,
                                         1, 1)


class CreateConductor(test_app.FakeConductor):
    """Records what a create would store."""

    def __init__(self, quota):
        super().__init__()
        self.quota = quota
        self.created = None

    def flavor_get(self, ctxt, flavorid, project_id=None):
        return FLAVOR

    def image_get(self, ctxt, image_id):
        return IMAGE

    def quota_get(self, ctxt, project_id):
        self.calls.append('quota_get')
        return self.quota

    def create_instances(self, ctxt, instances, request_spec):
        self.created = instances
        return [dict(i, id=n) for n, i in enumerate(instances)]


def _create(quota, **counts):
    conductor = CreateConductor(quota)
    client = falcon.testing.TestClient(api_app.create_app(conductor))
    resp = client.simulate_post('/v2.1/servers', json={'server': dict(
        {'name': 'web', 'flavorRef': '1', 'imageRef': IMAGE['id'],
         'networks': 'none'}, **counts)}, headers={'X-Auth-Token': 'u:p'})
    return resp, conductor


def test_a_create_builds_only_the_records_the_quota_has_room_for():
    resp, conductor = _create(_quota(instances=4),
                              max_count=2 ** 31 - 1)
    assert resp.status_code == 202, resp.text
    assert [i['display_name'] for i in conductor.created] == [
        'web-1', 'web-2', 'web-3', 'web-4']


def test_a_min_count_past_the_headroom_is_403_and_builds_nothing():
    resp, conductor = _create(_quota(instances=4), min_count=5,
                              max_count=9)
    assert resp.status_code == 403
    assert resp.json['forbidden']['message'].startswith(
        'Quota exceeded for instances: Requested 5-9')
    assert conductor.created is None


@pytest.mark.parametrize('counts, field', [
    ({'min_count': 2 ** 31}, 'min_count'),
    ({'max_count': '2147483648'}, 'max_count'),
    ({'max_count': '9' * 5000}, 'max_count'),
])
def test_counts_past_the_integer_range_are_400_before_any_lookup(
        counts, field):
    resp, conductor = _create(_quota(), **counts)
    assert resp.status_code == 400
    assert resp.json['badRequest']['message'].startswith(
        'Invalid input for field/attribute %s.' % field)
    assert conductor.created is None and 'quota_get' not in conductor.calls


def test_max_servers_per_request_caps_max_count_and_refuses_min_count():
    CONF.set_override('max_servers_per_request', 3, group='api')
    unlimited = _quota(instances=-1, cores=-1, ram=-1)
    resp, conductor = _create(unlimited, max_count=1000)
    assert resp.status_code == 202
    assert len(conductor.created) == 3
    resp, conductor = _create(unlimited, min_count=4)
    assert resp.status_code == 400
    assert 'field/attribute min_count' in resp.json['badRequest']['message']
    assert conductor.created is None


def test_a_single_server_create_does_not_ask_for_the_quota():
    # The conductor's atomic check covers it: no extra call per boot.
    resp, conductor = _create(_quota())
    assert resp.status_code == 202
    assert 'quota_get' not in conductor.calls
    assert len(conductor.created) == 1


def test_long_names_keep_their_suffix_within_255_characters():
    conductor = CreateConductor(_quota())
    client = falcon.testing.TestClient(api_app.create_app(conductor))
    resp = client.simulate_post('/v2.1/servers', json={'server': {
        'name': 'n' * 255, 'flavorRef': '1', 'imageRef': IMAGE['id'],
        'networks': 'none', 'max_count': 10}})
    assert resp.status_code == 202, resp.text
    names = [i['display_name'] for i in conductor.created]
    assert max(len(n) for n in names) == 255
    assert names[-1].endswith('n-10')
