"""common/cinder_client.py against the real Cinder on the test Ceph: what
the compute will do for a volume (create, wait, reserve, connect with
this host's connector, complete) and each failure as the domain error a
caller gets.

Not yet here: deleting a connected attachment, which Cinder lets only a
service do (a service token; docs/volumes.md): the test does it as one.
"""

import uuid

import pytest

from common import cinder_client
from common import context
from common import exception
from common.conf import CONF
from nova_compute.virt.libvirt import volume as libvirt_volume

INSTANCE = str(uuid.uuid4())


@pytest.fixture
def client(ceph_cinder):
    CONF.set_override('endpoint_template',
                      ceph_cinder.cinder.endpoint_template, 'cinder')
    yield cinder_client.CinderClient(CONF)
    CONF.clear_override('endpoint_template', 'cinder')


@pytest.fixture
def ctxt(ceph_cinder):
    project = ceph_cinder.cinder.project_id
    return context.RequestContext(user_id='admin', project_id=project,
                                  auth_token='admin:%s' % project)


def _service_detach(ceph_cinder, att):
    resp = ceph_cinder.cinder.request(
        'DELETE', '/attachments/%s' % att['id'], microversion='3.44',
        service=True)
    assert resp.status_code == 200, resp.text


def test_a_volume_attached_and_detached_as_the_compute_will(
        ceph_cinder, client, ctxt):
    vol = client.create(ctxt, 1, name='data-%s' % INSTANCE[:8])
    assert vol['status'] == 'creating' and vol['size'] == 1
    vol = client.wait_for_status(ctxt, vol['id'], 'available', 60)
    assert vol['status'] == 'available'

    att = client.attachment_create(ctxt, vol['id'], INSTANCE)
    assert client.get(ctxt, vol['id'])['status'] == 'reserved'
    att = client.attachment_update(
        ctxt, att['id'], libvirt_volume.connector('compute1', '127.0.0.1'))
    info = att['connection_info']
    assert info['driver_volume_type'] == 'rbd'
    assert info['data']['name'] == '%s/volume-%s' % (
        ceph_cinder.cinder.pool, vol['id'])
    assert info['data']['hosts'] == [ceph_cinder.ceph.mon_host]
    # What the compute will plug into the domain.
    disk = libvirt_volume.disk_element(info, 'vdb', serial=vol['id'])
    assert disk.find('source').get('name') == info['data']['name']
    assert disk.find('source/host').attrib == {
        'name': ceph_cinder.ceph.mon_host,
        'port': str(ceph_cinder.ceph.mon_port)}
    assert client.attachment_get(ctxt, att['id'])['connection_info'] == info

    # A build that gives up before completing lets the volume go (as a
    # service: Cinder refuses a user the delete of a connected attachment).
    _service_detach(ceph_cinder, att)
    client.wait_for_status(ctxt, vol['id'], 'available', 30)
    client.attachment_delete(ctxt, att['id'])  # already gone: no error

    att = client.attachment_create(
        ctxt, vol['id'], INSTANCE,
        libvirt_volume.connector('compute1', '127.0.0.1'))
    assert att['connection_info']['driver_volume_type'] == 'rbd'
    client.attachment_complete(ctxt, att['id'])
    assert client.get(ctxt, vol['id'])['status'] == 'in-use'
    _service_detach(ceph_cinder, att)
    client.wait_for_status(ctxt, vol['id'], 'available', 30)
    client.delete(ctxt, vol['id'])
    # Deleting, then gone.
    with pytest.raises(exception.VolumeNotFound):
        client.wait_for_status(ctxt, vol['id'], 'never', 30)


def test_failures_are_domain_errors(client, ctxt):
    with pytest.raises(exception.VolumeNotFound):
        client.get(ctxt, str(uuid.uuid4()))
    with pytest.raises(exception.VolumeNotFound):
        client.attachment_create(ctxt, str(uuid.uuid4()), INSTANCE)
    with pytest.raises(exception.VolumeAttachmentNotFound):
        client.attachment_get(ctxt, str(uuid.uuid4()))
    with pytest.raises(exception.Invalid) as err:
        client.create(ctxt, 0)
    assert 'volume service refused' in str(err.value)


def test_cinders_quota_answer_reaches_the_caller(client, ctxt):
    with pytest.raises(exception.Invalid) as err:
        client.create(ctxt, 100000)
    assert 'quota' in str(err.value)


def test_a_volume_that_fails_to_build_fails_the_wait(client, ctxt):
    # Within the quota, but more than the memstore OSD can hold even
    # thinly provisioned: Cinder's scheduler finds no backend and the
    # volume goes to error.
    vol = client.create(ctxt, 900)
    with pytest.raises(exception.VolumeStatusFailed) as err:
        client.wait_for_status(ctxt, vol['id'], 'available', 120)
    assert 'error' in str(err.value)
    client.delete(ctxt, vol['id'])
