"""Heartbeats cast by services, gathered in memory and written in bulk.

With the db service-group driver every service casts a heartbeat each
report_interval; one SQL transaction each would cost 1,000 commits a
second at 10,000 hosts. A conductor worker keeps the latest stamp per
service (the time it received the beat, so a late flush never makes a
service look fresher than it was) and writes them all in one UPDATE per
[servicegroup] flush_interval.
"""

import logging
import threading

from nova_conductor.db import compute as compute_db
from nova_conductor.db import models

LOG = logging.getLogger(__name__)


class HeartbeatBuffer:
    def __init__(self, clock=models.utcnow, store=None):
        self._clock = clock
        self._store = store or compute_db.services_seen
        self._lock = threading.Lock()
        self._pending = {}

    def record(self, host, binary, topic):
        stamp = self._clock()
        with self._lock:
            self._pending[(host, binary)] = (topic, stamp)

    def flush(self):
        """Write what was gathered; on a database error keep it (merged
        under newer beats) for the next flush. The number written."""
        with self._lock:
            pending, self._pending = self._pending, {}
        if not pending:
            return 0
        try:
            self._store(pending)
        except Exception:
            with self._lock:
                for key, value in pending.items():
                    self._pending.setdefault(key, value)
            raise
        return len(pending)
