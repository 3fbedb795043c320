"""Whether a service is up, and the configured service-group driver.

Two drivers ([DEFAULT] servicegroup_driver): 'db' (heartbeats are casts
the conductor coalesces into one UPDATE per flush; liveness is the
services row's last_seen_up) and 'redis' (heartbeats go straight to a
Redis sorted set; redis_driver.py). Either way the conductor hands readers
service dicts whose last_seen_up is the last heartbeat, so the rule below
is the only one.
"""

import datetime

from common.conf import CONF


def _utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def _parse(value):
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value


def service_is_up(service, now=None):
    """`service`: a dict with forced_down and last_seen_up (or updated_at)."""
    if service.get('forced_down'):
        return False
    seen = _parse(service.get('last_seen_up') or service.get('updated_at'))
    if seen is None:
        return False
    age = ((now or _utcnow()) - seen).total_seconds()
    return abs(age) <= CONF.service_down_time


def uses_redis():
    return CONF.servicegroup_driver == 'redis'


_group = None


def redis_group():
    """The process's RedisGroup (one connection pool), made on first use."""
    global _group
    if _group is None:
        from common.servicegroup import redis_driver
        _group = redis_driver.RedisGroup(
            CONF.servicegroup.backend_url, CONF.servicegroup.key_prefix)
    return _group


def beat_function(cast_beat):
    """What a service calls for every heartbeat after its first (which
    registers it through the conductor): `cast_beat(host, binary, topic)`
    (a cast to the conductor) with the db driver, a Redis write with the
    redis driver."""
    if uses_redis():
        return lambda host, binary, topic: redis_group().beat(host, binary)
    return cast_beat
