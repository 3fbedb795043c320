"""nova_compute/volumes.py on a fake Cinder and conductor: each step is
recorded before the next, and a step interrupted anywhere is finished
from what was recorded, with no attachment left over."""

import pytest

from common import exception
from nova_compute import volumes

INSTANCE = {'uuid': '11111111-2222-3333-4444-555555555555',
            'display_name': 'vm', 'ephemeral_gb': 0,
            'availability_zone': 'nova'}


class FakeCinder:

    def __init__(self):
        self.volumes = {}
        self.attachments = {}
        self.calls = []
        self.fail_on = None

    def _call(self, name):
        self.calls.append(name)
        if name == self.fail_on:
            raise exception.VolumeServiceUnavailable(url='x', reason=name)

    def create(self, ctxt, size, name=None, image_id=None,
               availability_zone=None, volume_type=None):
        self._call('create')
        vid = 'vol-%d' % (len(self.volumes) + 1)
        self.volumes[vid] = {'id': vid, 'status': 'available', 'size': size,
                             'attachments': []}
        return self.volumes[vid]

    def get(self, ctxt, volume_id):
        if volume_id not in self.volumes:
            raise exception.VolumeNotFound(volume_id=volume_id)
        return self.volumes[volume_id]

    def wait_for_status(self, ctxt, volume_id, wanted, timeout):
        return self.get(ctxt, volume_id)

    def delete(self, ctxt, volume_id):
        self._call('delete')
        del self.volumes[volume_id]

    def attachment_create(self, ctxt, volume_id, instance_uuid):
        self._call('attachment_create')
        aid = 'att-%d' % (len(self.calls))
        self.attachments[aid] = volume_id
        volume = self.volumes[volume_id]
        volume['status'] = 'reserved'
        volume['attachments'].append({'attachment_id': aid,
                                      'server_id': instance_uuid})
        return {'id': aid}

    def attachments_of(self, ctxt, instance_uuid, volume_id):
        return [{'id': a['attachment_id']}
                for a in self.volumes[volume_id]['attachments']
                if a['server_id'] == instance_uuid]

    def attachment_update(self, ctxt, attachment_id, connector):
        self._call('attachment_update')
        return {'id': attachment_id, 'connection_info': {
            'driver_volume_type': 'rbd',
            'data': {'name': 'volumes/volume-%s'
                     % self.attachments[attachment_id]}}}

    def attachment_complete(self, ctxt, attachment_id):
        self._call('attachment_complete')
        self.volumes[self.attachments[attachment_id]]['status'] = 'in-use'

    def attachment_delete(self, ctxt, attachment_id):
        self._call('attachment_delete')
        volume_id = self.attachments.pop(attachment_id, None)
        if volume_id:
            volume = self.volumes[volume_id]
            volume['attachments'] = [a for a in volume['attachments']
                                     if a['attachment_id'] != attachment_id]
            if not volume['attachments']:
                volume['status'] = 'available'


class FakeConductor:

    def __init__(self, *bdms):
        self.bdms = {b['id']: dict(b) for b in bdms}

    def block_device_update(self, ctxt, bdm_id, values, expected_status=None):
        row = self.bdms[bdm_id]
        if expected_status is not None:
            allowed = (expected_status,) if isinstance(expected_status, str) \
                else expected_status
            if row['status'] not in allowed:
                raise exception.UnexpectedBlockDeviceState(
                    bdm_id=bdm_id, expected=allowed, actual=row['status'])
        row.update(values)
        return dict(row)

    def block_device_destroy(self, ctxt, bdm_id):
        del self.bdms[bdm_id]

    def block_devices_get(self, ctxt, instance_uuid):
        return [dict(b) for b in self.bdms.values()]


class FakeDriver:

    def volume_connector(self, host, ip):
        return {'host': host, 'ip': ip}


def _bdm(bdm_id=1, **values):
    bdm = {'id': bdm_id, 'instance_uuid': INSTANCE['uuid'],
           'source_type': 'image', 'destination_type': 'volume',
           'uuid': 'img-1', 'volume_id': None, 'volume_size': 1,
           'boot_index': 0, 'device_name': None, 'disk_bus': None,
           'delete_on_termination': True, 'attachment_id': None,
           'connection_info': None, 'status': 'new'}
    bdm.update(values)
    return bdm


def _volumes(*bdms):
    cinder, conductor = FakeCinder(), FakeConductor(*bdms)
    return volumes.Volumes('h1', FakeDriver(), conductor, cinder=cinder,
                           ip='10.0.0.1'), cinder, conductor


def test_a_boot_volume_is_made_reserved_connected_and_recorded():
    vols, cinder, conductor = _volumes(_bdm())
    [done] = vols.prepare(None, dict(INSTANCE, block_device_mappings=[
        _bdm()]))
    assert cinder.calls == ['create', 'attachment_create',
                            'attachment_update', 'attachment_complete']
    assert done['status'] == 'attached' and done['device_name'] == 'vda'
    assert conductor.bdms[1]['connection_info']['data']['name'] == \
        'volumes/volume-vol-1'
    assert cinder.volumes['vol-1']['status'] == 'in-use'


@pytest.mark.parametrize('fail_on', ['attachment_create',
                                     'attachment_update',
                                     'attachment_complete'])
def test_an_interrupted_connect_converges_on_one_attachment(fail_on):
    vols, cinder, conductor = _volumes(_bdm())
    cinder.fail_on = fail_on
    with pytest.raises(exception.VolumeServiceUnavailable):
        vols.connect(None, INSTANCE, _bdm())
    cinder.fail_on = None
    # Taken again from what the conductor recorded.
    done = vols.connect(None, INSTANCE, conductor.bdms[1])
    assert done['status'] == 'attached'
    assert len(cinder.volumes) == 1
    assert len(cinder.volumes['vol-1']['attachments']) == 1
    assert cinder.volumes['vol-1']['status'] == 'in-use'


def test_an_attachment_whose_id_was_never_recorded_is_found_again():
    vols, cinder, conductor = _volumes(_bdm(status='creating',
                                            volume_id='vol-1'))
    cinder.volumes['vol-1'] = {'id': 'vol-1', 'status': 'available',
                               'attachments': []}
    cinder.attachment_create(None, 'vol-1', INSTANCE['uuid'])
    done = vols.connect(None, INSTANCE, conductor.bdms[1])
    assert done['status'] == 'attached'
    assert cinder.calls.count('attachment_create') == 1


def test_release_detaches_and_deletes_only_when_asked():
    kept = _bdm(2, source_type='volume', uuid='data', boot_index=None,
                delete_on_termination=False, volume_id='data')
    vols, cinder, conductor = _volumes(_bdm(), kept)
    cinder.volumes['data'] = {'id': 'data', 'status': 'available',
                              'attachments': []}
    instance = dict(INSTANCE, block_device_mappings=[_bdm(), kept])
    vols.prepare(None, instance)
    assert [conductor.bdms[i]['device_name'] for i in (1, 2)] == [
        'vda', 'vdb']
    vols.release_all(None, instance)
    assert conductor.bdms == {}
    assert list(cinder.volumes) == ['data']
    assert cinder.volumes['data']['status'] == 'available'
    assert cinder.attachments == {}


def test_a_failed_build_keeps_the_volume_for_the_next_host():
    vols, cinder, conductor = _volumes(_bdm())
    vols.connect(None, INSTANCE, _bdm())
    back = vols.disconnect(None, conductor.bdms[1])
    assert back['status'] == 'creating' and back['attachment_id'] is None
    assert cinder.volumes['vol-1']['status'] == 'available'
    again = vols.connect(None, INSTANCE, back)
    assert again['status'] == 'attached'
    assert len(cinder.volumes) == 1


def test_device_names_skip_the_local_disks():
    instance = dict(INSTANCE, ephemeral_gb=1, block_device_mappings=[])
    data = _bdm(boot_index=None)
    # The image's root disk is vda, the ephemeral disk vdb.
    assert volumes.device_name(instance, [data], data) == 'vdc'
    taken = _bdm(2, boot_index=None, device_name='vdc')
    assert volumes.device_name(instance, [data, taken], data) == 'vdd'
