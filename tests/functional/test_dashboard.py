"""The web dashboard in a real browser against separate daemons
(see browser.py for how Chromium runs)."""

import base64
import re

import pytest

from tests.functional import browser as browser_mod
from tests.functional import deployment as deployment_mod
from tests.functional.browser import go, log_in, open_wizard, row, shot

ACTIVE_TIMEOUT = 30000  # ms


@pytest.fixture(scope='module')
def browser():
    yield from browser_mod.chromium()


@pytest.fixture(scope='module')
def dep(browser):
    d = deployment_mod.Deployment('sqlite')
    d.start()
    yield d
    d.stop()


@pytest.fixture
def page(browser, dep):
    yield from browser_mod.tab(browser)


def fill_wizard(wizard, dep, name, flavor='m1.tiny', zone=None,
                network='none'):
    wizard.get_by_label('Instance name').fill(name)
    if zone:
        wizard.get_by_label('Availability zone').select_option(zone)
    wizard.get_by_role('button', name='2. Source').click()
    wizard.get_by_label('Image').select_option(dep.image['id'])
    wizard.get_by_role('button', name='3. Flavor').click()
    wizard.get_by_label(flavor, exact=True).check()
    wizard.get_by_role('button', name='4. Networks').click()
    wizard.get_by_label('Network').select_option(network)


def row_action(page, name, action):
    row(page, name).get_by_label('Actions for %s' % name).click()
    row(page, name).get_by_role('button', name=action, exact=True).click()


def _servers(dep, token):
    return dep.request('GET', '/v2.1/servers', token=token).json()['servers']


def test_login_launch_watch_active_stop_start_delete(page, dep):
    from playwright.sync_api import expect
    log_in(page, dep, 'alice', 'proj-a')
    expect(page.get_by_role('img', name='Instances: 0 of 10 used')
           ).to_be_visible()
    expect(page.get_by_role('link', name='Hypervisors')).to_have_count(0)
    # No volume endpoint configured: no Volumes page.
    expect(page.get_by_role('link', name='Volumes')).to_have_count(0)
    shot(page, 'overview')

    go(page, 'Instances')
    wizard = open_wizard(page)
    wizard.get_by_role('button', name='Launch instance').click()
    # Checked in the browser: nothing reaches the API.
    expect(wizard.get_by_role('alert')).to_contain_text(
        'Enter an instance name.')
    expect(wizard.get_by_role('alert')).to_contain_text('Select an image.')
    assert _servers(dep, 'alice:proj-a') == []
    fill_wizard(wizard, dep, 'web-1', network='auto')
    shot(page, 'launch-wizard')
    wizard.get_by_role('button', name='Launch instance').click()
    expect(wizard).to_have_count(0)

    web = row(page, 'web-1')
    expect(web).to_have_attribute('data-status', 'ACTIVE',
                                  timeout=ACTIVE_TIMEOUT)
    expect(web).to_contain_text('ACTIVE')
    expect(web).to_contain_text('m1.tiny')
    expect(web).to_contain_text('test-image')
    expect(web).to_contain_text(re.compile(r'10\.11\.0\.\d+'))
    shot(page, 'instances')

    row_action(page, 'web-1', 'Stop')
    expect(web).to_have_attribute('data-status', 'SHUTOFF',
                                  timeout=ACTIVE_TIMEOUT)
    expect(web).to_have_attribute('data-task', '')
    row_action(page, 'web-1', 'Start')
    expect(web).to_have_attribute('data-status', 'ACTIVE',
                                  timeout=ACTIVE_TIMEOUT)
    expect(web).to_have_attribute('data-task', '')

    web.get_by_role('link', name='web-1').click()
    expect(page.get_by_role('heading', name='web-1')).to_be_visible()
    expect(page.locator('#detail-az')).to_have_text('nova')
    detail = page.get_by_role('region', name='Action log')
    for action in ('create', 'stop', 'start'):
        expect(detail.get_by_role('cell', name=action, exact=True)
               ).to_be_visible()
    detail.get_by_role('button', name=re.compile('Show events of create')
                       ).click()
    expect(detail).to_contain_text('spawning: Success')
    page.get_by_role('button', name='Load console output').click()
    expect(page.locator('#console-output')).not_to_have_text(
        re.compile('^(Not loaded.|Loading…)$'))
    shot(page, 'instance-detail')

    page.get_by_role('link', name='← Instances').click()
    row_action(page, 'web-1', 'Delete')
    confirm = page.get_by_role('dialog', name='Delete instance')
    expect(confirm).to_contain_text('Delete instance "web-1"?')
    confirm.get_by_role('button', name='Delete').click()
    expect(web).to_have_count(0, timeout=ACTIVE_TIMEOUT)
    expect(page.locator('#instances-table')).to_contain_text('No instances.')
    assert _servers(dep, 'alice:proj-a') == []


def test_quota_exceeded_launch_shows_the_api_message(page, dep):
    from playwright.sync_api import expect
    resp = dep.request('PUT', '/v2.1/os-quota-sets/proj-q',
                       json={'quota_set': {'instances': 0}})
    assert resp.status_code == 200, resp.text
    log_in(page, dep, 'bob', 'proj-q')
    expect(page.get_by_role('img', name='Instances: 0 of 0 used')
           ).to_be_visible()
    go(page, 'Instances')
    wizard = open_wizard(page)
    fill_wizard(wizard, dep, 'too-many')
    wizard.get_by_role('button', name='3. Flavor').click()
    expect(wizard).to_contain_text('This launch would exceed your quota')
    wizard.get_by_role('button', name='Launch instance').click()
    expect(wizard.locator('#launch-error')).to_have_text(
        'Quota exceeded for instances: Requested 1, but already used 0 of '
        '0 instances')
    shot(page, 'launch-quota-exceeded')
    assert _servers(dep, 'bob:proj-q') == []


def test_failed_build_shows_the_schedulers_explanation(page, dep):
    from playwright.sync_api import expect
    resp = dep.request('POST', '/v2.1/servers', token='carol:proj-f', json={
        'server': {'name': 'huge', 'flavorRef': '5', 'networks': 'none',
                   'imageRef': dep.image['id']}})
    assert resp.status_code == 202, resp.text
    server_id = resp.json()['server']['id']
    dep.wait_for_server(server_id)
    log_in(page, dep, 'carol', 'proj-f')
    go(page, 'Instances')
    expect(row(page, 'huge')).to_have_attribute('data-status', 'ERROR')
    row(page, 'huge').get_by_role('link', name='huge').click()
    fault = page.locator('#fault-message')
    expect(fault).to_contain_text('No valid host was found')
    expect(fault).to_contain_text('RamFilter 2 -> 0')
    expect(fault).not_to_contain_text('Traceback')
    shot(page, 'instance-fault')
    dep.request('DELETE', '/v2.1/servers/%s' % server_id)
    dep.wait_gone(server_id)


def test_keystone_login_posts_the_password_and_uses_the_catalog(page, dep):
    # Keystone itself is faked in the browser; nova-api (noauth) simply
    # takes the token it is handed.
    import json
    from playwright.sync_api import expect
    posted = []
    config = {'auth_strategy': 'keystone', 'identity_url': dep.api + '/id',
              'user_domain': 'Default', 'regions': [], 'image_url': '',
              'volume_url': dep.api + '/volume/v3/%(project_id)s',
              'compute_api_version': '2.1'}
    catalog = [{'type': 'compute', 'endpoints': [
        {'interface': 'public', 'region_id': region, 'url': dep.api + '/v2.1'}
        for region in ('RegionOne', 'RegionTwo')]}]

    def identity(route):
        if route.request.method == 'POST':
            posted.append(json.loads(route.request.post_data))
            route.fulfill(status=201, headers={'X-Subject-Token': 'erin:p-k'},
                          json={'token': {
                              'user': {'name': 'erin'},
                              'project': {'id': 'p-k', 'name': 'Kay'},
                              'roles': [{'name': 'member'}],
                              'expires_at': '2099-01-01T00:00:00Z',
                              'catalog': catalog}})
        else:
            route.fulfill(status=204)

    page.route('**/dashboard/config.json',
               lambda route: route.fulfill(json=config))
    page.route('**/id/v3/auth/tokens', identity)
    # Cinder, faked too: the token's project id goes into its URL.
    page.route('**/volume/v3/p-k/volumes/detail', lambda route: route.fulfill(
        json={'volumes': [{'id': 'v-1', 'name': 'kay-data', 'size': 3,
                           'status': 'available', 'bootable': 'false',
                           'attachments': []}]}))
    page.goto(dep.api + '/dashboard')
    page.get_by_label('User name').fill('erin')
    page.get_by_label('Password').fill('s3cret')
    page.get_by_label('Project', exact=True).fill('Kay')
    page.get_by_role('button', name='Log in').click()
    expect(page.locator('#current-project')).to_have_text('Kay')
    expect(page.get_by_label('Region').locator('option')).to_have_text(
        ['RegionOne', 'RegionTwo'])
    expect(page.get_by_role('img', name='Instances: 0 of 10 used')
           ).to_be_visible()
    assert posted == [{'auth': {
        'identity': {'methods': ['password'], 'password': {'user': {
            'name': 'erin', 'domain': {'name': 'Default'},
            'password': 's3cret'}}},
        'scope': {'project': {'name': 'Kay',
                              'domain': {'name': 'Default'}}}}}]
    shot(page, 'keystone-overview')
    go(page, 'Volumes')
    expect(page.locator('#volumes-table tr[data-name="kay-data"]')
           ).to_contain_text('3 GB')
    page.get_by_role('button', name='Log out').click()
    expect(page.get_by_label('Password')).to_be_visible()


def test_project_pages_keypairs_and_server_groups(page, dep):
    from playwright.sync_api import expect
    log_in(page, dep, 'dave', 'proj-d')
    go(page, 'Flavors')
    expect(page.get_by_role('cell', name='m1.tiny', exact=True)
           ).to_be_visible()
    expect(page.get_by_role('button', name='Create flavor')).to_have_count(0)
    shot(page, 'flavors')
    go(page, 'Images')
    expect(page.get_by_role('cell', name='test-image', exact=True)
           ).to_be_visible()
    shot(page, 'images')

    go(page, 'Key Pairs')
    page.get_by_role('button', name='Create key pair').click()
    page.get_by_label('Name').fill('laptop')
    page.get_by_role('button', name='Create', exact=True).click()
    key = page.get_by_role('dialog', name='Private key of laptop')
    expect(key).to_contain_text('PRIVATE KEY')
    key.get_by_role('button', name='Close').click()
    expect(page.get_by_role('cell', name='laptop', exact=True)).to_be_visible()
    page.get_by_role('button', name='Create key pair').click()
    page.get_by_label('Name').fill('laptop')
    page.get_by_role('button', name='Create', exact=True).click()
    expect(page.get_by_role('dialog').get_by_role('alert')).to_contain_text(
        'already exists')
    page.get_by_role('button', name='Cancel').click()
    shot(page, 'keypairs')

    go(page, 'Server Groups')
    page.get_by_role('button', name='Create server group').click()
    page.get_by_label('Name').fill('spread')
    page.get_by_role('button', name='Create', exact=True).click()
    expect(page.get_by_role('cell', name='anti-affinity', exact=True)
           ).to_be_visible()
    shot(page, 'server-groups')
    groups = dep.request('GET', '/v2.1/os-server-groups',
                         token='dave:proj-d').json()['server_groups']
    assert [(g['name'], g['policies']) for g in groups] == [
        ('spread', ['anti-affinity'])]


def test_admin_creates_aggregate_with_zone_and_launches_into_it(page, dep):
    from playwright.sync_api import expect
    host = dep.compute_hosts[1]
    log_in(page, dep, 'admin', 'admin')
    go(page, 'Hypervisors')
    for name in dep.compute_hosts:
        expect(page.locator('tr[data-host="%s"]' % name)).to_contain_text(
            'up')
    expect(page.get_by_role('meter', name=re.compile('^vCPUs of all'))
           ).to_be_visible()
    shot(page, 'admin-hypervisors')
    go(page, 'Compute Services')
    expect(page.locator('tr[data-host="%s"][data-binary="nova-compute"]'
                        % host)).to_contain_text('enabled')
    shot(page, 'admin-services')

    go(page, 'Aggregates & Zones')
    page.get_by_role('button', name='Create aggregate').click()
    create = page.get_by_role('dialog', name='Create aggregate')
    create.get_by_label('Name').fill('fast')
    create.get_by_label('Availability zone').fill('az1')
    create.get_by_role('button', name='Create', exact=True).click()
    agg = page.locator('tr[data-name="fast"]')
    expect(agg).to_contain_text('az1')
    agg.get_by_role('button', name='Add host to fast').click()
    add = page.get_by_role('dialog', name='Add host to fast')
    add.get_by_label('Host').select_option(host)
    add.get_by_role('button', name='Add host', exact=True).click()
    expect(agg).to_contain_text(host)
    agg.get_by_role('button', name='Edit metadata of fast').click()
    meta = page.get_by_role('dialog', name='Metadata of fast')
    meta.get_by_label('Metadata (key=value, one per line)').fill('ssd=true')
    meta.get_by_role('button', name='Save').click()
    expect(agg).to_contain_text('ssd=true')
    zones = page.get_by_role('region', name='Availability zones')
    expect(zones.get_by_role('row', name=re.compile('^az1'))
           ).to_contain_text(host)
    shot(page, 'admin-aggregates')

    go(page, 'Instances')
    wizard = open_wizard(page)
    fill_wizard(wizard, dep, 'in-az1', zone='az1')
    wizard.get_by_role('button', name='Launch instance').click()
    placed = row(page, 'in-az1')
    expect(placed).to_have_attribute('data-status', 'ACTIVE',
                                     timeout=ACTIVE_TIMEOUT)
    expect(placed).to_contain_text(host)
    go(page, 'All Instances')
    expect(row(page, 'in-az1')).to_contain_text('admin')
    shot(page, 'admin-instances')
    row(page, 'in-az1').get_by_role('link', name='in-az1').click()
    expect(page.locator('#detail-az')).to_have_text('az1')
    expect(page.locator('#detail-host')).to_have_text(host)
    shot(page, 'admin-instance-detail')

    [server] = [s for s in _servers(dep, 'admin:admin')
                if s['name'] == 'in-az1']
    dep.request('DELETE', '/v2.1/servers/%s' % server['id'])
    dep.wait_gone(server['id'])
    [agg] = dep.request('GET', '/v2.1/os-aggregates').json()['aggregates']
    dep.request('POST', '/v2.1/os-aggregates/%s/action' % agg['id'],
                json={'remove_host': {'host': host}})
    dep.request('DELETE', '/v2.1/os-aggregates/%s' % agg['id'])


def _record_creates(page):
    """The bodies of the create requests the page sends."""
    sent = []
    page.on('request', lambda r: sent.append(r.post_data_json) if (
        r.method == 'POST' and r.url.endswith('/v2.1/servers')) else None)
    return sent


def _stored_user_data(dep, server_id):
    """The user data the API kept, decoded, read as an admin at 2.3."""
    server = dep.request(
        'GET', '/v2.1/servers/%s' % server_id,
        headers={'X-OpenStack-Nova-API-Version': '2.3'}).json()['server']
    return base64.b64decode(server['OS-EXT-SRV-ATTR:user_data']).decode()


def _launched(dep, token, name):
    [server] = [s for s in _servers(dep, token) if s['name'] == name]
    return dep.wait_for_server(server['id'])


def test_launch_with_user_data_typed_or_from_a_file_and_config_drive(
        page, dep):
    from playwright.sync_api import expect
    token = 'frank:proj-u'
    sent = _record_creates(page)
    typed = 'héllo ✓\n#!/bin/sh\necho "naïve"\n'
    log_in(page, dep, 'frank', 'proj-u')
    go(page, 'Instances')
    wizard = open_wizard(page)
    fill_wizard(wizard, dep, 'with-data')
    wizard.get_by_role('button', name='7. Configuration').click()
    wizard.get_by_label('User data', exact=True).fill(typed)
    wizard.get_by_label('Configuration drive').check()
    shot(page, 'launch-configuration')
    wizard.get_by_role('button', name='Launch instance').click()
    expect(wizard).to_have_count(0)
    assert len(sent) == 1
    assert sent[0]['server']['config_drive'] is True
    server = _launched(dep, token, 'with-data')
    assert server['status'] == 'ACTIVE', server
    assert _stored_user_data(dep, server['id']) == typed
    # The server keeps the flag, and the page shows it.
    assert server['config_drive'] == 'True'
    row(page, 'with-data').get_by_role('link', name='with-data').click()
    expect(page.locator('#detail-config-drive')).to_have_text('Yes')
    shot(page, 'instance-detail-config-drive')
    page.get_by_role('link', name='← Instances').click()

    # A file's text lands in the text area, and is what is sent.
    script = '#cloud-config\nruncmd:\n  - echo ñandú\n'
    wizard = open_wizard(page)
    fill_wizard(wizard, dep, 'from-file')
    wizard.get_by_role('button', name='7. Configuration').click()
    picker = wizard.get_by_label('Load user data from a file')
    picker.set_input_files({'name': 'binary.bin', 'mimeType': 'x/y',
                            'buffer': b'\x1f\x8b\x08\x00\xff'})
    expect(wizard.locator('#user-data-error')).to_contain_text(
        'binary.bin is not UTF-8 text.')
    expect(wizard.get_by_label('User data', exact=True)).to_have_value('')
    picker.set_input_files({'name': 'init.yaml', 'mimeType': 'text/yaml',
                            'buffer': script.encode()})
    expect(wizard.get_by_label('User data', exact=True)).to_have_value(
        script)
    wizard.get_by_role('button', name='Launch instance').click()
    expect(wizard).to_have_count(0)
    assert len(sent) == 2
    assert 'config_drive' not in sent[1]['server']
    server = _launched(dep, token, 'from-file')
    assert _stored_user_data(dep, server['id']) == script
    assert server['config_drive'] == ''
    row(page, 'from-file').get_by_role('link', name='from-file').click()
    expect(page.locator('#detail-config-drive')).to_have_text('No')
    page.get_by_role('link', name='← Instances').click()

    # The limit counts UTF-8 bytes: 21846 checkmarks are 65538 of them.
    wizard = open_wizard(page)
    fill_wizard(wizard, dep, 'too-much-data')
    wizard.get_by_role('button', name='7. Configuration').click()
    user_data = wizard.get_by_label('User data', exact=True)
    user_data.fill('✓' * 21846)
    expect(wizard.locator('#user-data-error')).to_have_text(
        'User data is 65538 bytes; the limit is 65535 bytes.')
    wizard.get_by_role('button', name='1. Details').click()
    wizard.get_by_role('button', name='Launch instance').click()
    # Checked in the browser: the wizard goes back to the step, nothing sent.
    expect(wizard.locator('#launch-error')).to_have_text(
        'User data is 65538 bytes; the limit is 65535 bytes.')
    expect(user_data).to_be_visible()
    expect(user_data).to_be_focused()
    expect(user_data).to_have_attribute('aria-invalid', 'true')
    shot(page, 'launch-user-data-too-big')
    user_data.fill('✓' * 21845)
    expect(wizard.locator('#launch-error')).to_have_text('')
    expect(user_data).to_have_attribute('aria-invalid', 'false')
    wizard.get_by_role('button', name='Cancel').click()
    assert len(sent) == 2
    assert sorted(s['name'] for s in _servers(dep, token)) == [
        'from-file', 'with-data']
    for s in _servers(dep, token):
        dep.request('DELETE', '/v2.1/servers/%s' % s['id'])
        dep.wait_gone(s['id'])


def test_admin_evacuates_a_down_host(page, dep):
    # Last in this module: it stops a compute host for good.
    from playwright.sync_api import expect
    source, target = dep.compute_hosts
    # Land it on `source` by disabling `target` meanwhile (a forced host
    # would stay forced for the evacuation too).
    service = {'host': target, 'binary': 'nova-compute'}
    dep.request('PUT', '/v2.1/os-services/disable', json=service)
    resp = dep.request('POST', '/v2.1/servers', json={'server': {
        'name': 'stranded', 'flavorRef': '1', 'networks': 'none',
        'imageRef': dep.image['id']}})
    assert resp.status_code == 202, resp.text
    server_id = resp.json()['server']['id']
    server = dep.wait_for_server(server_id)
    dep.request('PUT', '/v2.1/os-services/enable', json=service)
    assert server['OS-EXT-SRV-ATTR:host'] == source, server
    dep.kill(source)

    log_in(page, dep, 'admin', 'admin')
    go(page, 'Hypervisors')
    down = page.locator('tr[data-host="%s"]' % source)
    for _ in range(40):  # the service is down after service_down_time
        if 'down' in down.inner_text():
            break
        page.wait_for_timeout(500)
        page.get_by_role('button', name='Refresh').click()
    expect(down.get_by_text('down', exact=True)).to_be_visible()
    shot(page, 'admin-hypervisor-down')
    down.get_by_role('button', name='Evacuate host %s' % source).click()
    confirm = page.get_by_role('dialog', name='Evacuate %s' % source)
    expect(confirm).to_contain_text('stranded')
    confirm.get_by_role('button', name='Evacuate').click()
    result = page.get_by_role('dialog', name='Evacuating %s' % source)
    expect(result).to_contain_text('stranded: evacuation started')
    result.get_by_role('button', name='Close').click()
    server = dep.wait_for_server(server_id)
    assert server['status'] == 'ACTIVE', server
    assert server['OS-EXT-SRV-ATTR:host'] == target
