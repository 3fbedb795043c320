"""Compute API microversions: parse the request's, check it, echo it back."""

import re

from common import exception

MIN_VERSION = (2, 1)
# Every version up to this one is served; resources branch on
# `req.context.api_version >= (2, N)` where a version changed a shape.
MAX_VERSION = (2, 100)

LEGACY_HEADER = 'X-OpenStack-Nova-API-Version'
HEADER = 'OpenStack-API-Version'
_VERSION_RE = re.compile(r'^([1-9]\d*)\.([1-9]\d*|0)$')


def fmt(version):
    return '%d.%d' % version


def _requested(req):
    value = req.get_header(HEADER)
    if value:
        for item in value.split(','):
            parts = item.strip().split(None, 1)
            if len(parts) == 2 and parts[0].lower() == 'compute':
                return parts[1].strip()
    return req.get_header(LEGACY_HEADER)


def parse(req):
    """The (major, minor) a request asks for; 2.1 when it asks for none."""
    text = _requested(req)
    if text is None:
        return MIN_VERSION
    text = text.strip()
    if text.lower() == 'latest':
        return MAX_VERSION
    match = _VERSION_RE.match(text)
    if not match:
        raise exception.InvalidAPIVersionString(version=text)
    version = (int(match.group(1)), int(match.group(2)))
    if not MIN_VERSION <= version <= MAX_VERSION:
        raise exception.APIVersionNotSupported(
            version=text, minimum=fmt(MIN_VERSION), maximum=fmt(MAX_VERSION))
    return version


def echo(resp, version):
    resp.set_header(HEADER, 'compute %s' % fmt(version))
    resp.set_header(LEGACY_HEADER, fmt(version))
    resp.append_header('Vary', '%s, %s' % (HEADER, LEGACY_HEADER))


def require(req, minimum, maximum=MAX_VERSION):
    """404, as Nova answers, for a route outside the versions serving it."""
    if not minimum <= req.context.api_version <= maximum:
        raise exception.ResourceNotFound()
