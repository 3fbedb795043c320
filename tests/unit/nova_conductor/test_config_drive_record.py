"""instances.config_drive as a compute records it: a build's last advance
or a rebuild's end may set it (a drive forced by the host), and such a
message travels at 1.11, the version that brought the column."""

from common import states
from nova_conductor.db import instance_transitions as transitions_db
from nova_conductor.db import instances as instances_db
from tests.unit.nova_conductor import dbhelpers


def test_the_builds_last_advance_and_a_rebuilds_end_store_it(db):
    built = dbhelpers.make_instance(task_state=states.SPAWNING,
                                    host='h1')
    assert built['config_drive'] is False
    transitions_db.advance(built['uuid'], {
        'vm_state': states.ACTIVE, 'task_state': None,
        'config_drive': True}, states.SPAWNING, host='h1')
    assert instances_db.get(built['uuid'])['config_drive'] is True

    rebuilt = dbhelpers.make_instance(vm_state=states.ACTIVE,
                                      task_state=states.REBUILD_SPAWNING,
                                      host='h1')
    done = transitions_db.end_task(
        rebuilt['uuid'], {'vm_state': states.ACTIVE, 'config_drive': True},
        states.REBUILD_SPAWNING, host='h1')
    assert done['config_drive'] is True and done['task_state'] is None
    assert instances_db.get(rebuilt['uuid'])['config_drive'] is True


def test_config_drive_travels_at_1_11_and_other_values_as_before():
    api = dbhelpers.SentRecorder()
    api.instance_advance(None, 'u-1', {'vm_state': 'active',
                                       'config_drive': True}, 'spawning')
    api.instance_advance(None, 'u-1', {'vm_state': 'active'}, 'spawning')
    api.instance_task_done(None, 'u-1', {'config_drive': True},
                           'rebuild_spawning')
    api.instance_task_done(None, 'u-1', {'vm_state': 'active'},
                           'rebuild_spawning')
    assert api.sent == [('instance_advance', '1.11'),
                        ('instance_advance', '1.6'),
                        ('instance_task_done', '1.11'),
                        ('instance_task_done', '1.0')]
