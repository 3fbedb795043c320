"""Nova's extra-spec operator syntax: does a host's value meet a requirement.

A requirement is either a plain string (the value must equal it) or an
operator followed by operands:

    '= 4'            value >= 4 (numeric; '=' means 'at least', as in Nova)
    '== 4'  '!= 4'   numeric equal / not equal
    '>= 4'  '<= 4'   numeric comparisons
    's== x' 's!= x'  string equal / not equal
    's< x'  's<= x'  's> x'  's>= x'   string ordering
    '<in> x'         x is a substring of the value (an item, if a list)
    '<all-in> x y'   every operand is in the value
    '<or> a <or> b'  the value equals one of the alternatives

Used by ComputeCapabilitiesFilter and AggregateInstanceExtraSpecsFilter.
"""

import operator


def _numeric(compare):
    def check(value, operand):
        try:
            return compare(float(value), float(operand))
        except (TypeError, ValueError):
            # A word where a number belongs cannot satisfy a numeric rule.
            return False
    return check


def _string(compare):
    def check(value, operand):
        return compare(str(value), operand)
    return check


def _contains(value, operand):
    if isinstance(value, (list, tuple, set, frozenset)):
        return operand in {str(item) for item in value}
    return operand in str(value)


def _contains_all(value, operands):
    return all(_contains(value, operand) for operand in operands)


# Operators taking one operand.
_SINGLE = {
    '=': _numeric(operator.ge),
    '==': _numeric(operator.eq),
    '!=': _numeric(operator.ne),
    '>=': _numeric(operator.ge),
    '<=': _numeric(operator.le),
    's==': _string(operator.eq),
    's!=': _string(operator.ne),
    's<': _string(operator.lt),
    's<=': _string(operator.le),
    's>': _string(operator.gt),
    's>=': _string(operator.ge),
    '<in>': _contains,
}

OPERATORS = frozenset(_SINGLE) | {'<all-in>', '<or>'}


def _alternatives(words):
    # 'a <or> b <or> c' -> ['a', 'b', 'c']; a leading '<or>' was popped.
    return [word for word in words if word != '<or>']


def match(value, requirement):
    """Whether `value` (a host capability or aggregate metadata value)
    satisfies `requirement` (a flavor extra spec's value)."""
    requirement = str(requirement)
    words = requirement.split()
    op = words[0] if words else None
    if op not in OPERATORS:
        # No operator: a plain string compared whole, as Nova does.
        return value is not None and str(value) == requirement
    if value is None:
        return False
    operands = words[1:]
    if not operands:
        return False
    if op == '<or>':
        return str(value) in _alternatives(operands)
    if op == '<all-in>':
        return _contains_all(value, operands)
    return _SINGLE[op](value, operands[0])
