"""The chunked body decoder: exact framing, bounded memory, clear errors."""

import io

import pytest

from nova_api import chunked

NEXT = b'GET / HTTP/1.1\r\n'


class Counting(io.BytesIO):
    """A socket file that records the largest read asked of it."""

    largest = 0

    def read(self, size=-1):
        self.largest = max(self.largest, size if size >= 0 else 1 << 62)
        return super().read(size)


def _body(wire, limit=None):
    rfile = Counting(wire)
    return chunked.ChunkedBody(rfile, limit), rfile


def test_decodes_chunks_with_extensions_and_trailers_up_to_the_next_request():
    body, rfile = _body(b'3;name=x\r\nabc\r\n1\r\nd\r\n0\r\nX-Sum: 1\r\n\r\n'
                        + NEXT)
    assert body.read(2) == b'ab'
    assert body.read() == b'cd'
    assert body.read() == b'' and body.done
    assert body.received == 4
    # Exactly at the start of the next request.
    assert rfile.read() == NEXT


def test_a_huge_declared_chunk_is_never_read_whole():
    body, rfile = _body(b'%x\r\n' % (1 << 40) + b'a' * 100)
    assert body.read(10) == b'a' * 10
    assert rfile.largest == 10


@pytest.mark.parametrize('wire', [
    b'zz\r\nabc\r\n0\r\n\r\n',          # size not hex
    b'\r\nabc\r\n0\r\n\r\n',            # no size
    b'3\r\nabcXX0\r\n\r\n',             # data not followed by CRLF
    b'5\r\nab',                         # connection ended in a chunk
    b'3',                               # size line cut short
    b'1' * 5000 + b'\r\n',              # size line too long
    b'0\r\n' + b'X: y\r\n' * 40 + b'\r\n',  # too many trailers
])
def test_broken_framing_is_a_malformed_body(wire):
    body, _ = _body(wire)
    with pytest.raises(chunked.MalformedBody):
        body.read()


def test_a_body_past_the_limit_is_refused_before_its_chunk_is_read():
    body, rfile = _body(b'a\r\n' + b'x' * 10 + b'\r\n0\r\n\r\n', limit=9)
    with pytest.raises(chunked.BodyTooLarge):
        body.read()
    assert rfile.largest == 0


def test_skip_drops_a_small_rest_and_stops_at_its_bound():
    body, rfile = _body(b'5\r\nhello\r\n0\r\n\r\n' + NEXT)
    assert body.skip(5) is True
    assert rfile.read() == NEXT
    body, _ = _body(b'5\r\nhello\r\n0\r\n\r\n')
    assert body.skip(4) is False and not body.done


def test_readline_and_iteration_follow_the_wsgi_input_interface():
    body, _ = _body(b'4\r\na\nbc\r\n2\r\nd\n\r\n0\r\n\r\n')
    assert list(body) == [b'a\n', b'bcd\n']
