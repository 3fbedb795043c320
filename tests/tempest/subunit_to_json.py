"""Read a subunit v2 stream, print its tests as JSON (one object each).

Run by Tempest's own interpreter (.venv-tempest), which has subunit and
testtools; tests/tempest/results.py reads the JSON in the project's venv.

    .venv-tempest/bin/python tests/tempest/subunit_to_json.py run.subunit
"""

import json
import re
import sys

import subunit
import testtools


def _text(details, key):
    content = details.get(key)
    if content is None:
        return ''
    try:
        return content.as_text()
    except Exception:  # a binary attachment: not worth a crash
        return ''


# An exception's line in a traceback: unindented, `Name: message`.
_EXCEPTION_LINE = re.compile(r'^[A-Za-z_][\w.]*(: |$)')


def _error(traceback):
    """The traceback's last exception line (its message may run over many
    lines, e.g. a response body), cut to a readable length."""
    lines = [line for line in traceback.splitlines() if line.strip()]
    found = [line for line in lines if _EXCEPTION_LINE.match(line)]
    line = found[-1] if found else (lines[-1] if lines else '')
    return line.strip()[:300]


def read(stream):
    tests = []

    def on_test(test):
        details = test['details']
        tests.append({
            'id': test['id'],
            'status': test['status'],
            'reason': _text(details, 'reason'),
            'error': _error(_text(details, 'traceback')),
        })
    result = testtools.StreamToDict(on_test)
    result.startTestRun()
    try:
        subunit.ByteStreamToStreamResult(
            stream, non_subunit_name='stdout').run(result)
    finally:
        result.stopTestRun()
    return tests


def main(argv):
    with open(argv[1], 'rb') as stream:
        json.dump(read(stream), sys.stdout, indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
