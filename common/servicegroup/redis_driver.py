"""The redis service-group driver: one sorted set of last-seen stamps per
binary (member = host, score = Redis's clock at the heartbeat).

A sorted set, not tooz: tooz's group read costs O(members) per question
and forgets a member once its beat key expires (bench/tooz_members.py);
here "who is down" is ZRANGEBYSCORE -inf..cutoff, O(log N + down), and a
dead host keeps its stamp for os-services. Stamps come from Redis's own
clock, so hosts' clocks need not agree.
"""

import datetime

import redis

# ZADD with the server's clock: the stamp is when Redis received it.
_BEAT = """
local t = redis.call('TIME')
redis.call('ZADD', KEYS[1], t[1] + t[2] / 1000000, ARGV[1])
return t[1]
"""
# Who is stale by Redis's clock, and how many are in the set: one round
# trip for the scheduler's every refresh.
_STALE_AND_COUNT = """
local t = redis.call('TIME')
local cutoff = t[1] + t[2] / 1000000 - tonumber(ARGV[1])
return {redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. cutoff),
        redis.call('ZCARD', KEYS[1])}
"""


def _as_datetime(score):
    if score is None:
        return None
    return datetime.datetime.fromtimestamp(float(score),
                                           datetime.timezone.utc)


class RedisGroup:
    def __init__(self, url, prefix, client=None):
        self.client = client or redis.Redis.from_url(
            url, socket_timeout=5, socket_connect_timeout=5)
        self.prefix = prefix
        self._beat = self.client.register_script(_BEAT)
        self._stale_and_count = self.client.register_script(_STALE_AND_COUNT)

    def _key(self, binary):
        return '%s:servicegroup:%s' % (self.prefix, binary)

    def beat(self, host, binary):
        self._beat(keys=[self._key(binary)], args=[host])

    def forget(self, host, binary):
        """A deleted service leaves the group."""
        self.client.zrem(self._key(binary), host)

    def now(self):
        seconds, micros = self.client.time()
        return seconds + micros / 1e6

    def last_seen(self, binary, hosts):
        """{host: datetime of its last heartbeat, or None}."""
        hosts = list(hosts)
        if not hosts:
            return {}
        scores = self.client.zmscore(self._key(binary), hosts)
        return {host: _as_datetime(score)
                for host, score in zip(hosts, scores)}

    def stale(self, binary, down_time):
        """Hosts of `binary` whose last heartbeat is older than `down_time`
        seconds: O(log N + stale)."""
        cutoff = self.now() - down_time
        return [h.decode() for h in self.client.zrangebyscore(
            self._key(binary), '-inf', '(%f' % cutoff)]

    def stale_and_count(self, binary, down_time):
        """(stale(binary, down_time), count(binary)) in one round trip."""
        stale, count = self._stale_and_count(keys=[self._key(binary)],
                                             args=[down_time])
        return [h.decode() for h in stale], int(count)

    def count(self, binary):
        return self.client.zcard(self._key(binary))

    def clear(self):
        """Drop every key of this prefix (tests, a fresh bench run)."""
        for key in self.client.scan_iter('%s:servicegroup:*' % self.prefix):
            self.client.delete(key)
