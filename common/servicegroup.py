"""Whether a service is up: recent heartbeat and not forced down."""

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
    """`service` is a dict with forced_down and last_seen_up (or updated_at)."""
    if service.get('forced_down'):
        return False
    seen = _parse(service.get('last_seen_up') or service.get('updated_at'))
    if seen is None:
        return False
    age = ((now or _utcnow()) - seen).total_seconds()
    return abs(age) <= CONF.service_down_time
