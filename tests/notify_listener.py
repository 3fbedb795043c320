"""Plays systemd's side of sd_notify for tests: a datagram socket whose
path goes into a daemon's NOTIFY_SOCKET, and what arrived on it."""

import os
import socket
import time


class NotifyListener:
    def __init__(self, directory):
        self.path = os.path.join(str(directory), 'notify.sock')
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.messages = []

    def env(self, watchdog_sec=None, **extra):
        """An environment for a child process that systemd would start."""
        env = dict(os.environ, NOTIFY_SOCKET=self.path, **extra)
        env.pop('WATCHDOG_PID', None)
        env.pop('WATCHDOG_USEC', None)
        if watchdog_sec is not None:
            env['WATCHDOG_USEC'] = str(int(watchdog_sec * 1e6))
        return env

    def wait_for(self, predicate, timeout=30):
        """Read datagrams until `predicate(messages)` holds; the messages."""
        deadline = time.monotonic() + timeout
        while not predicate(self.messages):
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError('systemd was told only %r'
                                     % self.messages)
            self.sock.settimeout(left)
            try:
                self.messages.append(self.sock.recv(4096).decode())
            except socket.timeout:
                pass
        return self.messages

    def count(self, first_line):
        return sum(1 for m in self.messages
                   if m.split('\n')[0] == first_line)

    def close(self):
        self.sock.close()
