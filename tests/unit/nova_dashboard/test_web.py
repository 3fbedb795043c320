"""The dashboard's falcon resources: page, config.json and static files."""

import configparser
import fnmatch
import json
import os
import re

import falcon.testing
import pytest

from common.conf import CONF
from nova_api import app as api_app
from nova_dashboard import web

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))


@pytest.fixture
def client():
    return falcon.testing.TestClient(api_app.create_app(object()))


@pytest.mark.parametrize('path', ['/dashboard', '/dashboard/'])
def test_page_is_served_with_a_strict_policy(client, path):
    resp = client.simulate_get(path)
    assert resp.status_code == 200
    assert resp.headers['content-type'].startswith('text/html')
    assert '<script type="module" src="/dashboard/static/app.js">' in resp.text
    csp = resp.headers['content-security-policy']
    assert "default-src 'self'" in csp
    # The serial console's websocket is nova-serialproxy's.
    assert "connect-src 'self' ws://127.0.0.1:6083;" in csp


def test_config_in_noauth_mode(client):
    resp = client.simulate_get('/dashboard/config.json')
    assert resp.status_code == 200
    assert resp.json == {'auth_strategy': 'noauth2', 'identity_url': '',
                         'user_domain': 'Default', 'regions': [],
                         'image_url': '', 'volume_url': '',
                         'compute_api_version': '2.1'}


def test_config_names_keystone_and_regions_and_the_policy_allows_them(
        client):
    CONF.set_override('auth_strategy', 'keystone', group='api')
    CONF.set_override('identity_url', 'http://keystone:5000/', 'dashboard')
    CONF.set_override('regions', {'RegionTwo': 'http://b:8774',
                                  'RegionOne': 'http://a:8774/'},
                      'dashboard')
    got = client.simulate_get('/dashboard/config.json').json
    assert got['auth_strategy'] == 'keystone'
    assert got['identity_url'] == 'http://keystone:5000'
    assert got['regions'] == [
        {'name': 'RegionOne', 'compute_url': 'http://a:8774'},
        {'name': 'RegionTwo', 'compute_url': 'http://b:8774'}]
    csp = client.simulate_get('/dashboard').headers[
        'content-security-policy']
    assert ("connect-src 'self' http://a:8774 http://b:8774 "
            "http://keystone:5000 ws://127.0.0.1:6083;") in csp


def test_config_passes_the_volume_template_and_the_policy_allows_it(
        client):
    CONF.set_override('volume_url', 'http://cinder:8776/v3/%(project_id)s/',
                      'dashboard')
    got = client.simulate_get('/dashboard/config.json').json
    # The browser fills in the project: it knows who is logged in.
    assert got['volume_url'] == 'http://cinder:8776/v3/%(project_id)s'
    csp = client.simulate_get('/dashboard').headers[
        'content-security-policy']
    assert "connect-src 'self' http://cinder:8776 ws://127.0.0.1:6083;" \
        in csp


def test_static_files_have_their_types(client):
    js = client.simulate_get('/dashboard/static/app.js')
    assert js.status_code == 200
    assert js.headers['content-type'].startswith('text/javascript')
    css = client.simulate_get('/dashboard/static/app.css')
    assert css.headers['content-type'].startswith('text/css')


@pytest.mark.parametrize('path', [
    '/dashboard/static/missing.js',
    '/dashboard/static/../web.py',
    '/dashboard/static/%2e%2e/web.py',
    '/dashboard/nothing',
])
def test_unknown_and_escaping_paths_are_nova_404s(client, path):
    resp = client.simulate_get(path)
    assert resp.status_code == 404
    assert resp.json['itemNotFound']['code'] == 404
    assert 'import' not in resp.text


def test_dashboard_can_be_turned_off():
    CONF.set_override('enabled', False, group='dashboard')
    client = falcon.testing.TestClient(api_app.create_app(object()))
    assert client.simulate_get('/dashboard').status_code == 404


def _static_files():
    for root, _dirs, files in os.walk(web.STATIC_DIR):
        for name in files:
            yield os.path.relpath(os.path.join(root, name), web.STATIC_DIR)


def test_every_module_import_resolves_to_a_shipped_file():
    imported = re.compile(r"""(?:from|import\()\s*'(\.{1,2}/[^']+)'""")
    for rel in _static_files():
        if not rel.endswith('.js'):
            continue
        path = os.path.join(web.STATIC_DIR, rel)
        with open(path) as f:
            for target in imported.findall(f.read()):
                resolved = os.path.normpath(os.path.join(
                    os.path.dirname(path), target))
                assert os.path.isfile(resolved), (rel, target)


def test_package_data_ships_every_static_file():
    cfg = configparser.ConfigParser()
    cfg.read(os.path.join(REPO, 'setup.cfg'))
    patterns = cfg['options.package_data']['nova_dashboard'].split(',')
    for rel in _static_files():
        assert any(fnmatch.fnmatch('static/' + rel, p.strip())
                   for p in patterns), rel


def test_pages_listed_in_the_router_exist():
    with open(os.path.join(web.STATIC_DIR, 'app.js')) as f:
        modules = re.findall(r"module: '(\./pages/[^']+)'", f.read())
    assert len(modules) >= 11
    for module in modules:
        assert os.path.isfile(os.path.join(web.STATIC_DIR, module)), module
    assert json.dumps(web.client_config())  # serialisable as is
