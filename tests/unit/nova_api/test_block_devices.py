"""Block device mappings of a create: schema bounds, Nova's rules, and the
one shape the rest of the system gets."""

import jsonschema
import pytest

from common import exception
from nova_api import block_devices as bd

IMAGE = '70a599e0-31e7-49b7-b260-868f441e862b'
VOLUME = '8f1c2b7a-4a8e-4c55-9a3c-0d7e6f5a4b3c'


def _v2(*items, image_ref=None):
    return bd.normalize({'block_device_mapping_v2': list(items)}, image_ref)


def _invalid(*items, image_ref=None, legacy=False):
    key = 'block_device_mapping' if legacy else 'block_device_mapping_v2'
    with pytest.raises(exception.Invalid) as err:
        bd.normalize({key: list(items)}, image_ref)
    assert err.value.code == 400
    return str(err.value)


def test_no_mappings_is_the_image_alone():
    assert bd.normalize({}, IMAGE) == []
    assert bd.normalize({'block_device_mapping_v2': []}, IMAGE) == []


def test_boot_from_a_new_volume_made_from_the_image():
    (root,) = _v2({'source_type': 'image', 'destination_type': 'volume',
                   'uuid': IMAGE, 'boot_index': '0', 'volume_size': '10',
                   'delete_on_termination': 'true'})
    assert root == {
        'source_type': 'image', 'destination_type': 'volume',
        'uuid': IMAGE, 'boot_index': 0, 'volume_size': 10,
        'device_name': None, 'disk_bus': None, 'device_type': 'disk',
        'guest_format': None, 'delete_on_termination': True, 'tag': None,
        'volume_type': None}
    assert bd.is_volume_backed([root])


def test_boot_from_an_existing_volume_needs_no_image():
    (root,) = _v2({'source_type': 'volume', 'uuid': VOLUME,
                   'boot_index': 0})
    assert root['destination_type'] == 'volume'
    assert root['delete_on_termination'] is False
    assert bd.is_volume_backed([root])


def test_a_data_volume_beside_imageref_gets_the_image_root_first():
    root, data = _v2({'source_type': 'volume', 'destination_type': 'volume',
                      'uuid': VOLUME, 'boot_index': -1, 'tag': 'db'},
                     image_ref=IMAGE)
    assert (root['source_type'], root['destination_type'],
            root['uuid'], root['boot_index']) == \
        ('image', 'local', IMAGE, 0)
    assert data['boot_index'] is None and data['tag'] == 'db'
    assert not bd.is_volume_backed([root, data])


def test_blank_volume_and_ephemeral_and_swap():
    root, vol, eph, swap = _v2(
        {'source_type': 'image', 'uuid': IMAGE, 'boot_index': 0,
         'destination_type': 'local'},
        {'source_type': 'blank', 'destination_type': 'volume',
         'volume_size': 1},
        {'source_type': 'blank', 'destination_type': 'local',
         'guest_format': 'ext4', 'volume_size': 1},
        {'source_type': 'blank', 'destination_type': 'local',
         'guest_format': 'swap', 'volume_size': 1})
    assert root['boot_index'] == 0 and vol['volume_size'] == 1
    assert eph['guest_format'] == 'ext4' and swap['guest_format'] == 'swap'


def test_bootable_disks_come_in_boot_order():
    out = _v2({'source_type': 'volume', 'uuid': 'b', 'boot_index': 1},
              {'source_type': 'volume', 'uuid': 'c'},
              {'source_type': 'volume', 'uuid': 'a', 'boot_index': 0})
    assert [m['uuid'] for m in out] == ['a', 'b', 'c']


def test_no_device_mappings_are_dropped():
    assert _v2({'source_type': 'blank', 'no_device': True},
               image_ref=IMAGE) == []


@pytest.mark.parametrize('item,words', [
    ({'source_type': 'volume', 'boot_index': 0}, 'needs the volume'),
    ({'source_type': 'image', 'destination_type': 'volume',
      'uuid': IMAGE, 'boot_index': 0}, 'volume_size above 0'),
    ({'source_type': 'blank', 'destination_type': 'volume',
      'boot_index': 0, 'volume_size': 0}, 'volume_size above 0'),
    ({'source_type': 'volume', 'destination_type': 'local',
      'uuid': VOLUME, 'boot_index': 0}, 'only be mapped to a volume'),
    ({'source_type': 'blank', 'uuid': VOLUME, 'boot_index': 0},
     'no uuid'),
    ({'source_type': 'blank', 'destination_type': 'local',
      'boot_index': 0, 'volume_size': 1}, 'cannot be the boot'),
    ({'source_type': 'volume', 'uuid': VOLUME, 'boot_index': 'x'},
     'boot_index'),
    ({'source_type': 'volume', 'uuid': VOLUME, 'boot_index': 0,
      'delete_on_termination': 'maybe'}, 'true or false'),
])
def test_nova_rules(item, words):
    assert words in _invalid(item)


def test_an_image_maps_to_a_local_disk_only_as_the_root():
    assert 'boot disk' in _invalid(
        {'source_type': 'image', 'destination_type': 'local',
         'uuid': IMAGE, 'boot_index': 1}, image_ref=IMAGE)


def test_no_boot_device_at_all():
    assert 'no boot device' in _invalid(
        {'source_type': 'volume', 'uuid': VOLUME})


@pytest.mark.parametrize('indexes', [(0, 2), (0, 0), (0, 1, 3)])
def test_boot_sequence_has_no_gaps_or_repeats(indexes):
    items = [{'source_type': 'volume', 'uuid': 'v%d' % n, 'boot_index': i}
             for n, i in enumerate(indexes)]
    assert 'without gaps' in _invalid(*items, image_ref=IMAGE)


def test_device_names_may_not_repeat():
    assert 'repeat' in _invalid(
        {'source_type': 'volume', 'uuid': 'a', 'boot_index': 0,
         'device_name': '/dev/vda'},
        {'source_type': 'volume', 'uuid': 'b', 'device_name': 'vda'})


def test_local_disks_are_bounded():
    blanks = [{'source_type': 'blank', 'destination_type': 'local',
               'volume_size': 1} for _ in range(3)]
    assert 'local disks' in _invalid(*blanks, image_ref=IMAGE)


def test_one_swap_only():
    swaps = [{'source_type': 'blank', 'destination_type': 'local',
              'guest_format': 'swap', 'volume_size': 1}] * 2
    assert 'one swap' in _invalid(*swaps, image_ref=IMAGE)


def test_too_many_mappings_are_refused_before_any_work():
    items = [{'source_type': 'volume', 'uuid': 'v'}] * (bd.MAX_MAPPINGS + 1)
    assert 'at most %d' % bd.MAX_MAPPINGS in _invalid(*items)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(items, bd.V2_SCHEMA)


def test_both_forms_at_once_are_refused():
    with pytest.raises(exception.Invalid) as err:
        bd.normalize({'block_device_mapping_v2': [
            {'source_type': 'volume', 'uuid': 'a', 'boot_index': 0}],
            'block_device_mapping': [{'volume_id': 'b'}]})
    assert 'not both' in str(err.value)


def test_legacy_root_volume_boots():
    (root,) = bd.normalize({'block_device_mapping': [
        {'device_name': '/dev/vda', 'volume_id': VOLUME,
         'delete_on_termination': '1'}]})
    assert (root['source_type'], root['destination_type'], root['uuid'],
            root['boot_index'], root['delete_on_termination']) == \
        ('volume', 'volume', VOLUME, 0, True)


def test_legacy_snapshot_is_a_data_volume_beside_the_image():
    root, data = bd.normalize({'block_device_mapping': [
        {'device_name': 'vdb', 'snapshot_id': 's1', 'volume_size': 2}]},
        IMAGE)
    assert root['source_type'] == 'image'
    assert (data['source_type'], data['volume_size'],
            data['device_name']) == ('snapshot', 2, 'vdb')


@pytest.mark.parametrize('item', [
    {'volume_id': 'a', 'snapshot_id': 'b'}, {'device_name': 'vdb'}])
def test_legacy_needs_one_source(item):
    _invalid(item, image_ref=IMAGE, legacy=True)


@pytest.mark.parametrize('item', [
    {'source_type': 'nfs'},
    {'source_type': 'volume', 'uuid': 'a/b'},
    {'source_type': 'volume', 'uuid': 'a' * 256},
    {'source_type': 'volume', 'uuid': 'a', 'volume_size': -1},
    {'source_type': 'volume', 'uuid': 'a', 'tag': 'a,b'},
    {'source_type': 'volume', 'uuid': 'a', 'disk_bus': 'pci'},
    {'source_type': 'volume', 'uuid': 'a', 'surprise': 1},
    {'uuid': 'a'},
])
def test_schema_refuses_what_nova_refuses(item):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([item], bd.V2_SCHEMA)


def test_schema_takes_nova_style_strings():
    jsonschema.validate([{'source_type': 'image', 'uuid': IMAGE,
                          'destination_type': 'volume', 'boot_index': '0',
                          'volume_size': '10',
                          'delete_on_termination': 'False'}],
                        bd.V2_SCHEMA)
