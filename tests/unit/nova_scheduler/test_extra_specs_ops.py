"""Nova's extra-spec operators, as one table of value, requirement, result."""

import pytest

from nova_scheduler import extra_specs_ops

TABLE = [
    # No operator: the whole string must be equal.
    ('QEMU', 'QEMU', True),
    ('QEMU', 'qemu', False),
    ('1', '1.0', False),
    (None, 'x', False),
    # '=' means at least, numerically.
    ('8192', '= 4096', True),
    ('4096', '= 4096', True),
    ('2048', '= 4096', False),
    ('1.5', '= 1.25', True),
    ('abc', '= 1', False),
    # Numeric comparisons.
    ('4', '== 4.0', True),
    ('4', '== 5', False),
    ('4', '!= 5', True),
    ('4', '!= 4', False),
    ('8002000', '>= 8002000', True),
    ('8001999', '>= 8002000', False),
    ('3', '<= 3', True),
    ('4', '<= 3', False),
    (4, '>= 2', True),
    # String comparisons.
    ('kvm', 's== kvm', True),
    ('kvm', 's== KVM', False),
    ('kvm', 's!= xen', True),
    ('kvm', 's!= kvm', False),
    ('abc', 's< abd', True),
    ('abd', 's< abd', False),
    ('abd', 's<= abd', True),
    ('b', 's> a', True),
    ('a', 's> a', False),
    ('a', 's>= a', True),
    ('10', 's< 9', True),            # strings: '10' sorts before '9'
    # Substring, or item of a list.
    ('sse sse2 avx', '<in> avx', True),
    ('sse sse2', '<in> avx', False),
    (['sse', 'sse2'], '<in> sse', True),
    (['sse2'], '<in> sse', False),
    # Every operand present.
    ('sse sse2 avx', '<all-in> sse avx', True),
    ('sse sse2', '<all-in> sse avx', False),
    (['vmx', 'avx'], '<all-in> vmx avx', True),
    (['vmx'], '<all-in> vmx avx', False),
    # One of the alternatives.
    ('kvm', '<or> xen <or> kvm', True),
    ('qemu', '<or> xen <or> kvm', False),
    ('xen', '<or> xen', True),
    # An operator without an operand, or a missing value, never matches.
    ('4', '>=', False),
    (None, '>= 1', False),
    (None, '<or> a <or> b', False),
]


@pytest.mark.parametrize('value,requirement,expected', TABLE)
def test_operator_table(value, requirement, expected):
    assert extra_specs_ops.match(value, requirement) is expected


def test_every_documented_operator_is_in_the_table():
    used = {req.split()[0] for _v, req, _e in TABLE
            if req.split()[0] in extra_specs_ops.OPERATORS}
    assert used == extra_specs_ops.OPERATORS
