"""The CLI talks HTTP only: it imports none of the server packages."""

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[3]
SERVER_PACKAGES = ('common', 'nova_api', 'nova_conductor', 'nova_scheduler',
                   'nova_compute', 'migrations', 'sqlalchemy',
                   'oslo_messaging')


def test_nova_cli_imports_no_server_package():
    offenders = []
    for path in sorted((ROOT / 'nova_cli').rglob('*.py')):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += ['%s: %s' % (path.name, n) for n in names
                          if n.split('.')[0] in SERVER_PACKAGES]
    assert offenders == []
