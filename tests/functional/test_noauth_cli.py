"""The real `openstack` CLI against nova-all-in-one in noauth2 mode.

The CLI builds an identity client even for `server list`; with
`auth_type: none` it finds one through identity_endpoint_override and the
API's stand-in identity discovery (/identity), as README's clouds.yaml says.
"""

import json
import os
import signal
import subprocess
import sys

import pytest
import requests

from tests.functional import test_all_in_one

BIN = os.path.dirname(sys.executable)
# README.md, "Authentication", with the port filled in.
CLOUDS_YAML = '''\
clouds:
  nova-lite:
    auth_type: none
    auth:
      endpoint: %(url)s/v2.1
    identity_endpoint_override: %(url)s/identity
'''


@pytest.fixture(scope='module')
def all_in_one(tmp_path_factory):
    state = tmp_path_factory.mktemp('noauth-cli')
    proc, url, _lines = test_all_in_one._start(state / 'state')
    image = requests.get(url + '/v2.1/images').json()['images'][0]
    resp = requests.post(url + '/v2.1/servers', json={'server': {
        'name': 'cli-vm', 'flavorRef': '1', 'imageRef': image['id'],
        'networks': 'none'}})
    assert resp.status_code == 202, resp.text
    server = test_all_in_one._wait(url, resp.json()['server']['id'],
                                   'ACTIVE')
    yield url, server, state
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)


def _openstack(*args, clouds=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    if clouds:
        env['OS_CLIENT_CONFIG_FILE'] = str(clouds)
    result = subprocess.run(
        [os.path.join(BIN, 'openstack')] + list(args) + ['-f', 'json'],
        env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_clouds_yaml_from_readme_lists_servers_and_flavors(all_in_one):
    url, server, state = all_in_one
    clouds = state / 'clouds.yaml'
    clouds.write_text(CLOUDS_YAML % {'url': url})
    servers = _openstack('--os-cloud', 'nova-lite', 'server', 'list',
                         clouds=clouds)
    assert [(s['ID'], s['Name'], s['Status']) for s in servers] == [
        (server['id'], 'cli-vm', 'ACTIVE')]
    flavors = _openstack('--os-cloud', 'nova-lite', 'flavor', 'list',
                         clouds=clouds)
    assert {'m1.tiny', 'm1.xlarge'} <= {f['Name'] for f in flavors}


def test_endpoint_on_the_command_line_lists_servers(all_in_one):
    url, server, _state = all_in_one
    servers = _openstack('--os-auth-type', 'none', '--os-endpoint',
                         url + '/v2.1', '--os-identity-api-version', '3',
                         'server', 'list')
    assert [s['ID'] for s in servers] == [server['id']]
