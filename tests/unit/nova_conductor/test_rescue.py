"""Rescue, unrescue and trigger_crash_dump in the conductor: the states
that allow them, the refusals, the instance actions and their events,
and what is handed to the compute host."""

import pytest

from common import context
from common import exception
from common import states
from nova_conductor import image_lookup
from nova_conductor import rescue
from nova_conductor.db import actions as actions_db
from nova_conductor.db import catalog
from nova_conductor.db import instances as instances_db
from tests.unit.nova_conductor import dbhelpers

IMAGE = '7d9b2c1e-3f4a-4b5c-8d6e-9f0a1b2c3d4e'
RESCUE_IMAGE = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d'


class Compute:

    def __init__(self, error=None):
        self.sent = []
        self.error = error

    def rescue_instance(self, ctxt, host, instance, image):
        self.sent.append(('rescue', host, instance['task_state'],
                          image['id']))

    def unrescue_instance(self, ctxt, host, instance):
        self.sent.append(('unrescue', host, instance['task_state']))

    def trigger_crash_dump(self, ctxt, host, instance):
        self.sent.append(('crash_dump', host))
        if self.error:
            raise self.error


def _ctxt():
    return context.RequestContext(user_id='u1', project_id='p1',
                                  request_id='req-%d' % id(object()))


@pytest.fixture
def images(db):
    image_lookup.reset()
    for image_id in (IMAGE, RESCUE_IMAGE):
        catalog.image_create({
            'id': image_id, 'name': image_id[:4], 'status': 'active',
            'disk_format': 'qcow2', 'container_format': 'bare', 'size': 1,
            'min_disk': 0, 'min_ram': 0, 'visibility': 'public',
            'properties': {}})


def _server(**values):
    base = dict(host='h1', node='h1', vm_state=states.ACTIVE,
                task_state=None, image_ref=IMAGE,
                power_state=states.RUNNING)
    base.update(values)
    return dbhelpers.make_instance(**base)['uuid']


def _newest_action(uuid):
    action = actions_db.actions_get(uuid, limit=1)[0]
    return actions_db.action_get_by_request_id(uuid, action['request_id'])


@pytest.mark.parametrize('vm_state', [states.ACTIVE, states.STOPPED,
                                      states.ERROR])
def test_rescue_sets_rescuing_and_casts_the_rescue_image(images, vm_state):
    uuid = _server(vm_state=vm_state)
    compute = Compute()
    rescue.rescue(compute, _ctxt(), uuid, RESCUE_IMAGE)
    assert compute.sent == [('rescue', 'h1', states.RESCUING, RESCUE_IMAGE)]
    found = instances_db.get(uuid)
    assert (found['vm_state'], found['task_state']) == (vm_state,
                                                        states.RESCUING)
    action = _newest_action(uuid)
    assert action['action'] == 'rescue' and action['user_id'] == 'u1'
    assert [e['event'] for e in action['events']] == [states.RESCUING]


def test_rescue_without_an_image_uses_the_servers_own(images):
    uuid = _server()
    compute = Compute()
    rescue.rescue(compute, _ctxt(), uuid)
    assert compute.sent[0][3] == IMAGE


@pytest.mark.parametrize('values, attr', [
    ({'vm_state': states.PAUSED}, 'vm_state'),
    ({'vm_state': states.RESCUED}, 'vm_state'),
    ({'task_state': states.REBOOTING}, 'task_state'),
])
def test_rescue_in_a_wrong_state_is_409_and_sends_nothing(
        images, values, attr):
    uuid = _server(**values)
    compute = Compute()
    with pytest.raises(exception.InstanceInvalidState) as caught:
        rescue.rescue(compute, _ctxt(), uuid)
    assert caught.value.code == 409 and attr in caught.value.message
    assert compute.sent == []


def test_rescue_of_a_volume_backed_server_is_400(images):
    uuid = _server(block_device_mappings=[{
        'boot_index': 0, 'source_type': 'volume',
        'destination_type': 'volume', 'uuid': 'v-1'}])
    with pytest.raises(exception.InstanceNotRescuable) as caught:
        rescue.rescue(Compute(), _ctxt(), uuid)
    assert caught.value.code == 400
    assert 'volume-backed' in caught.value.message
    assert instances_db.get(uuid)['task_state'] is None


def test_rescue_with_an_unknown_image_is_400(images):
    uuid = _server()
    missing = '99999999-9999-4999-8999-999999999999'
    with pytest.raises(exception.InstanceNotRescuable) as caught:
        rescue.rescue(Compute(), _ctxt(), uuid, missing)
    assert caught.value.code == 400 and missing in caught.value.message


def test_unrescue_only_from_rescued(images):
    uuid = _server()
    with pytest.raises(exception.InstanceInvalidState):
        rescue.unrescue(Compute(), _ctxt(), uuid)
    rescued = _server(vm_state=states.RESCUED)
    compute = Compute()
    rescue.unrescue(compute, _ctxt(), rescued)
    assert compute.sent == [('unrescue', 'h1', states.UNRESCUING)]
    assert _newest_action(rescued)['action'] == 'unrescue'


def test_crash_dump_records_one_finished_event(images):
    uuid = _server()
    compute = Compute()
    rescue.trigger_crash_dump(compute, _ctxt(), uuid)
    assert compute.sent == [('crash_dump', 'h1')]
    action = _newest_action(uuid)
    assert action['action'] == 'trigger_crash_dump'
    [event] = action['events']
    assert event['event'] == rescue.CRASH_DUMP_EVENT
    assert event['result'] == 'Success' and event['finish_time']
    # Nothing about the instance's states changes.
    found = instances_db.get(uuid)
    assert (found['vm_state'], found['task_state']) == (states.ACTIVE, None)


def test_crash_dump_refused_by_the_host_is_recorded_and_raised(images):
    uuid = _server()
    compute = Compute(exception.TriggerCrashDumpNotSupported())
    with pytest.raises(exception.TriggerCrashDumpNotSupported):
        rescue.trigger_crash_dump(compute, _ctxt(), uuid)
    [event] = _newest_action(uuid)['events']
    assert event['result'] == 'Error'


@pytest.mark.parametrize('values, error', [
    ({'vm_state': states.STOPPED, 'power_state': states.SHUTDOWN},
     exception.InstanceInvalidState),
    ({'power_state': states.SHUTDOWN}, exception.InstanceNotReady),
    ({'task_state': states.REBOOTING}, exception.InstanceInvalidState),
])
def test_crash_dump_of_a_server_not_running_is_409(images, values, error):
    uuid = _server(**values)
    compute = Compute()
    with pytest.raises(error) as caught:
        rescue.trigger_crash_dump(compute, _ctxt(), uuid)
    assert caught.value.code == 409
    assert compute.sent == []
