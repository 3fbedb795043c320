"""The conductor client as nova-api uses it, with flavor_get and image_get
answered from a short-lived cache.

Every server create reads its flavor and image; under a burst of boots
those two RPC calls were a large share of a boot's cost, for records that
change rarely. Any flavor or image change made through this API process
empties the cache at once; one made through another API process shows
here within `[api] lookup_cache_ttl` seconds. Only what exists is cached
(a NotFound is asked again), and only active images (an upload that
completes shows at once). When an entry expires under load, one thread
reads it again while the others asking for it wait for that answer,
rather than all asking the conductor at once.
"""

import copy
import threading
import time

_READ_SUFFIXES = ('_get', '_get_all', '_list')
# Reads of different keys may share a lock: a wait is one short call.
_LOAD_LOCKS = 16
_MISS = object()


class CachingConductor:

    def __init__(self, conductor, ttl, clock=time.monotonic):
        self.conductor = conductor
        self.ttl = ttl
        self._clock = clock
        self._entries = {}
        self._lock = threading.Lock()
        self._load_locks = [threading.Lock() for _ in range(_LOAD_LOCKS)]

    def clear(self):
        with self._lock:
            self._entries.clear()

    def _fresh(self, key):
        with self._lock:
            entry = self._entries.get(key)
        if entry is None or entry[1] <= self._clock():
            return _MISS
        # A copy: callers may change what they get.
        return copy.deepcopy(entry[0])

    def _cached(self, key, load, keep=lambda value: True):
        value = self._fresh(key)
        if value is not _MISS:
            return value
        with self._load_locks[hash(key) % _LOAD_LOCKS]:
            # Another thread may have read it while this one waited.
            value = self._fresh(key)
            if value is not _MISS:
                return value
            asked = self._clock()
            value = load()
            if keep(value):
                with self._lock:
                    self._entries[key] = (copy.deepcopy(value),
                                          asked + self.ttl)
            return value

    def flavor_get(self, ctxt, flavorid, project_id=None):
        return self._cached(
            ('flavor', flavorid, project_id),
            lambda: self.conductor.flavor_get(ctxt, flavorid, project_id))

    def image_get(self, ctxt, image_id):
        return self._cached(
            ('image', image_id),
            lambda: self.conductor.image_get(ctxt, image_id),
            keep=lambda image: image.get('status') == 'active')

    def __getattr__(self, name):
        method = getattr(self.conductor, name)
        if (name.startswith(('flavor_', 'image_'))
                and not name.endswith(_READ_SUFFIXES)):
            def change(*args, **kwargs):
                try:
                    return method(*args, **kwargs)
                finally:
                    self.clear()
            return change
        return method


def wrap(conductor, ttl):
    """`conductor` behind the cache, or as it is when ttl is 0."""
    return CachingConductor(conductor, ttl) if ttl > 0 else conductor
