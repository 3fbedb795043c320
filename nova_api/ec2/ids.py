"""EC2 ids from Nova uuids, stably and without a table.

An EC2 id is its prefix and the first 17 hex digits of the uuid
(`i-0f1e2d3c4b5a69788`, AWS's long form): 64 random bits of a version-4
uuid, so two of a project's servers never share one in practice, and the
uuid is found again by that prefix. Images get `ami-` the same way,
reservations `r-` from Nova's reservation id.
"""

import re

from nova_api.ec2 import errors

DIGITS = 17
_ID_RE = re.compile(r'^(i|ami|r)-([0-9a-f]{%d}|[0-9a-f]{8})$' % DIGITS)
# The same bound AWS documents for InstanceId.N and its friends.
MAX_IDS = 1000


def _hex(uuid):
    return uuid.replace('-', '')[:DIGITS].lower()


def instance_id(uuid):
    return 'i-' + _hex(uuid)


def image_id(uuid):
    return 'ami-' + _hex(uuid)


def reservation_id(nova_reservation_id):
    """Nova's `r-xxxxxxxx` is already EC2's short form."""
    return nova_reservation_id or 'r-00000000'


def uuid_prefix(ec2_id):
    """The start of the uuid string (with its dashes) an id stands for."""
    digits = ec2_id.split('-', 1)[1]
    out = []
    for i, digit in enumerate(digits):
        if i in (8, 12, 16, 20):
            out.append('-')
        out.append(digit)
    return ''.join(out)


def check(ec2_id, prefix, not_found_code):
    """`ec2_id` if it is an id of that kind; a malformed one is the
    kind's Malformed error (InvalidInstanceID.Malformed)."""
    match = _ID_RE.match(ec2_id or '')
    if not match or match.group(1) != prefix or (
            prefix != 'r' and len(match.group(2)) != DIGITS):
        raise errors.InvalidParameterValue(
            'Invalid id: "%s" (expecting "%s-" and %d hex digits)'
            % (_printable(ec2_id), prefix, DIGITS),
            code=not_found_code.replace('.NotFound', '.Malformed'))
    return ec2_id


def _printable(text):
    text = str(text or '')[:80]
    return ''.join(c if c.isprintable() else '?' for c in text)
