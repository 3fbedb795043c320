"""The architecture's hard line: only nova_conductor touches the database."""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
FORBIDDEN = ('sqlalchemy', 'alembic', 'nova_conductor.db', 'migrations')


def _imports(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            for alias in node.names:
                yield '%s.%s' % (node.module, alias.name)


@pytest.mark.parametrize('package', ['nova_api', 'nova_scheduler',
                                     'nova_compute'])
def test_package_never_imports_the_database(package):
    offenders = []
    for path in sorted((ROOT / package).rglob('*.py')):
        for name in _imports(path):
            if any(name == f or name.startswith(f + '.') for f in FORBIDDEN):
                offenders.append('%s imports %s' % (
                    path.relative_to(ROOT), name))
    assert offenders == []


def test_checker_catches_a_forbidden_import(tmp_path):
    bad = tmp_path / 'bad.py'
    bad.write_text('from nova_conductor.db import models\nimport sqlalchemy\n')
    names = list(_imports(bad))
    assert 'nova_conductor.db' in names and 'sqlalchemy' in names
