"""The one count of a flavor's usage and a host's ceiling."""

import sqlalchemy as sa

from common import capacity


def test_flavor_usage_counts_swap_in_whole_gb():
    flavor = {'vcpus': 2, 'memory_mb': 512, 'root_gb': 10,
              'ephemeral_gb': 5, 'swap': 1025}
    assert capacity.flavor_usage(flavor) == (2, 512, 17)


def test_flavor_usage_treats_missing_or_null_fields_as_zero():
    assert capacity.flavor_usage({'vcpus': None, 'swap': None}) == (0, 0, 0)


def test_usable_on_numbers():
    assert capacity.usable(16, 2, 1.5) == 21.0


def test_usable_builds_the_same_formula_in_sql():
    # The conductor's claim runs this expression in the database: it must
    # give what the scheduler computes in Python for the same row.
    engine = sa.create_engine('sqlite://')
    meta = sa.MetaData()
    nodes = sa.Table('nodes', meta, sa.Column('total', sa.Integer),
                     sa.Column('reserved', sa.Integer),
                     sa.Column('ratio', sa.Float))
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.execute(nodes.insert(), [{'total': 16, 'reserved': 2,
                                       'ratio': 1.5}])
        c = nodes.c
        got = conn.execute(sa.select(
            capacity.usable(c.total, c.reserved, c.ratio))).scalar_one()
    assert got == capacity.usable(16, 2, 1.5)
