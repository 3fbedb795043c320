"""A request's body as the API reads it, sent with a Content-Length or
chunked (Transfer-Encoding: chunked, as `openstack image create --file`
may stream it).

A body that is too large, or whose framing is broken, is answered 413 or
400 with `Connection: close`: what is left of it stays unread, so the
connection must not carry another request.
"""

from common import exception
from nova_api import chunked

CLOSE = {'Connection': 'close'}


def too_large(limit):
    return exception.RequestTooLarge(limit=limit, headers=CLOSE)


def _chunked(req):
    return req.content_length is None and \
        req.get_header('Transfer-Encoding') is not None


class Body:
    """The body as a stream whose read() raises the API's errors; `limit`
    is the most this route takes, named in a 413."""

    def __init__(self, req, limit):
        # falcon's bounded_stream is empty without a Content-Length; the
        # server decodes a chunked body into the raw stream.
        self._stream = req.stream if _chunked(req) else req.bounded_stream
        self._limit = limit

    def read(self, size=-1):
        try:
            return self._stream.read(size)
        except chunked.BodyTooLarge:
            raise too_large(self._limit)
        except chunked.MalformedBody as err:
            raise exception.Invalid('The request body is not valid chunked '
                                    'transfer coding: %s.' % err,
                                    headers=CLOSE)
        except OSError as err:
            raise exception.Invalid('The request body could not be read: '
                                    '%s.' % err, headers=CLOSE)


def read(req, limit):
    """The whole body, at most `limit` bytes (413 beyond it)."""
    if req.content_length is not None and req.content_length > limit:
        raise too_large(limit)
    raw = Body(req, limit).read(limit + 1)
    if len(raw) > limit:
        raise too_large(limit)
    return raw
