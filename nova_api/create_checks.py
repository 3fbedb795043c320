"""Checks of a server create body that need no conductor: how many
servers the quota lets it make, metadata and injected-file quotas."""

import base64

from common import exception


def count_within_quota(quota, flavor, min_count, max_count):
    """How many servers a create of min_count..max_count may make: the
    most the project's instances, cores and ram quotas have room for, up
    to max_count (Nova's rule); TooManyInstances when that is below
    min_count. `quota` is the conductor's quota_get answer. Decided before
    any per-instance work; the conductor's atomic check at insert remains
    the authority when creates race."""
    limits, usage = quota['limits'], quota['usage']
    each = {'instances': 1, 'cores': flavor['vcpus'],
            'ram': flavor['memory_mb']}
    count = max_count
    short = []
    for resource in ('instances', 'cores', 'ram'):
        if limits[resource] < 0 or each[resource] <= 0:
            continue
        room = max(limits[resource] - usage[resource], 0) // each[resource]
        count = min(count, room)
        if room < min_count:
            short.append(resource)
    if short:
        requested = (str(min_count) if min_count == max_count
                     else '%d-%d' % (min_count, max_count))
        raise exception.TooManyInstances(
            overs=', '.join(short),
            req=', '.join(requested if r == 'instances' else
                          str(max_count * each[r]) for r in short),
            used=', '.join(str(usage[r]) for r in short),
            allowed=', '.join(str(limits[r]) for r in short))
    return count


def check_metadata(limits, metadata):
    limit = limits['metadata_items']
    if 0 <= limit < len(metadata):
        raise exception.OverQuota(resource='metadata_items',
                                  requested=len(metadata), used=0,
                                  limit=limit)


def check_personality(limits, files):
    """Injected files (before 2.57) within the project's quotas. This
    cloud does not inject files (Nova deprecated it, and 2.57 removed it),
    so a valid request is still refused, after the quota answer a client
    expects; user_data carries files to cloud-init instead."""
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
    raise exception.Invalid('File injection (personality) is not '
                            'supported; pass files in user_data (for '
                            'cloud-init, its write_files) instead.')

