"""Image bytes copied with Glance's checksum and multihash."""

import hashlib
import io

import pytest

from common import image_data


def test_copy_returns_size_and_both_digests():
    data = b'x' * (image_data.CHUNK + 7)
    out = io.BytesIO()
    size, checksum, hash_value = image_data.copy(io.BytesIO(data), out)
    assert out.getvalue() == data
    assert size == len(data)
    assert checksum == hashlib.md5(data).hexdigest()
    assert hash_value == hashlib.sha512(data).hexdigest()


def test_copy_stops_past_the_size_cap():
    with pytest.raises(image_data.SizeCapExceeded) as err:
        image_data.copy(io.BytesIO(b'x' * 11), io.BytesIO(), size_cap=10)
    assert err.value.size_cap == 10


def test_copy_accepts_exactly_the_size_cap():
    assert image_data.copy(io.BytesIO(b'x' * 10), io.BytesIO(),
                           size_cap=10)[0] == 10
