"""Timestamps as the APIs print them, from the conductor's ISO 8601 text
(UTC, e.g. '2026-11-24T10:00:01.123456+00:00')."""

import datetime


def seconds(iso):
    """'2026-11-24T10:00:01Z': created/updated of servers and images."""
    return iso[:19] + 'Z' if iso else None


def microseconds(iso):
    """'2026-11-24T10:00:01.123456', no zone: Nova's *_at fields."""
    return iso[:26].replace('+00:00', '') if iso else None


def parse_utc(text):
    """ISO 8601 text (with a zone, "Z", or none: UTC) as a naive UTC
    datetime; ValueError when it is no such text."""
    parsed = datetime.datetime.fromisoformat(text.replace('Z', '+00:00'))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return parsed
