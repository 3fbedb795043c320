"""The Ceph + Cinder fixture: Cinder's volumes are RBD images in the test
Ceph, reachable by QEMU, described to an attaching host by the monitor
address; stop() leaves no process, vhost, database or directory behind.

With -s it prints what the fixture costs: time from nothing to Ceph ready
and to Cinder ready, volume create -> available p50, and the RSS of all
its daemons.
"""

import json
import os
import statistics
import subprocess
import tempfile
import time
import uuid

import psutil
import pytest
import sqlalchemy as sa

from tests import services
from tests.functional import block_storage
from tests.functional import ceph as ceph_mod
from tests.functional import cinder as cinder_mod

GiB = 1 << 30
CONNECTOR = {'platform': 'x86_64', 'os_type': 'linux', 'ip': '127.0.0.1',
             'host': 'compute1', 'multipath': False,
             'initiator': 'iqn.1993-08.org.debian:01:compute1'}
# The attachments API (create with a connector, complete) as Nova uses it.
ATTACHMENTS = '3.44'


def _create_volume(cinder, **fields):
    fields.setdefault('size', 1)
    resp = cinder.request('POST', '/volumes', json={'volume': fields})
    assert resp.status_code == 202, resp.text
    volume = resp.json()['volume']
    assert volume['status'] == 'creating'
    return volume['id']


def _delete_volume(cinder, volume_id):
    resp = cinder.request('DELETE', '/volumes/%s' % volume_id)
    assert resp.status_code == 202, resp.text
    assert cinder.wait_for_volume(volume_id, statuses=('deleted',)) is None


def _qemu_io(ceph, image, command):
    """Run a qemu-io command on an RBD image through QEMU's rbd driver,
    as the client Cinder hands to compute hosts; its output."""
    target = 'rbd:%s:id=%s:conf=%s' % (image, ceph.client, ceph.conf)
    done = subprocess.run(['qemu-io', '-f', 'raw', '-c', command, target],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_a_volume_is_an_rbd_image_until_deleted(ceph_cinder):
    ceph, cinder = ceph_cinder
    volume_id = _create_volume(cinder, name='data')
    volume = cinder.wait_for_volume(volume_id)
    assert volume['status'] == 'available', volume
    assert volume['size'] == 1
    assert volume['os-vol-host-attr:host'] == cinder.backend_host + '#ceph'
    image = 'volume-%s' % volume_id
    assert image in ceph.rbd_images('volumes')
    info = json.loads(ceph.rbd('info', '--format', 'json',
                               'volumes/' + image))
    assert info['size'] == GiB

    _delete_volume(cinder, volume_id)
    assert image not in ceph.rbd_images('volumes')
    gone = cinder.request('GET', '/volumes/%s' % volume_id)
    assert gone.status_code == 404
    assert 'could not be found' in gone.json()['itemNotFound']['message']


def test_a_volume_cloned_from_a_volume_has_its_data(ceph_cinder):
    ceph, cinder = ceph_cinder
    source = _create_volume(cinder, name='source')
    assert cinder.wait_for_volume(source)['status'] == 'available'
    _qemu_io(ceph, 'volumes/volume-%s' % source, 'write -P 0x5a 4096 64k')

    clone = _create_volume(cinder, name='clone', source_volid=source)
    volume = cinder.wait_for_volume(clone)
    assert volume['status'] == 'available', volume
    assert volume['source_volid'] == source
    read = _qemu_io(ceph, 'volumes/volume-%s' % clone,
                    'read -P 0x5a 4096 64k')
    assert 'read 65536/65536 bytes' in read, read
    assert 'Pattern verification failed' not in read
    # Past what was written, the clone reads zeros like its source.
    assert 'Pattern verification failed' not in _qemu_io(
        ceph, 'volumes/volume-%s' % clone, 'read -P 0 1M 64k')

    _delete_volume(cinder, clone)
    _delete_volume(cinder, source)
    images = ceph.rbd_images('volumes')
    # Cinder 29 removes a clone without dropping the snapshot it took of
    # its source, so the source's image stays, renamed as deleted.
    assert [i for i in images if source in i or clone in i] in (
        [], ['volume-%s.deleted' % source]), images


def test_an_attachment_describes_the_rbd_image_and_the_monitor(ceph_cinder):
    ceph, cinder = ceph_cinder
    volume_id = _create_volume(cinder, name='attached')
    assert cinder.wait_for_volume(volume_id)['status'] == 'available'
    instance_id = str(uuid.uuid4())

    resp = cinder.request('POST', '/attachments', ATTACHMENTS, json={
        'attachment': {'volume_uuid': volume_id,
                       'instance_uuid': instance_id,
                       'connector': CONNECTOR}})
    assert resp.status_code == 200, resp.text
    attachment = resp.json()['attachment']
    assert attachment['instance'] == instance_id
    info = attachment['connection_info']
    assert info['driver_volume_type'] == 'rbd', info
    assert info['name'] == 'volumes/volume-%s' % volume_id
    assert info['hosts'] == [ceph.mon_host]
    assert info['ports'] == [str(ceph.mon_port)]
    assert info['auth_enabled'] is True
    assert info['auth_username'] == ceph.client
    assert info['secret_type'] == 'ceph'
    assert info['secret_uuid'] == cinder.rbd_secret_uuid
    # Attachment create with a connector answers once the volume service
    # has made the connection.
    volume = cinder.request('GET', '/volumes/%s' % volume_id).json()['volume']
    assert volume['status'] == 'attaching'

    resp = cinder.request('POST', '/attachments/%s/action' % attachment['id'],
                          ATTACHMENTS, json={'os-complete': {}})
    assert resp.status_code == 204, resp.text
    volume = cinder.wait_for_volume(volume_id, statuses=('in-use',))
    assert [a['server_id'] for a in volume['attachments']] == [instance_id]

    # An attached volume is not deleted.
    refused = cinder.request('DELETE', '/volumes/%s' % volume_id)
    assert refused.status_code == 400
    assert 'must not be migrating, attached' in \
        refused.json()['badRequest']['message']

    # As Nova does, with its service token.
    resp = cinder.request('DELETE', '/attachments/%s' % attachment['id'],
                          ATTACHMENTS, service=True)
    assert resp.status_code == 200, resp.text
    volume = cinder.wait_for_volume(volume_id)
    assert volume['status'] == 'available'
    assert volume['attachments'] == []
    _delete_volume(cinder, volume_id)


def _rss_mb(pids):
    total = 0
    for pid in pids:
        try:
            parent = psutil.Process(pid)
            for proc in [parent] + parent.children(recursive=True):
                total += proc.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total / (1 << 20)


def test_what_the_fixture_costs(ceph_cinder):
    """Ten volumes created one after the other all become available; the
    figures are printed (pytest -s)."""
    ceph, cinder = ceph_cinder
    took = []
    made = []
    for i in range(10):
        began = time.monotonic()
        made.append(_create_volume(cinder, name='timed-%d' % i))
        volume = cinder.wait_for_volume(made[-1])
        took.append(time.monotonic() - began)
        assert volume['status'] == 'available', volume
    images = set(ceph.rbd_images('volumes'))
    assert {'volume-%s' % v for v in made} <= images
    rss = _rss_mb(ceph.pids() + cinder.pids())
    for volume_id in made:
        _delete_volume(cinder, volume_id)
    print('\nceph ready %.1f s (mon %.1f s, osd %.1f s); cinder ready '
          '%.1f s after (db sync %.1f s); volume create -> available p50 '
          '%.2f s, max %.2f s; RSS ceph+cinder %.0f MB' % (
              ceph.timings['ready'], ceph.timings['mon'],
              ceph.timings['osd'], cinder.timings['ready'],
              cinder.timings['db_sync'], statistics.median(took), max(took),
              rss))


def _descendants(pids):
    found = set(pids)
    for pid in pids:
        try:
            found.update(p.pid for p in
                         psutil.Process(pid).children(recursive=True))
        except psutil.NoSuchProcess:
            pass
    return found


def _processes_naming(path):
    named = []
    for proc in psutil.process_iter(['pid', 'cmdline']):
        if any(path in arg for arg in proc.info['cmdline'] or ()):
            named.append((proc.info['pid'], proc.info['cmdline']))
    return named


def _assert_gone(pids, directory):
    alive = [p for p in pids if psutil.pid_exists(p) and
             psutil.Process(p).status() != psutil.STATUS_ZOMBIE]
    assert alive == []
    assert _processes_naming(directory) == []
    assert not os.path.exists(directory)


def test_ceph_stop_leaves_no_process_or_directory():
    cluster = ceph_mod.Ceph(pools=())
    try:
        cluster.start()
    except ceph_mod.CephError as e:
        services.unavailable('Ceph did not start: %s' % e)
    pids = _descendants(cluster.pids())
    assert len(pids) == 3  # mon, mgr, osd
    cluster.stop()
    _assert_gone(pids, cluster.dir)


def _vhosts():
    done = subprocess.run(['rabbitmqctl', '-q', 'list_vhosts'],
                          capture_output=True, text=True, timeout=60,
                          check=True)
    return done.stdout.split()


def _database_exists(url):
    name = sa.engine.make_url(url).database
    engine = sa.create_engine(sa.engine.make_url(url).set(
        database='postgres'))
    try:
        with engine.connect() as conn:
            return conn.exec_driver_sql(
                'SELECT 1 FROM pg_database WHERE datname = %(name)s',
                {'name': name}).scalar() == 1
    finally:
        engine.dispose()


def test_cinder_stop_leaves_no_process_vhost_database_or_directory(
        ceph_cinder):
    volumes = cinder_mod.Cinder(ceph_cinder.ceph)
    try:
        volumes.start()
    except cinder_mod.CinderError as e:
        services.unavailable('Cinder did not start: %s' % e)
    pids = _descendants(volumes.pids())
    # api (+ its worker), scheduler, volume (+ its backend's process)
    assert len(pids) >= 5, pids
    assert volumes.vhost in _vhosts()
    assert _database_exists(volumes.database_url)
    volumes.stop()
    _assert_gone(pids, volumes.dir)
    assert volumes.vhost not in _vhosts()
    assert not _database_exists(volumes.database_url)


@pytest.mark.parametrize('required, outcome', [
    ('1', pytest.fail.Exception), ('0', pytest.skip.Exception)])
def test_a_machine_without_ceph_skips_or_under_ci_fails(
        monkeypatch, required, outcome):
    monkeypatch.setenv('NOVA_TEST_REQUIRE_SERVICES', required)
    monkeypatch.setenv('PATH', '/nonexistent')
    made = set(os.listdir(tempfile.gettempdir()))
    with pytest.raises(outcome) as raised:
        block_storage.start()
    assert str(raised.value).startswith(
        'Ceph did not start: Ceph is not installed, no ceph-mon, ceph-mgr')
    assert 'tools/install.sh' in str(raised.value)
    assert not [d for d in set(os.listdir(tempfile.gettempdir())) - made
                if d.startswith('ceph-func-')]
