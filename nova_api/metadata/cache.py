"""What the metadata service read of each instance, kept for
[api] metadata_cache_expiration seconds: a guest crawling its tree (ten
or so GETs at boot) costs one conductor call.

Bounded (least recently used entries go first), and one load per key at
a time: concurrent requests for the same instance wait for the one call
in flight rather than each making their own. A lookup that found
nothing is kept too, so a caller repeating an unknown address costs the
conductor one call per period.
"""

import collections
import threading
import time

# Most instances remembered: a hostile caller cycling through addresses
# cannot grow the cache past this.
MAX_ENTRIES = 10000


class _Missing:
    """A cached 'not found': the exception to raise again."""

    def __init__(self, error):
        self.error = error


class TTLCache:

    def __init__(self, load, ttl, max_entries=MAX_ENTRIES,
                 clock=time.monotonic):
        self._load = load
        self._ttl = ttl
        self._max = max_entries
        self._clock = clock
        self._entries = collections.OrderedDict()  # key -> (expiry, value)
        self._loading = {}  # key -> Event of the load in flight
        self._lock = threading.Lock()
        self.loads = 0  # conductor calls made (the bench reports it)

    def get(self, key, not_found=Exception):
        """The value for `key`, loaded if absent or stale; a `not_found`
        error the load raised is cached and raised again."""
        while True:
            with self._lock:
                value = self._fresh(key)
                if value is not None:
                    break
                waiting = self._loading.get(key)
                if waiting is None:
                    self._loading[key] = threading.Event()
                    break
            waiting.wait()
        if value is None:
            value = self._fill(key, not_found)
        if isinstance(value, _Missing):
            raise value.error
        return value

    def _fresh(self, key):
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] <= self._clock():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry[1]

    def _fill(self, key, not_found):
        try:
            self.loads += 1
            try:
                value = self._load(key)
            except not_found as error:
                value = _Missing(error)
            if self._ttl > 0:
                with self._lock:
                    self._entries[key] = (self._clock() + self._ttl, value)
                    while len(self._entries) > self._max:
                        self._entries.popitem(last=False)
            return value
        finally:
            with self._lock:
                self._loading.pop(key).set()

    def forget(self, key):
        with self._lock:
            self._entries.pop(key, None)
