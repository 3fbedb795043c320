"""Every fixed IP the conductor hands out is announced to the metadata
services, which may still hold what they read of its last holder."""

import logging

import pytest

from common import context
from common import states
from common.conf import CONF
from nova_conductor import manager
from tests.unit.nova_conductor import dbhelpers


class Told:
    def __init__(self, error=None):
        self.addresses = []
        self.error = error

    def forget_addresses(self, ctxt, addresses):
        if self.error:
            raise self.error
        self.addresses.append(list(addresses))


@pytest.fixture
def told():
    return Told()


@pytest.fixture
def endpoint(db, told):
    CONF.set_override('fixed_range_v4', '10.12.0.0/29', 'network')
    endpoint = manager.ConductorManager(scheduler_api=object(),
                                        compute_api=object(),
                                        metadata_api=told)
    yield endpoint
    endpoint.cleanup_host()


def _ctxt():
    return context.RequestContext(user_id='u1', project_id='p1')


def _spawning(uuid, allocate_ip=True):
    return dict(instance_uuid=uuid, values={'task_state': states.SPAWNING},
                expected_task_state=states.SCHEDULING, host='host1',
                allocate_ip=allocate_ip)


def test_a_batch_of_builds_announces_its_addresses_once(endpoint, told):
    uuids = [dbhelpers.make_instance(host='host1')['uuid'] for _ in range(3)]
    items = [(_ctxt(), _spawning(u)) for u in uuids]
    items.append((_ctxt(), _spawning('no-such-instance')))
    outcomes = endpoint.advance_together(items)
    assert told.addresses == [['10.12.0.2', '10.12.0.3', '10.12.0.4']]
    assert [o['address'] for o in outcomes[:3]] == told.addresses[0]


def test_one_build_and_a_rebuild_announce_theirs(endpoint, told):
    first = dbhelpers.make_instance(host='host1')['uuid']
    ip = endpoint.instance_advance(_ctxt(), **_spawning(first))
    second = dbhelpers.make_instance(host='host1')['uuid']
    again = endpoint.allocate_fixed_ip(_ctxt(), second)
    assert told.addresses == [[ip['address']], [again['address']]]


def test_an_advance_that_takes_no_address_announces_nothing(
        endpoint, told):
    uuid = dbhelpers.make_instance(host='host1')['uuid']
    assert endpoint.instance_advance(
        _ctxt(), **_spawning(uuid, allocate_ip=False)) is None
    endpoint.advance_together([(_ctxt(), _spawning('no-such-instance'))])
    assert told.addresses == []


def test_an_announcement_lost_fails_no_build(endpoint, told, caplog):
    told.error = RuntimeError('broker gone')
    uuid = dbhelpers.make_instance(host='host1')['uuid']
    with caplog.at_level(logging.WARNING):
        ip = endpoint.instance_advance(_ctxt(), **_spawning(uuid))
    assert ip['address'] == '10.12.0.2'
    assert 'Could not tell the metadata services that 10.12.0.2' in \
        caplog.text
