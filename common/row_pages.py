"""Pages of rows sent as one header and a list of values per row: a
list's keys cross RPC once per page rather than once per item."""


def pack(columns, rows):
    """The page of `rows` (sequences of values, in `columns` order)."""
    return {'columns': list(columns), 'rows': [list(row) for row in rows]}


def unpack(page):
    """The page's rows as dicts."""
    columns = page['columns']
    return [dict(zip(columns, row)) for row in page['rows']]
