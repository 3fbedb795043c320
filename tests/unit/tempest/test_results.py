"""The Tempest harness' verdict: a run passes only when its failures are
exactly the known ones."""

import pytest

from tests.tempest import results

A = 'tempest.api.compute.servers.test_a.ATest.test_one'
B = 'tempest.api.compute.servers.test_b.BTest.test_two'
C = 'tempest.api.compute.servers.test_c.CTest.test_three'
SETUP = 'setUpClass (tempest.api.compute.admin.test_x.XTest)'


def _result(ident, status, reason='', error=''):
    return {'id': ident, 'status': status, 'reason': reason,
            'error': error}


def _outcome(run, known_text):
    return results.Outcome(run, results.parse_known_failures(known_text))


def test_only_known_failures_pass_the_run():
    outcome = _outcome([_result(A + '[id-1,smoke]', 'success'),
                        _result(B + '[id-2]', 'fail', error='boom'),
                        _result(C, 'skip', reason='no network')],
                       '# group\n%s  # not built yet\n' % B)
    assert outcome.ok
    assert (outcome.count('passed'), outcome.count('failed'),
            outcome.count('skipped')) == (1, 1, 1)
    assert outcome.report().endswith('RESULT: PASS')


def test_a_failure_not_listed_fails_the_run():
    outcome = _outcome([_result(A + '[id-1]', 'fail',
                                error='AssertionError: 404 != 200')], '')
    assert not outcome.ok
    assert outcome.new_failures == [A]
    report = outcome.report()
    assert 'Failed, not on the known-failures list (1):' in report
    assert 'AssertionError: 404 != 200' in report
    assert report.endswith('RESULT: FAIL')


def test_a_listed_test_that_passes_fails_the_run():
    outcome = _outcome([_result(A + '[id-1]', 'success')],
                       '%s # fixed by someone\n' % A)
    assert not outcome.ok
    assert outcome.now_passing == [A]
    assert 'but passed (remove them from the list) (1)' in outcome.report()


def test_a_class_setup_error_counts_as_a_failure():
    run = [_result(SETUP, 'fail', error='Conflict: 409')]
    outcome = _outcome(run, '')
    assert not outcome.ok
    assert outcome.count('failed') == 1
    assert outcome.new_failures == [SETUP]
    assert _outcome(run, '%s # blocked by flavor create\n' % SETUP).ok


def test_listed_tests_that_are_skipped_or_missing_fail_the_run():
    outcome = _outcome([_result(A, 'skip', reason='feature off')],
                       '%s # a\n%s # b\n' % (A, B))
    assert not outcome.ok
    assert outcome.listed_skipped == [A]
    assert outcome.listed_not_run == [B]


def test_unexpected_success_and_unfinished_tests_are_failures():
    outcome = _outcome([_result(A, 'uxsuccess'), _result(B, 'inprogress'),
                        _result(C, 'exists')], '')
    assert outcome.new_failures == [A, B]
    assert outcome.count('passed') == 0


def test_skips_are_grouped_by_reason_most_first():
    outcome = _outcome([_result(A, 'skip', reason='no network'),
                        _result(B, 'skip', reason='no network'),
                        _result(C, 'skip', reason='resize is off')], '')
    report = outcome.report()
    assert '     2  no network\n     1  resize is off' in report


@pytest.mark.parametrize('text', ['%s\n' % A, '%s #   \n' % A,
                                  '%s # x\n%s[id-9] # y\n' % (A, A)])
def test_a_malformed_list_is_refused(text):
    with pytest.raises(ValueError):
        results.parse_known_failures(text)


def test_the_checked_in_list_parses():
    import os
    with open(os.path.join(os.path.dirname(results.__file__),
                           'known_failures.txt')) as f:
        known = results.parse_known_failures(f.read())
    assert all(reason for reason in known.values())
