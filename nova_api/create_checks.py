"""Checks of a server create body that need no conductor: metadata and
injected-file quotas, and which block device mappings we can honour."""

import base64

from common import exception
from nova_api import errors


def check_metadata(limits, metadata):
    limit = limits['metadata_items']
    if 0 <= limit < len(metadata):
        raise exception.OverQuota(resource='metadata_items',
                                  requested=len(metadata), used=0,
                                  limit=limit)


def check_personality(limits, files):
    """Injected files (before 2.57) within the project's quotas; this
    cloud has no config drive to carry them, so a valid request is still
    refused, after the quota answer a client expects."""
    if not files:
        return
    if 0 <= limits['injected_files'] < len(files):
        raise exception.QuotaExceeded('Personality file limit exceeded')
    for item in files:
        if 0 <= limits['injected_file_path_length'] < len(item['path']):
            raise exception.QuotaExceeded(
                'Personality file path exceeds maximum %d'
                % limits['injected_file_path_length'])
        size = len(base64.b64decode(item['contents']))
        if 0 <= limits['injected_file_content_bytes'] < size:
            raise exception.QuotaExceeded(
                'Personality file content exceeds maximum %d'
                % limits['injected_file_content_bytes'])
    raise errors.bad_request('File injection (personality) is not '
                             'supported: this cloud has no config drive.')


def image_from_bdms(bdms):
    """The image a boot-from-image mapping names, or None; volumes are
    refused (there is no volume service)."""
    image = None
    for bdm in bdms:
        destination = bdm.get('destination_type', 'local')
        source = bdm.get('source_type')
        if destination == 'volume' or source in ('volume', 'snapshot'):
            raise errors.bad_request('Block device mappings with volumes are '
                                     'not supported: this cloud has no '
                                     'volume service.')
        if source == 'image' and str(bdm.get('boot_index', '')) == '0':
            image = bdm.get('uuid')
    return image
