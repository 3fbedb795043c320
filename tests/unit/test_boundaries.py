"""The architecture's hard lines, checked on every import in the tree.

- Only nova_conductor (and migrations) touch the database.
- common/ is the ground floor: it imports no service package.
- The dashboard and the CLI reach the API over HTTP only.
- nova_all_in_one, the composition root, is the one package that may
  import every service; nothing imports it.
- No two project modules import each other, directly or in a ring.
"""

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


SERVICES = ('nova_api', 'nova_conductor', 'nova_scheduler', 'nova_compute',
            'nova_dashboard', 'nova_cli', 'nova_all_in_one')
# package -> the names it must never import
RULES = {
    'common': FORBIDDEN + SERVICES,
    'nova_api': FORBIDDEN + ('nova_all_in_one',),
    'nova_scheduler': FORBIDDEN + ('nova_all_in_one',),
    'nova_compute': FORBIDDEN + ('nova_all_in_one',),
    'nova_conductor': ('nova_all_in_one',),
    'nova_all_in_one': FORBIDDEN,
    # Clients of the API: HTTP only.
    'nova_dashboard': FORBIDDEN + tuple(
        p for p in SERVICES if p != 'nova_dashboard'),
    'nova_cli': FORBIDDEN + tuple(p for p in SERVICES if p != 'nova_cli'),
}


def _offenders(package, forbidden, root=ROOT):
    offenders = []
    for path in sorted((root / package).rglob('*.py')):
        for name in _imports(path):
            if any(name == f or name.startswith(f + '.') for f in forbidden):
                offenders.append('%s imports %s' % (
                    path.relative_to(root), name))
    return offenders


@pytest.mark.parametrize('package', sorted(RULES))
def test_package_keeps_to_its_side_of_the_line(package):
    assert _offenders(package, RULES[package]) == []


def test_rules_catch_a_service_imported_by_common(tmp_path):
    (tmp_path / 'common').mkdir()
    (tmp_path / 'common' / 'helper.py').write_text(
        'from nova_conductor.db import instances\n')
    found = _offenders('common', RULES['common'], root=tmp_path)
    assert found == ['common/helper.py imports nova_conductor.db',
                     'common/helper.py imports nova_conductor.db.instances']


def test_checker_catches_a_forbidden_import(tmp_path):
    bad = tmp_path / 'bad.py'
    bad.write_text('from nova_conductor.db import models\nimport sqlalchemy\n')
    names = list(_imports(bad))
    assert 'nova_conductor.db' in names and 'sqlalchemy' in names


PACKAGES = ('common', 'nova_api', 'nova_cli', 'nova_compute',
            'nova_conductor', 'nova_dashboard', 'nova_scheduler',
            'migrations')


def _module_files():
    files = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob('*.py'):
            parts = path.relative_to(ROOT).with_suffix('').parts
            if parts[-1] == '__init__':
                parts = parts[:-1]
            files['.'.join(parts)] = path
    return files


def _project_imports(path, modules):
    """The project modules a file imports, at any depth (lazy ones too).

    `from pkg import sub` counts as importing pkg.sub alone, so a package
    whose __init__ gathers its submodules is not a cycle with each of them.
    """
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module \
                and not node.level:
            subs = ['%s.%s' % (node.module, alias.name)
                    for alias in node.names]
            names = [n for n in subs if n in modules] or [node.module]
        else:
            continue
        found.update(n for n in names if n in modules)
    return found


def _cycles(graph):
    """Strongly connected groups of more than one module (Tarjan)."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for dep in sorted(graph[node]):
            if dep not in index:
                visit(dep)
                low[node] = min(low[node], low[dep])
            elif dep in on_stack:
                low[node] = min(low[node], index[dep])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_no_import_cycles_between_project_modules():
    # Lazy imports count: a cycle hidden in a function is still two modules
    # that cannot be understood, or changed, one without the other.
    modules = _module_files()
    graph = {name: _project_imports(path, modules) - {name}
             for name, path in modules.items()}
    assert _cycles(graph) == []


def test_cycle_finder_finds_a_cycle():
    graph = {'a': {'b'}, 'b': {'c'}, 'c': {'a'}, 'd': {'a'}}
    assert _cycles(graph) == [['a', 'b', 'c']]
