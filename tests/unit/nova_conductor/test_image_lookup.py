"""Builds, rebuilds and aggregate caching find images in the external Glance
when there is one, and never need them in the local images table."""

import pytest

from common import context
from common import exception
from common import glance_client
from nova_conductor import build
from nova_conductor import image_lookup
from nova_conductor import manager
from nova_conductor.db import aggregates as aggregates_db
from nova_conductor.db import catalog
from nova_conductor.db import instances as instances_db
from tests.unit.common import fake_glance
from tests.unit.common.fake_glance import IMAGE_ID
from tests.unit.nova_conductor import dbhelpers
from tests.unit.nova_conductor.test_build import FakeCompute
from tests.unit.nova_conductor.test_build import FakeScheduler
from tests.unit.nova_conductor.test_build import _choice

RECORD = glance_client.from_glance(fake_glance.glance_image())
# What request specs held of a local image before whole records.
SUMMARY = {key: RECORD[key]
           for key in ('id', 'properties', 'min_disk', 'min_ram')}


@pytest.fixture
def glance():
    with fake_glance.configured() as fake:
        yield fake


def _local_image(**values):
    return catalog.image_create(dict({
        'id': IMAGE_ID, 'name': 'local', 'status': 'active',
        'disk_format': 'raw', 'container_format': 'bare', 'size': 1,
        'min_disk': 0, 'min_ram': 0, 'visibility': 'public',
        'properties': {}}, **values))


def test_without_glance_the_registry_completes_the_spec(db):
    image_lookup.reset()
    _local_image()
    image = image_lookup.from_spec({'image': {'id': IMAGE_ID}})
    assert image['name'] == 'local' and image['disk_format'] == 'raw'


def test_without_glance_an_image_gone_from_the_registry_is_the_spec(db):
    image_lookup.reset()
    assert image_lookup.from_spec({'image': SUMMARY}) == SUMMARY
    with pytest.raises(exception.ImageNotFound):
        image_lookup.get('11111111-2222-3333-4444-555555555555')


def test_whole_record_in_the_spec_needs_no_request(db, glance):
    assert image_lookup.from_spec({'image': RECORD}) == RECORD
    assert glance.seen == []


def test_without_glance_a_whole_record_in_the_spec_needs_no_read(db):
    # Not even in the registry: the spec's record is what a build uses.
    image_lookup.reset()
    record = dict(RECORD, name='from the spec')
    assert image_lookup.from_spec({'image': record}) == record


def test_summary_in_the_spec_is_read_from_glance_not_the_table(db, glance):
    _local_image(name='stale local copy')
    image = image_lookup.from_spec({'image': SUMMARY})
    assert image == RECORD
    # The [glance] credentials: none configured, so no token at all.
    assert glance.seen == [('/v2/images/%s' % IMAGE_ID, None)]


def test_no_image_in_the_spec_is_none(db, glance):
    assert image_lookup.from_spec({'image': {}}) is None
    assert image_lookup.from_spec({}) is None


def test_build_with_an_unreachable_glance_errors_with_the_reason(db, glance):
    glance.stop()
    inst = dbhelpers.make_instance()
    compute = FakeCompute()
    node = dbhelpers.make_node('h1')
    build.BuildOrchestrator(FakeScheduler([[_choice(node)]]), compute
                            ).build_instances(None, [inst['uuid']],
                                              {'flavor': dbhelpers.FLAVOR,
                                               'image': SUMMARY})
    assert compute.casts == []
    got = instances_db.get(inst['uuid'])
    assert got['vm_state'] == 'error'
    assert got['fault']['message'].startswith(
        'The image service at %s/v2/images/%s is unavailable'
        % (glance.endpoint, IMAGE_ID))


def test_build_casts_the_glance_record(db, glance):
    node = dbhelpers.make_node('h1')
    inst = dbhelpers.make_instance()
    images = []

    class Compute(FakeCompute):
        def build_and_run_instance(self, ctxt, host, instance, image,
                                   request_spec, **kwargs):
            images.append(image)

    build.BuildOrchestrator(FakeScheduler([[_choice(node)]]), Compute()
                            ).build_instances(None, [inst['uuid']],
                                              {'flavor': dbhelpers.FLAVOR,
                                               'image': RECORD})
    assert images == [RECORD]


class _Compute:
    def __init__(self):
        self.rebuilt = []

    def rebuild_instance(self, ctxt, host, instance, image, evacuate=False):
        self.rebuilt.append((instance['uuid'], image))


def test_rebuild_to_a_glance_image_updates_image_and_spec(db, glance):
    dbhelpers.make_node('h1')
    inst = dbhelpers.make_instance(
        host='h1', node='h1', vm_state='active', task_state=None,
        request_spec={'flavor': dbhelpers.FLAVOR, 'image': {'id': 'old'}})
    compute = _Compute()
    conductor = manager.ConductorManager(FakeScheduler([]), compute)
    try:
        conductor.rebuild_instance(context.get_admin_context(),
                                   inst['uuid'], IMAGE_ID)
    finally:
        conductor.cleanup_host()
    assert compute.rebuilt == [(inst['uuid'], RECORD)]
    got = instances_db.get(inst['uuid'])
    assert got['image_ref'] == IMAGE_ID
    assert got['request_spec']['image'] == RECORD
    assert got['request_spec']['flavor'] == dbhelpers.FLAVOR


def test_aggregate_can_cache_an_image_only_glance_has(db, glance):
    agg = aggregates_db.create('a')
    conductor = manager.ConductorManager(FakeScheduler([]), _Compute())
    try:
        conductor.aggregate_cache_images(None, agg['id'], [IMAGE_ID])
        with pytest.raises(exception.ImageNotFound):
            conductor.aggregate_cache_images(None, agg['id'], ['nope'])
    finally:
        conductor.cleanup_host()
