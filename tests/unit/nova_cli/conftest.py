"""Run novalite in-process with a clean environment; capture its output."""

import io
import logging
import os

import pytest

from nova_cli import shell


class Result:
    def __init__(self, code, stdout, stderr):
        self.code, self.stdout, self.stderr = code, stdout, stderr


@pytest.fixture
def novalite(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith('OS_'):
            monkeypatch.delenv(name)
    # No clouds.yaml from the machine running the tests.
    monkeypatch.setenv('HOME', str(tmp_path))
    monkeypatch.setenv('OS_CLIENT_CONFIG_FILE', str(tmp_path / 'none.yaml'))

    def run(*argv):
        app = shell.NovaLite()
        app.stdin, app.stdout, app.stderr = (io.StringIO(), io.StringIO(),
                                             io.StringIO())
        before = list(logging.getLogger('').handlers)
        try:
            code = app.run(list(argv))
        except SystemExit as e:  # argparse's usage errors
            code = e.code
        finally:
            # cliff adds a console handler per run; drop it with the app.
            logging.getLogger('').handlers[:] = before
        return Result(code, app.stdout.getvalue(), app.stderr.getvalue())
    return run
