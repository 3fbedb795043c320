"""A small websocket client (RFC 6455, binary frames) for checking a
console proxy from a script: the functional tests, bench/console.py, or
an operator's `python -m nova_console.wsclient URL`."""

import base64
import os
import socket
import struct
import sys
import urllib.parse

# The most a received frame may carry.
MAX_FRAME = 1 << 20


class HandshakeRefused(Exception):
    def __init__(self, status, text):
        super().__init__('%s %s' % (status, text))
        self.status = status


class WebSocket:

    def __init__(self, url, origin=None, timeout=10):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ('ws', 'http'):
            raise ValueError('only ws:// URLs: %s' % url)
        self.sock = socket.create_connection(
            (parts.hostname, parts.port or 80), timeout=timeout)
        path = parts.path or '/'
        if parts.query:
            path += '?' + parts.query
        key = base64.b64encode(os.urandom(16)).decode()
        lines = ['GET %s HTTP/1.1' % path,
                 'Host: %s' % parts.netloc, 'Upgrade: websocket',
                 'Connection: Upgrade', 'Sec-WebSocket-Key: ' + key,
                 'Sec-WebSocket-Version: 13']
        if origin:
            lines.append('Origin: ' + origin)
        self.sock.sendall(('\r\n'.join(lines) + '\r\n\r\n').encode())
        self._buf = b''
        head = self._until(b'\r\n\r\n').decode('latin-1')
        status = head.split(' ', 2)
        if len(status) < 2 or status[1] != '101':
            raise HandshakeRefused(int(status[1]) if len(status) > 1 and
                                   status[1].isdigit() else 0, head)

    def _until(self, marker):
        while marker not in self._buf:
            data = self.sock.recv(4096)
            if not data:
                raise ConnectionError('closed during the handshake')
            self._buf += data
            if len(self._buf) > 65536:
                raise ConnectionError('handshake too long')
        head, _, self._buf = self._buf.partition(marker)
        return head

    def _exactly(self, count):
        while len(self._buf) < count:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError('closed')
            self._buf += data
        data, self._buf = self._buf[:count], self._buf[count:]
        return data

    def send(self, data, opcode=0x2):
        mask = os.urandom(4)
        size = len(data)
        if size < 126:
            header = struct.pack('!BB', 0x80 | opcode, 0x80 | size)
        elif size < 65536:
            header = struct.pack('!BBH', 0x80 | opcode, 0x80 | 126, size)
        else:
            header = struct.pack('!BBQ', 0x80 | opcode, 0x80 | 127, size)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.sock.sendall(header + mask + masked)

    def recv(self):
        """The next data frame's bytes; None once the peer closed."""
        while True:
            first, second = self._exactly(2)
            opcode, size = first & 0x0f, second & 0x7f
            if size == 126:
                size = struct.unpack('!H', self._exactly(2))[0]
            elif size == 127:
                size = struct.unpack('!Q', self._exactly(8))[0]
            if size > MAX_FRAME:
                raise ConnectionError('frame of %d bytes' % size)
            mask = self._exactly(4) if second & 0x80 else None
            data = self._exactly(size)
            if mask:
                data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
            if opcode == 0x8:
                return None
            if opcode == 0x9:
                self.send(data, 0xa)
                continue
            if opcode in (0x0, 0x1, 0x2):
                return data

    def read_until(self, wanted, limit=1 << 16):
        """What arrives until `wanted` (bytes) has come, or the peer
        closes or the socket times out (socket.timeout)."""
        got = b''
        while wanted not in got and len(got) < limit:
            data = self.recv()
            if data is None:
                break
            got += data
        return got

    def close(self):
        try:
            self.send(struct.pack('!H', 1000), 0x8)
        except OSError:
            pass
        self.sock.close()


def main(argv=None):
    """Print what the console sends for a few seconds."""
    argv = sys.argv[1:] if argv is None else argv
    ws = WebSocket(argv[0], timeout=5)
    try:
        while True:
            data = ws.recv()
            if data is None:
                break
            sys.stdout.write(data.decode('utf-8', 'replace'))
            sys.stdout.flush()
    except socket.timeout:
        pass
    finally:
        ws.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
