"""Brings an image's bytes to this compute host: a local copy or a download.

The download is GET {image endpoint}/v2/images/{id}/file through a
keystoneauth session loaded from [glance], streamed to disk and checked
against the size and hash the registry recorded, so compute hosts need no
shared storage. When the image's file is readable here and
[glance] copy_from_local_store allows it, it is copied instead.
"""

import hashlib
import os
import shutil

from keystoneauth1 import exceptions as ks_exc
from oslo_log import log as logging
import requests

from common import exception
from common import glance_client

LOG = logging.getLogger(__name__)

CHUNK = 1 << 20


def file_url(endpoint, image_id):
    return glance_client.v2_url(endpoint, 'images/%s/file' % image_id)


class _Verifier:
    """Size and hash of streamed data against what the registry recorded."""

    def __init__(self, image):
        self.image = image
        self.size = 0
        algo, self.expected = image.get('os_hash_algo'), \
            image.get('os_hash_value')
        if not (algo and self.expected):
            algo, self.expected = 'md5', image.get('checksum')
        try:
            self.digest = hashlib.new(algo, usedforsecurity=False) \
                if self.expected else None
        except ValueError:
            raise exception.ImageUnacceptable(
                image_id=image['id'], reason='unknown hash algorithm %s'
                % algo)

    def update(self, chunk):
        self.size += len(chunk)
        if self.digest is not None:
            self.digest.update(chunk)

    def verify(self):
        size = self.image.get('size')
        if size is not None and self.size != size:
            raise exception.ImageUnacceptable(
                image_id=self.image['id'],
                reason='got %d bytes, the image has %d' % (self.size, size))
        if self.digest is not None and \
                self.digest.hexdigest() != self.expected:
            raise exception.ImageUnacceptable(
                image_id=self.image['id'],
                reason='its data does not match the recorded %s hash'
                % self.digest.name)


class ImageFetcher:
    """fetch(image, dest) writes the image's data to the file dest."""

    def __init__(self, conf):
        self.conf = conf
        self._glance = glance_client.GlanceClient(conf)

    def fetch(self, image, dest):
        src = image.get('location')
        if self.conf.glance.copy_from_local_store and src and \
                os.path.isfile(src) and os.access(src, os.R_OK):
            shutil.copyfile(src, dest)
            return
        self.download(image, dest)

    # -- the image API ------------------------------------------------------

    @property
    def session(self):
        return self._glance.session

    def endpoints(self):
        """The external image API when there is one (common/glance_client.py
        decides), else this deployment's nova-api."""
        return self._glance.endpoints()

    def download(self, image, dest):
        endpoints = self.endpoints()
        attempts = self.conf.glance.num_retries + 1
        for attempt in range(attempts):
            url = file_url(endpoints[attempt % len(endpoints)], image['id'])
            try:
                return self._download_from(url, image, dest)
            except (ks_exc.ConnectionError, ks_exc.RetriableConnectionFailure
                    ) as err:
                LOG.warning('Image %s: cannot reach %s (attempt %d of %d): '
                            '%s', image['id'], url, attempt + 1, attempts,
                            err)
                last = err
        raise exception.ImageDownloadFailed(image_id=image['id'],
                                            reason=str(last))

    def _download_from(self, url, image, dest):
        resp = self.session.get(url, stream=True, raise_exc=False)
        try:
            if resp.status_code != 200:
                raise exception.ImageDownloadFailed(
                    image_id=image['id'], reason='%s answered %d %s' % (
                        url, resp.status_code, resp.text[:200]))
            verifier = _Verifier(image)
            try:
                with open(dest, 'wb') as out:
                    for chunk in resp.iter_content(CHUNK):
                        verifier.update(chunk)
                        out.write(chunk)
            except requests.RequestException as err:
                raise exception.ImageDownloadFailed(
                    image_id=image['id'], reason='%s: %s' % (url, err))
            verifier.verify()
        finally:
            resp.close()
        LOG.info('Downloaded image %s from %s (%d bytes)', image['id'], url,
                 verifier.size)
