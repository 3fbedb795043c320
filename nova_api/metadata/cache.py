"""What the metadata service read of each instance, kept for
[api] metadata_cache_expiration seconds: a guest crawling its tree (ten
or so GETs at boot) costs one conductor call.

Bounded (least recently used entries go first), and one load per key at
a time: concurrent requests for the same instance wait for the one call
in flight and share its outcome, value or error, rather than each making
their own. A lookup that found nothing is kept too, so a caller
repeating an unknown address costs the conductor one call per period;
any other error is shared by those waiting at that moment and kept by
no one (the next request asks again).

`forget` wins over a load in flight: what that load brings back is not
kept, and whoever asks after the forget waits for a load of its own
(the answer may have changed hands; see app.forget_addresses).
"""

import collections
import copy
import threading
import time

# Most instances remembered: a hostile caller cycling through addresses
# cannot grow the cache past this.
MAX_ENTRIES = 10000

_ABSENT = object()


def fresh_copy(error):
    """`error` as a new exception object: one error object raised in many
    threads would share (and grow) one traceback and context chain."""
    try:
        again = copy.copy(error)
    except Exception:
        # An exception whose arguments do not rebuild it: its type and
        # text are what callers look at.
        again = Exception(str(error))
    again.__traceback__ = again.__cause__ = again.__context__ = None
    return again


class _Missing:
    """A cached 'not found': the exception to raise (a copy of) again."""

    def __init__(self, error):
        self.error = error


class _Load:
    """One load in flight; those asking for its key meanwhile wait on
    `done` for its value or error."""

    def __init__(self):
        self.done = threading.Event()
        self.value = _ABSENT
        self.error = None
        # Set by forget(): the value is not kept.
        self.forgotten = False


class TTLCache:

    def __init__(self, load, ttl, max_entries=MAX_ENTRIES,
                 clock=time.monotonic):
        self._load = load
        self._ttl = ttl
        self._max = max_entries
        self._clock = clock
        self._entries = collections.OrderedDict()  # key -> (expiry, value)
        self._loading = {}  # key -> _Load in flight
        self._lock = threading.Lock()
        self.loads = 0  # conductor calls made (the bench reports it)

    def get(self, key, not_found=Exception):
        """The value for `key`, loaded if absent or stale; a `not_found`
        error the load raised is cached and raised again."""
        with self._lock:
            value = self._fresh(key)
            if value is _ABSENT:
                load = self._loading.get(key)
                mine = load is None
                if mine:
                    load = self._loading[key] = _Load()
                    self.loads += 1
        if value is _ABSENT:
            if mine:
                self._fill(key, load, not_found)
                if load.error is not None:
                    raise load.error
            else:
                load.done.wait()
                if load.error is not None:
                    raise fresh_copy(load.error)
            value = load.value
        if isinstance(value, _Missing):
            raise fresh_copy(value.error)
        return value

    def _fresh(self, key):
        entry = self._entries.get(key)
        if entry is None:
            return _ABSENT
        if entry[0] <= self._clock():
            del self._entries[key]
            return _ABSENT
        self._entries.move_to_end(key)
        return entry[1]

    def _fill(self, key, load, not_found):
        try:
            try:
                load.value = self._load(key)
            except not_found as error:
                load.value = _Missing(error)
            except Exception as error:
                load.error = error
        finally:
            with self._lock:
                if self._loading.get(key) is load:
                    del self._loading[key]
                if load.value is not _ABSENT and not load.forgotten and \
                        self._ttl > 0:
                    self._entries[key] = (self._clock() + self._ttl,
                                          load.value)
                    self._entries.move_to_end(key)
                    while len(self._entries) > self._max:
                        self._entries.popitem(last=False)
            if load.value is _ABSENT and load.error is None:
                # The load ended by a BaseException (the thread is being
                # torn down): those waiting must not wait forever.
                load.error = RuntimeError('The load of %r was interrupted.'
                                          % (key,))
            load.done.set()

    def forget(self, key):
        """Drop `key`; a load of it in flight is not kept either."""
        with self._lock:
            self._entries.pop(key, None)
            load = self._loading.pop(key, None)
            if load is not None:
                load.forgotten = True
