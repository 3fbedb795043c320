"""Copying image data while computing the digests Glance records.

Both an upload to nova-api and `nova-manage image import` store image
bytes with Glance's md5 `checksum` and its sha512 `os_hash_value`.
"""

import hashlib

CHUNK = 1 << 20
HASH_ALGO = 'sha512'


class SizeCapExceeded(Exception):
    def __init__(self, size_cap):
        super().__init__('image data exceeds %d bytes' % size_cap)
        self.size_cap = size_cap


def copy(src, dst, size_cap=None):
    """Copy file-like src to dst; returns (size, md5 hex, sha512 hex).

    Stops with SizeCapExceeded as soon as more than size_cap bytes came.
    """
    md5 = hashlib.md5(usedforsecurity=False)
    multihash = hashlib.new(HASH_ALGO)
    size = 0
    while True:
        chunk = src.read(CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size_cap is not None and size > size_cap:
            raise SizeCapExceeded(size_cap)
        md5.update(chunk)
        multihash.update(chunk)
        dst.write(chunk)
    return size, md5.hexdigest(), multihash.hexdigest()
