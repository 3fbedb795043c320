"""What a create's volume mappings need from Cinder before anything is
made, checked with the caller's token: the volumes exist and are
available, are big enough for the image, are in the server's zone when
[cinder] cross_az_attach is False; and the image a volume-backed server
boots (what its boot volume was made from)."""

from common import cinder_client
from common import exception
from common.conf import CONF

GIB = 1024 ** 3


def _volume_mappings(mappings):
    return [m for m in mappings if m['destination_type'] == 'volume']


def check_attachable(volume, zone):
    """400 unless the volume is available, and in `zone` when [cinder]
    cross_az_attach is False."""
    if volume.get('status') != 'available':
        raise exception.Invalid(
            'Invalid volume: volume %s status must be \'available\'. '
            'Currently in \'%s\'' % (volume['id'], volume.get('status')))
    if not CONF.cinder.cross_az_attach and zone and \
            volume.get('availability_zone') != zone:
        raise exception.Invalid(
            'Server and volumes are not in the same availability zone. '
            'Server is in: %s. Volumes are in: %s'
            % (zone, volume.get('availability_zone')))


class VolumeChecks:

    def __init__(self, cinder=None):
        self.cinder = cinder or cinder_client.CinderClient(CONF)

    def _volume(self, ctxt, volume_id):
        try:
            return self.cinder.get(ctxt, volume_id)
        except exception.VolumeNotFound:
            raise exception.Invalid('Block Device Mapping is Invalid: '
                                    'failed to get volume %s.' % volume_id)

    def boot_image(self, ctxt, boot, image_lookup):
        """The image of a volume-backed server's boot mapping: the image a
        new volume is made from (`image_lookup` checks it), or the one
        an existing volume was made from; {} for none."""
        source = boot['source_type']
        if source == 'image':
            return image_lookup(boot['uuid'])
        if source != 'volume':
            raise exception.Invalid(
                'Block Device Mapping is Invalid: booting from a %s is not '
                'supported; boot from an image, or from a volume.' % source)
        meta = self._volume(ctxt, boot['uuid']).get(
            'volume_image_metadata') or {}
        if not meta.get('image_id'):
            return {}
        # Glance's properties, as Cinder copied them when it made the
        # volume: enough for the scheduler and the hypervisor.
        reserved = ('image_id', 'image_name', 'checksum', 'size',
                    'min_disk', 'min_ram', 'container_format',
                    'disk_format')
        return {'id': meta['image_id'], 'name': meta.get('image_name'),
                'min_disk': int(meta.get('min_disk') or 0),
                'min_ram': int(meta.get('min_ram') or 0),
                'disk_format': meta.get('disk_format'),
                'properties': {k: v for k, v in meta.items()
                               if k not in reserved}}

    def check(self, ctxt, mappings, image, zone, count):
        """400 with Nova's words for what the volume service cannot give
        these mappings; their volumes are left untouched."""
        for m in _volume_mappings(mappings):
            boot = m['boot_index'] == 0
            if m['source_type'] == 'volume':
                if count > 1:
                    raise exception.Invalid(
                        'Cannot attach one or more volumes to multiple '
                        'instances')
                volume = self._volume(ctxt, m['uuid'])
                check_attachable(volume, zone)
                size = int(volume.get('size') or 0)
            elif m['source_type'] in ('image', 'blank'):
                size = m['volume_size']
            else:
                raise exception.Invalid(
                    'Block Device Mapping is Invalid: volumes made from '
                    'snapshots are not supported.')
            if boot and image:
                self._check_size(size, image)

    @staticmethod
    def _check_size(size_gb, image):
        """A boot volume holds the image: min_disk, and the image itself."""
        least = max(int(image.get('min_disk') or 0) * GIB,
                    int(image.get('size') or 0))
        if size_gb * GIB < least:
            raise exception.Invalid(
                'Volume is smaller than the minimum size specified in image '
                'metadata. Volume size is %d bytes, minimum size is %d '
                'bytes.' % (size_gb * GIB, least))
