"""Listing pages: keyset pagination over any sort order (ORDER BY plus a
marker row), and the changes-since/changes-before window."""

import datetime

import sqlalchemy as sa

from common import exception
from nova_conductor.db import convert

_EPOCH = datetime.datetime(1970, 1, 1)


def _null_value(column):
    """What NULL counts as in this column, so rows compare and order alike
    on every SQL backend (NULL ordering differs between them)."""
    python_type = column.type.python_type
    if python_type is str:
        return ''
    if python_type is datetime.datetime:
        return _EPOCH
    return 0


def _expr(column):
    return sa.func.coalesce(column, _null_value(column))


def _value(row, column):
    value = getattr(row, column.key)
    return _null_value(column) if value is None else value


def apply(query, sort, marker_row=None):
    """Order `query` by `sort`, [(column, 'asc'|'desc')...], which must end
    in a unique column, and keep only the rows after `marker_row`."""
    exprs = [(_expr(col), direction) for col, direction in sort]
    if marker_row is not None:
        # Rows after the marker: equal on the first i keys, past it on key i.
        clauses = []
        for i, (col, direction) in enumerate(sort):
            expr = exprs[i][0]
            value = _value(marker_row, col)
            past = expr > value if direction == 'asc' else expr < value
            equal = [exprs[j][0] == _value(marker_row, sort[j][0])
                     for j in range(i)]
            clauses.append(sa.and_(*equal, past))
        query = query.where(sa.or_(*clauses))
    return query.order_by(*[expr.asc() if d == 'asc' else expr.desc()
                            for expr, d in exprs])


def marker_row(s, model, marker):
    """The row of `model` whose uuid is `marker` (deleted ones too), to
    page after; None without a marker. MarkerNotFound when none is."""
    if not marker:
        return None
    row = s.scalars(sa.select(model).filter_by(uuid=marker)).first()
    if row is None:
        raise exception.MarkerNotFound(marker=marker)
    return row


def changed_between(query, column, since=None, before=None):
    """`query` kept to rows whose `column` (an updated_at) is at or after
    `since` and at or before `before`: ISO 8601 texts, None for no bound."""
    if since is not None:
        query = query.where(column >= convert.parse_iso(since))
    if before is not None:
        query = query.where(column <= convert.parse_iso(before))
    return query
