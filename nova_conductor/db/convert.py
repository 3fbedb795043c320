"""Turn model rows into the plain, JSON-safe dicts that cross RPC."""

import datetime
import json
import re

import sqlalchemy as sa

_DIGITS = re.compile('[0-9]+')
# The largest value of an Integer primary key on every backend.
MAX_ID = 2 ** 31 - 1


def integer_id(value):
    """`value` (an id from a URL: "7") as an Integer primary key, or None
    when no row can have it: not ASCII digits (str.isdigit takes "²",
    which int() refuses), or past the column's range (SQLite's driver
    raises OverflowError past 2^63, the others an error of their own)."""
    text = str(value)
    if not _DIGITS.fullmatch(text) or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if number <= MAX_ID else None


def iso(value):
    """A naive-UTC datetime as ISO-8601 with an explicit +00:00 offset."""
    if value is None:
        return None
    return value.replace(tzinfo=datetime.timezone.utc).isoformat()


def parse_iso(value):
    """ISO-8601 text back to naive UTC (the form the database stores)."""
    if value is None or isinstance(value, datetime.datetime):
        return value
    parsed = datetime.datetime.fromisoformat(value)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return parsed


def row_to_dict(row, exclude=()):
    out = {}
    for column in sa.inspect(row).mapper.column_attrs:
        key = column.key
        if key in exclude:
            continue
        value = getattr(row, key)
        if isinstance(value, datetime.datetime):
            value = iso(value)
        out[key] = value
    return out


def loads(text, default=None):
    if not text:
        return {} if default is None else default
    return json.loads(text)


def dumps(value):
    return json.dumps(value, sort_keys=True)
