"""A chunked request body (Transfer-Encoding: chunked), decoded as read.

nova-api's server hands this to the app as wsgi.input. It never holds
more than the caller asked for: cheroot's own decoder reads each chunk
whole into memory, and a client may declare one chunk as large as it
likes. It reads the trailer section too, so that once `done` the
connection is exactly at the start of the next request.
"""

HEX_DIGITS = frozenset(b'0123456789abcdefABCDEF')
# A size line is hex digits, optional extensions and CRLF; a trailer line
# is a header. Longer lines are refused rather than buffered.
MAX_LINE = 4096
MAX_TRAILERS = 32
CRLF = b'\r\n'


class MalformedBody(ValueError):
    """The bytes are not valid chunked transfer coding."""


class BodyTooLarge(ValueError):
    """The body passes the most this server accepts."""

    def __init__(self, limit):
        super().__init__('The request body is larger than %d bytes.' % limit)
        self.limit = limit


class ChunkedBody:
    """A file-like reader of a chunked body from a connection's `rfile`;
    at most `limit` decoded bytes (None: no limit)."""

    def __init__(self, rfile, limit=None):
        self._rfile = rfile
        self._limit = limit
        self._left = 0  # bytes of the current chunk not read yet
        self.received = 0
        self.done = False

    def _line(self):
        line = self._rfile.readline(MAX_LINE + 1)
        if not line.endswith(CRLF):
            raise MalformedBody('a line of the chunked coding is cut short '
                                'or longer than %d bytes' % MAX_LINE)
        return line[:-2]

    def _next_chunk(self):
        size = self._line().split(b';', 1)[0].strip()
        if not size or len(size) > 16 or not HEX_DIGITS.issuperset(size):
            raise MalformedBody('bad chunk size %r' % size[:20])
        size = int(size, 16)
        if size == 0:
            self._trailers()
            return
        if self._limit is not None and self.received + size > self._limit:
            raise BodyTooLarge(self._limit)
        self._left = size

    def _trailers(self):
        for _ in range(MAX_TRAILERS):
            if not self._line():
                self.done = True
                return
        raise MalformedBody('more than %d trailer lines' % MAX_TRAILERS)

    def read(self, size=-1):
        """Up to `size` decoded bytes (all that is left when negative or
        None); b'' at the end of the body."""
        parts = []
        got = 0
        whole = size is None or size < 0
        while not self.done and (whole or got < size):
            if not self._left:
                self._next_chunk()
                continue
            want = self._left if whole else min(self._left, size - got)
            data = self._rfile.read(want)
            if not data:
                raise MalformedBody('the connection ended inside a chunk')
            parts.append(data)
            got += len(data)
            self.received += len(data)
            self._left -= len(data)
            if not self._left and self._rfile.read(2) != CRLF:
                raise MalformedBody('a chunk does not end with CRLF')
        return b''.join(parts)

    def skip(self, most):
        """Read and drop the rest of the body, at most `most` bytes;
        True when the body is then fully read."""
        budget = most + 1  # one more than allowed: the end must show
        while not self.done and budget > 0:
            budget -= len(self.read(min(budget, 65536)))
        return self.done

    def readline(self, size=-1):
        """WSGI asks for it; no caller here reads bodies by line."""
        line = bytearray()
        while (size is None or size < 0 or len(line) < size) and \
                not line.endswith(b'\n'):
            byte = self.read(1)
            if not byte:
                break
            line += byte
        return bytes(line)

    def readlines(self, hint=-1):
        return list(iter(self.readline, b''))

    def __iter__(self):
        return iter(self.readline, b'')
