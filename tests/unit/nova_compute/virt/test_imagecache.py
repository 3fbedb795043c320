"""The image cache: bases in _base and qcow2 overlays, with a real qemu-img."""

import json
import os
import subprocess
import threading
import time

import pytest

from common import exception
from nova_compute.virt.libvirt import imagecache

GiB = 1024 ** 3


def qemu_img_info(path):
    out = subprocess.run(['qemu-img', 'info', '--output=json', '-U', path],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


@pytest.fixture
def store(tmp_path):
    """A local image store holding a raw and a qcow2 image."""
    directory = tmp_path / 'images'
    directory.mkdir()
    raw = directory / 'raw.img'
    raw.write_bytes(b'\0' * (1024 * 1024))
    qcow2 = directory / 'disk.qcow2'
    subprocess.run(['qemu-img', 'create', '-f', 'qcow2', str(qcow2), '64M'],
                   check=True, capture_output=True)
    return {
        'raw': {'id': 'raw-1', 'disk_format': 'raw', 'location': str(raw),
                'properties': {}},
        'qcow2': {'id': 'qcow2-1', 'disk_format': 'qcow2',
                  'location': str(qcow2), 'properties': {}},
    }


@pytest.fixture
def cache(tmp_path):
    return imagecache.ImageCache(str(tmp_path / 'instances'))


@pytest.mark.parametrize('kind', ['raw', 'qcow2'])
def test_overlay_is_backed_by_base_and_sized(cache, store, tmp_path, kind):
    image = store[kind]
    dest = str(tmp_path / 'disk')
    cache.create_overlay(image, dest, 2)
    base = os.path.join(cache.base_dir, image['id'])
    assert os.path.isfile(base)
    info = qemu_img_info(dest)
    assert info['format'] == 'qcow2'
    assert info['backing-filename'] == base
    assert info['backing-filename-format'] == kind
    assert info['virtual-size'] == 2 * GiB
    # The base keeps the declared format: nothing was converted.
    assert qemu_img_info(base)['format'] == kind


def test_root_gb_zero_keeps_image_size(cache, store, tmp_path):
    dest = str(tmp_path / 'disk')
    cache.create_overlay(store['qcow2'], dest, 0)
    assert qemu_img_info(dest)['virtual-size'] == 64 * 1024 * 1024


def test_image_larger_than_root_disk_is_refused(cache, tmp_path):
    big = tmp_path / 'big.qcow2'
    subprocess.run(['qemu-img', 'create', '-f', 'qcow2', str(big), '3G'],
                   check=True, capture_output=True)
    image = {'id': 'big', 'disk_format': 'qcow2', 'location': str(big)}
    with pytest.raises(exception.ImageUnacceptable):
        cache.create_overlay(image, str(tmp_path / 'disk'), 2)
    assert not os.path.exists(tmp_path / 'disk')


def test_missing_image_file_is_unacceptable(cache, tmp_path):
    image = {'id': 'gone', 'disk_format': 'raw',
             'location': str(tmp_path / 'nope')}
    with pytest.raises(exception.ImageUnacceptable):
        cache.create_overlay(image, str(tmp_path / 'disk'), 1)
    image['location'] = None
    with pytest.raises(exception.ImageUnacceptable):
        cache.create_overlay(image, str(tmp_path / 'disk'), 1)


def test_declared_format_must_match(cache, store, tmp_path):
    liar = dict(store['qcow2'], id='liar', disk_format='raw')
    with pytest.raises(exception.ImageUnacceptable):
        cache.create_overlay(liar, str(tmp_path / 'disk'), 1)
    # Nothing half-fetched is left in the cache.
    assert os.listdir(cache.base_dir) == ['.liar.lock']


def test_unsupported_format_is_unacceptable(cache, store, tmp_path):
    iso = dict(store['raw'], id='iso', disk_format='iso')
    with pytest.raises(exception.ImageUnacceptable):
        cache.create_overlay(iso, str(tmp_path / 'disk'), 1)


def test_image_with_backing_file_is_refused(cache, store, tmp_path):
    child = tmp_path / 'child.qcow2'
    subprocess.run(['qemu-img', 'create', '-f', 'qcow2', '-F', 'raw', '-b',
                    store['raw']['location'], str(child)],
                   check=True, capture_output=True)
    image = {'id': 'child', 'disk_format': 'qcow2', 'location': str(child)}
    with pytest.raises(exception.ImageUnacceptable):
        cache.create_overlay(image, str(tmp_path / 'disk'), 1)


@pytest.mark.parametrize('bad_id', ['', '../escape', '.hidden', 'a/b', None])
def test_unsafe_image_id_is_refused(cache, store, tmp_path, bad_id):
    image = dict(store['raw'], id=bad_id)
    with pytest.raises(exception.ImageUnacceptable):
        cache.create_overlay(image, str(tmp_path / 'disk'), 1)


def test_base_is_fetched_once_and_reused(cache, store, tmp_path, monkeypatch):
    copies = []
    real_copy = imagecache._copy_file
    monkeypatch.setattr(imagecache, '_copy_file',
                        lambda src, dst: (copies.append(src),
                                          real_copy(src, dst)))
    cache.create_overlay(store['raw'], str(tmp_path / 'a'), 1)
    cache.create_overlay(store['raw'], str(tmp_path / 'b'), 1)
    # A new cache object (a restarted nova-compute) also reuses the base.
    again = imagecache.ImageCache(os.path.dirname(cache.base_dir))
    again.create_overlay(store['raw'], str(tmp_path / 'c'), 1)
    assert len(copies) == 1


def test_concurrent_overlays_fetch_base_once(cache, store, tmp_path,
                                             monkeypatch):
    copies = []
    real_copy = imagecache._copy_file

    def slow_copy(src, dst):
        copies.append(src)
        # Widen the window in which a racing spawn would fetch again.
        time.sleep(0.2)
        real_copy(src, dst)

    monkeypatch.setattr(imagecache, '_copy_file', slow_copy)
    count = 8
    barrier = threading.Barrier(count)
    errors = []

    def spawn_disk(n):
        barrier.wait()
        try:
            cache.create_overlay(store['qcow2'], str(tmp_path / ('d%d' % n)),
                                 1)
        except Exception as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=spawn_disk, args=(n,))
               for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(copies) == 1
    base = os.path.join(cache.base_dir, 'qcow2-1')
    for n in range(count):
        info = qemu_img_info(str(tmp_path / ('d%d' % n)))
        assert info['backing-filename'] == base


def test_plain_file_fetch_skips_disk_checks(cache, tmp_path):
    kernel = tmp_path / 'vmlinuz'
    kernel.write_bytes(b'not a disk image')
    path = cache.fetch({'id': 'kernel-1', 'location': str(kernel)},
                       check_disk=False)
    assert open(path, 'rb').read() == b'not a disk image'


def test_blank_disk(cache, tmp_path):
    dest = str(tmp_path / 'disk.local')
    cache.create_blank(dest, 3)
    info = qemu_img_info(dest)
    assert info['format'] == 'qcow2'
    assert info['virtual-size'] == 3 * GiB
    assert 'backing-filename' not in info
