"""Block device mappings in the conductor's database: created with an
instance, read in boot order, moved on step by step with a
compare-and-swap on their status."""

import pytest

from common import exception
from nova_conductor.db import block_devices
from nova_conductor.db import migration
from nova_conductor.db import session

VOLUME = '5b3f1a2c-7d8e-4f90-a1b2-c3d4e5f60718'
IMAGE = '70a599e0-31e7-49b7-b260-868f441e862b'


def _mapping(**values):
    base = {'source_type': 'volume', 'destination_type': 'volume',
            'uuid': VOLUME, 'boot_index': None, 'volume_size': None,
            'device_name': None, 'disk_bus': None, 'device_type': 'disk',
            'guest_format': None, 'delete_on_termination': False,
            'tag': None, 'volume_type': None}
    base.update(values)
    return base


def _create(instance_uuid, *mappings):
    with session.writer() as s:
        block_devices.create_in(s, instance_uuid, mappings)


def test_the_migration_is_the_head(db):
    assert migration.db_version() == migration.head() == '0021'


def test_mappings_come_back_boot_disk_first(db):
    _create('i-1', _mapping(uuid='data', tag='db'),
            _mapping(source_type='image', uuid=IMAGE, boot_index=0,
                     volume_size=10, delete_on_termination=True))
    _create('i-2', _mapping())
    root, data = block_devices.get_all('i-1')
    assert (root['source_type'], root['uuid'], root['volume_id'],
            root['volume_size'], root['delete_on_termination'],
            root['status']) == ('image', IMAGE, None, 10, True, 'new')
    assert (data['volume_id'], data['tag'], data['boot_index']) == \
        ('data', 'db', None)
    assert block_devices.get_all('nobody') == []


def test_progress_is_a_compare_and_swap(db):
    _create('i-1', _mapping(source_type='blank', uuid=None, volume_size=1))
    (bdm,) = block_devices.get_all('i-1')
    made = block_devices.update(bdm['id'], {'status': 'creating',
                                            'volume_id': VOLUME}, 'new')
    assert made['volume_id'] == VOLUME and made['status'] == 'creating'
    with pytest.raises(exception.UnexpectedBlockDeviceState) as err:
        block_devices.update(bdm['id'], {'status': 'creating'}, 'new')
    assert err.value.code == 409 and 'creating' in str(err.value)
    info = {'driver_volume_type': 'rbd', 'data': {'name': 'v/x'}}
    done = block_devices.update(
        bdm['id'], {'status': 'attached', 'attachment_id': 'a-1',
                    'connection_info': info}, ('creating', 'attaching'))
    assert done['connection_info'] == info
    assert block_devices.get_all('i-1')[0]['connection_info'] == info


def test_only_progress_columns_may_change(db):
    _create('i-1', _mapping())
    (bdm,) = block_devices.get_all('i-1')
    with pytest.raises(exception.Invalid):
        block_devices.update(bdm['id'], {'instance_uuid': 'i-2'})
    with pytest.raises(exception.Invalid):
        block_devices.update(bdm['id'], {'status': 'sideways'})
    with pytest.raises(exception.NotFound):
        block_devices.update(9999, {'status': 'error'})


def test_add_destroy_and_who_holds_a_volume(db):
    _create('i-1', _mapping(source_type='image', destination_type='local',
                            uuid=IMAGE, boot_index=0))
    added = block_devices.add('i-1', _mapping(tag='late'))
    assert added['tag'] == 'late' and added['volume_id'] == VOLUME
    assert block_devices.holders_of(VOLUME) == ['i-1']
    block_devices.destroy(added['id'])
    assert block_devices.holders_of(VOLUME) == []
    with session.writer() as s:
        block_devices.destroy_for_instance(s, 'i-1')
    assert block_devices.get_all('i-1') == []
