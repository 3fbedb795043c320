"""Who is asking: which instance a metadata request speaks for.

Two ways, as in Nova:
- a proxy in front (Neutron's metadata agent) names the instance in
  X-Instance-ID, with X-Tenant-ID, and signs the id with the shared secret
  in X-Instance-ID-Signature (HMAC-SHA256, hex). Only believed when
  [neutron] service_metadata_proxy is set; a missing or wrong signature is
  403 and logged. A signed id that is not an instance uuid (in its
  canonical form) is 404 at once: the conductor is not asked.
- otherwise the caller's address is a fixed IP: the source address, or,
  from one of [api] trusted_proxies, the last X-Forwarded-For entry (the
  address that proxy saw).
"""

import hashlib
import hmac
import ipaddress
import logging
import uuid

from common import exception
from common.conf import CONF

LOG = logging.getLogger(__name__)

# A lookup key: ('uuid', instance uuid, project id) or ('address', ip).
BY_UUID = 'uuid'
BY_ADDRESS = 'address'


def sign(instance_id, secret):
    """The X-Instance-ID-Signature a proxy sends for `instance_id`."""
    return hmac.new(secret.encode(), instance_id.encode(),
                    hashlib.sha256).hexdigest()


def _header(req, name):
    value = req.get_header(name)
    return value.strip() if value else None


def identify(req):
    """The lookup key of the instance `req` speaks for. Forbidden for a
    proxy request whose signature is missing or wrong, MetadataNotFound
    for an address that is not one."""
    instance_id = _header(req, 'X-Instance-ID')
    if instance_id and CONF.neutron.service_metadata_proxy:
        return _signed(req, instance_id)
    return BY_ADDRESS, _address(req)


def _signed(req, instance_id):
    signature = _header(req, 'X-Instance-ID-Signature') or ''
    secret = CONF.neutron.metadata_proxy_shared_secret
    expected = sign(instance_id, secret) if secret else None
    # compare_digest: the time taken tells nothing of the right answer.
    if expected is None or not hmac.compare_digest(
            signature.encode(), expected.encode()):
        LOG.warning('Metadata request from %s for instance %r refused: '
                    '%s X-Instance-ID-Signature', req.remote_addr,
                    instance_id[:64], 'no' if not signature else 'a wrong')
        raise exception.Forbidden('Invalid proxy request signature.')
    tenant = _header(req, 'X-Tenant-ID')
    if not tenant:
        raise exception.Invalid('X-Tenant-ID header is missing.')
    if not _is_uuid(instance_id):
        raise exception.MetadataNotFound()
    return BY_UUID, instance_id, tenant


def _is_uuid(text):
    """Whether `text` is a uuid as instances' are written (lower-case,
    hyphenated): anything else names no instance."""
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False


def _address(req):
    address = req.remote_addr
    forwarded = _header(req, 'X-Forwarded-For')
    if forwarded and address in CONF.api.trusted_proxies:
        address = forwarded.split(',')[-1].strip()
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        # Junk from a trusted proxy's client never reaches the database.
        raise exception.MetadataNotFound()
