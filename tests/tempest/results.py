"""A Tempest run's results against the known-failures list.

The run passes only when the failures are exactly the listed ones that
ran: a failure not on the list fails it (a regression, or a new test
that fails), and so does a listed test that passed, was skipped or did
not run (the list is stale: remove the line). A class whose setup fails
is one result, `setUpClass (module.Class)`, and counts as a failure like
any test.

The list (tests/tempest/known_failures.txt): one test id per line, then
`#` and why it fails; blank lines and lines starting with `#` are for
grouping. Ids are without Tempest's `[id-...,smoke]` suffix.
"""

import collections
import re

PASSED, FAILED, SKIPPED = 'passed', 'failed', 'skipped'
# subunit status -> what the run counts it as; 'exists' only lists a test.
_STATUSES = {'success': PASSED, 'xfail': PASSED, 'skip': SKIPPED,
             'fail': FAILED, 'uxsuccess': FAILED, 'inprogress': FAILED}
_ATTRS = re.compile(r'\[[^\[\]]*\]$')


def test_id(raw):
    """A test's id without its attributes: `a.b.C.test_x[id-1,smoke]` ->
    `a.b.C.test_x`. Class fixtures keep theirs: `setUpClass (a.b.C)`."""
    return _ATTRS.sub('', raw.strip())


def parse_known_failures(text):
    """{test id: reason} from the list's text; a line without a reason,
    or a test listed twice, is an error (ValueError)."""
    known = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith('#'):
            continue
        ident, sep, reason = line.partition('#')
        ident, reason = test_id(ident), reason.strip()
        if not sep or not reason:
            raise ValueError('line %d: %r has no "# reason"' % (number,
                                                                 line))
        if ident in known:
            raise ValueError('line %d: %s is listed twice' % (number, ident))
        known[ident] = reason
    return known


class Outcome:
    """Counts, skips by reason, and what breaks the run."""

    def __init__(self, results, known):
        # results: [{'id': raw id, 'status': subunit status,
        #            'reason': skip reason, 'error': last traceback line}]
        self.by_status = collections.defaultdict(dict)
        for result in results:
            status = _STATUSES.get(result['status'])
            if status is None:
                continue
            self.by_status[status][test_id(result['id'])] = result
        failed = self.by_status[FAILED]
        passed = self.by_status[PASSED]
        skipped = self.by_status[SKIPPED]
        self.known = known
        self.new_failures = sorted(set(failed) - set(known))
        self.now_passing = sorted(set(known) & set(passed))
        self.listed_skipped = sorted(set(known) & set(skipped))
        self.listed_not_run = sorted(set(known) - set(failed) -
                                     set(passed) - set(skipped))
        self.skip_reasons = collections.Counter(
            (r.get('reason') or '(no reason given)').strip()
            for r in skipped.values())

    def count(self, status):
        return len(self.by_status[status])

    @property
    def ok(self):
        return not (self.new_failures or self.now_passing or
                    self.listed_skipped or self.listed_not_run)

    def report(self):
        lines = ['Tempest: %d passed, %d failed (%d known), %d skipped' % (
            self.count(PASSED), self.count(FAILED),
            self.count(FAILED) - len(self.new_failures),
            self.count(SKIPPED))]
        if self.skip_reasons:
            lines.append('')
            lines.append('Skipped, by reason:')
            for reason, count in sorted(self.skip_reasons.items(),
                                        key=lambda kv: (-kv[1], kv[0])):
                lines.append('  %4d  %s' % (count, reason))
        failed = self.by_status[FAILED]
        problems = [
            ('Failed, not on the known-failures list', self.new_failures,
             lambda t: failed[t].get('error') or ''),
            ('Listed as known failures but passed (remove them from the '
             'list)', self.now_passing, self.known.get),
            ('Listed as known failures but skipped (remove them from the '
             'list)', self.listed_skipped, self.known.get),
            ('Listed as known failures but not run (remove them from the '
             'list)', self.listed_not_run, self.known.get),
        ]
        for title, tests, detail in problems:
            if tests:
                lines.append('')
                lines.append('%s (%d):' % (title, len(tests)))
                for test in tests:
                    lines.append('  %s' % test)
                    if detail(test):
                        lines.append('      %s' % detail(test))
        lines.append('')
        lines.append('RESULT: %s' % ('PASS' if self.ok else 'FAIL'))
        return '\n'.join(lines)
