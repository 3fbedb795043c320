"""nova_api/volume_checks.py on a fake Cinder: Nova's refusals, before
anything is made."""

import pytest

from common import exception
from common.conf import CONF
from nova_api import volume_checks

GIB = 1024 ** 3


class FakeCinder:

    def __init__(self, **volumes):
        self.volumes = volumes

    def get(self, ctxt, volume_id):
        if volume_id not in self.volumes:
            raise exception.VolumeNotFound(volume_id=volume_id)
        return dict(self.volumes[volume_id], id=volume_id)


def _mapping(source='volume', uuid='v1', boot_index=0, size=None):
    return {'source_type': source, 'destination_type': 'volume',
            'uuid': uuid, 'boot_index': boot_index, 'volume_size': size}


def _checks(**volumes):
    return volume_checks.VolumeChecks(cinder=FakeCinder(**volumes))


def _refused(checks, mappings, image=None, zone=None, count=1):
    with pytest.raises(exception.Invalid) as err:
        checks.check(None, mappings, image or {}, zone, count)
    return str(err.value)


def test_a_volume_must_exist_and_be_available():
    checks = _checks(v1={'status': 'in-use', 'size': 1})
    assert 'failed to get volume v2' in _refused(
        checks, [_mapping(uuid='v2')])
    assert "Currently in 'in-use'" in _refused(checks, [_mapping()])


def test_one_volume_cannot_boot_several_servers():
    checks = _checks(v1={'status': 'available', 'size': 1})
    assert 'multiple instances' in _refused(checks, [_mapping()], count=2)


def test_a_boot_volume_holds_the_image():
    checks = _checks(v1={'status': 'available', 'size': 1})
    message = _refused(checks, [_mapping()], image={'min_disk': 2})
    assert 'Volume size is %d bytes, minimum size is %d bytes' % (
        GIB, 2 * GIB) in message
    assert 'minimum size' in _refused(
        checks, [_mapping(source='image', uuid='img', size=1)],
        image={'min_disk': 0, 'size': GIB + 1})
    checks.check(None, [_mapping(source='image', uuid='img', size=2)],
                 {'min_disk': 2, 'size': GIB}, None, 1)


def test_zones_are_checked_only_without_cross_az_attach():
    checks = _checks(v1={'status': 'available', 'size': 1,
                         'availability_zone': 'az2'})
    checks.check(None, [_mapping()], {}, 'az1', 1)
    CONF.set_override('cross_az_attach', False, 'cinder')
    try:
        assert 'not in the same availability zone' in _refused(
            checks, [_mapping()], zone='az1')
    finally:
        CONF.clear_override('cross_az_attach', 'cinder')


def test_snapshot_sources_are_refused():
    assert 'snapshots are not supported' in _refused(
        _checks(), [_mapping(source='snapshot', uuid='s1')])


def test_the_image_of_a_boot_volume_comes_from_its_metadata():
    checks = _checks(v1={'status': 'available', 'size': 1,
                         'volume_image_metadata': {
                             'image_id': 'img-1', 'image_name': 'debian',
                             'min_disk': '1', 'hw_disk_bus': 'scsi'}},
                     v2={'status': 'available', 'size': 1})
    image = checks.boot_image(None, _mapping(), lambda ref: None)
    assert image == {'id': 'img-1', 'name': 'debian', 'min_disk': 1,
                     'min_ram': 0, 'disk_format': None,
                     'properties': {'hw_disk_bus': 'scsi'}}
    assert checks.boot_image(None, _mapping(uuid='v2'), None) == {}
    looked_up = checks.boot_image(
        None, _mapping(source='image', uuid='img-9', size=1),
        lambda ref: {'id': ref})
    assert looked_up == {'id': 'img-9'}
    with pytest.raises(exception.Invalid):
        checks.boot_image(None, _mapping(source='blank', uuid=None), None)
