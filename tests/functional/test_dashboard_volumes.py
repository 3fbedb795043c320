"""The dashboard's Volumes page and boot from volume, in Chromium, against a
real Cinder on the session's Ceph.

This module's Cinder is its own (on the session fixture's Ceph): it must
allow the deployment's origin (CORS) and make volumes from the
deployment's image API, and both are known only once the deployment has
its port. Each test acts in a project of its own, a hex id, since
Cinder's noauth takes only such project ids in its URLs.
"""

import time
import uuid

import pytest
import requests

from tests.functional import browser as browser_mod
from tests.functional import cinder as cinder_mod
from tests.functional import deployment as deployment_mod
from tests.functional.browser import go, log_in, open_wizard, row, shot

VOLUME_TIMEOUT = 60000  # ms: a volume from an image is copied into Ceph
ACTIVE_TIMEOUT = 30000  # ms


@pytest.fixture(scope='module')
def browser():
    yield from browser_mod.chromium()


@pytest.fixture(scope='module')
def stack(browser, ceph_cinder):
    """(deployment, cinder): the dashboard and the Compute API know the
    Cinder, the Cinder lets the dashboard's pages call it."""
    dep = deployment_mod.Deployment('sqlite')
    volumes = cinder_mod.Cinder(ceph_cinder.ceph,
                                cors_origins=[dep.api],
                                image_api=dep.api + '/image')
    # Set before start(): the ports are picked at construction.
    dep.extra_conf += ('[dashboard]\nvolume_url = %s\n'
                       '[cinder]\nendpoint_template = %s\n'
                       '[service_user]\nsend_service_user_token = true\n'
                       % (volumes.endpoint_template,
                          volumes.endpoint_template))
    volumes.start()
    try:
        dep.start()
    except BaseException:
        volumes.stop()
        raise
    yield dep, volumes
    dep.stop()
    volumes.stop()


@pytest.fixture
def page(browser, stack):
    yield from browser_mod.tab(browser)


@pytest.fixture
def project():
    return uuid.uuid4().hex


def _cinder(volumes, project, method, path, **kwargs):
    return requests.request(
        method, '%s/v3/%s%s' % (volumes.url, project, path), timeout=30,
        headers=volumes.headers(project_id=project), **kwargs)


def _make_volume(volumes, project, name, size=1, bootable=False):
    resp = _cinder(volumes, project, 'POST', '/volumes',
                   json={'volume': {'name': name, 'size': size}})
    assert resp.status_code == 202, resp.text
    volume = _wait_volume(volumes, project, resp.json()['volume']['id'])
    assert volume['status'] == 'available', volume
    if bootable:
        resp = _cinder(volumes, project, 'POST',
                       '/volumes/%s/action' % volume['id'],
                       json={'os-set_bootable': {'bootable': True}})
        assert resp.status_code == 200, resp.text
    return volume


def _wait_volume(volumes, project, volume_id,
                 statuses=('available', 'error'), timeout=60):
    """The volume once in one of `statuses`; None once deleted, when
    'deleted' is one of them."""
    deadline = time.monotonic() + timeout
    while True:
        resp = _cinder(volumes, project, 'GET', '/volumes/%s' % volume_id)
        if resp.status_code == 404 and 'deleted' in statuses:
            return None
        assert resp.status_code == 200, resp.text
        volume = resp.json()['volume']
        if volume['status'] in statuses:
            return volume
        assert time.monotonic() < deadline, volume
        time.sleep(0.2)


def _volumes(volumes, project):
    resp = _cinder(volumes, project, 'GET', '/volumes/detail')
    assert resp.status_code == 200, resp.text
    return {v['name']: v for v in resp.json()['volumes']}


def volume_row(page, name):
    return page.locator('#volumes-table tbody tr[data-name="%s"]' % name)


def _create_in_page(page, name, size, image=None):
    page.get_by_role('button', name='Create volume').click()
    dialog = page.get_by_role('dialog', name='Create volume')
    dialog.get_by_label('Name').fill(name)
    if image:
        dialog.get_by_label('Source').select_option(image)
    dialog.get_by_label('Size (GB)').fill(str(size))
    dialog.get_by_role('button', name='Create', exact=True).click()
    return dialog


def _closes(page, dialog, error, timeout=15):
    """Waits for `dialog` to close; fails with the message it shows in
    `error` instead (the API's answer), if any."""
    deadline = time.monotonic() + timeout
    while dialog.count():
        shown = error.inner_text() if error.count() else ''
        assert not shown, 'the dialog says: %s' % shown
        assert time.monotonic() < deadline, 'the dialog is still open'
        page.wait_for_timeout(100)


def _record_creates(page):
    """The bodies of the server create requests the page sends."""
    sent = []
    page.on('request', lambda r: sent.append(r.post_data_json) if (
        r.method == 'POST' and r.url.endswith('/v2.1/servers')) else None)
    return sent


def _boot(dep, token, name):
    resp = dep.request('POST', '/v2.1/servers', token=token, json={
        'server': {'name': name, 'flavorRef': '1', 'networks': 'none',
                   'imageRef': dep.image['id']}})
    assert resp.status_code == 202, resp.text
    server = dep.wait_for_server(resp.json()['server']['id'])
    assert server['status'] == 'ACTIVE', server
    return server


def _delete_server(dep, project, server_id):
    # As its project: Cinder's noauth takes only hex project ids, so the
    # Cinder calls of the delete must be in this one.
    dep.request('DELETE', '/v2.1/servers/%s' % server_id,
                token='admin:%s' % project)
    dep.wait_gone(server_id)


def test_config_names_cinder_and_the_page_may_call_it(stack):
    dep, volumes = stack
    config = dep.request('GET', '/dashboard/config.json').json()
    assert config['volume_url'] == volumes.endpoint_template
    csp = dep.request('GET', '/dashboard').headers['content-security-policy']
    assert volumes.url in csp


def test_volumes_list_create_blank_quota_and_delete(page, stack, project):
    from playwright.sync_api import expect
    dep, volumes = stack
    made = _make_volume(volumes, project, 'made-by-cinder')
    log_in(page, dep, 'vera', project)
    go(page, 'Volumes')
    listed = volume_row(page, 'made-by-cinder')
    expect(listed).to_have_attribute('data-status', 'available')
    expect(listed).to_contain_text('1 GB')
    expect(listed).to_contain_text(made['id'])

    # Checked in the browser: nothing reaches Cinder.
    dialog = _create_in_page(page, 'zero', 0)
    expect(dialog.get_by_role('alert')).to_have_text(
        'Volume size must be a whole number of GB from 1 to 16384.')
    dialog.get_by_role('button', name='Cancel').click()

    dialog = _create_in_page(page, 'blank', 2)
    _closes(page, dialog, dialog.get_by_role('alert'))
    blank = volume_row(page, 'blank')
    expect(blank).to_have_attribute('data-status', 'available',
                                    timeout=VOLUME_TIMEOUT)
    expect(blank).to_contain_text('2 GB')
    expect(blank.get_by_role('cell', name='No', exact=True)).to_be_visible()
    shot(page, 'volumes')
    found = _volumes(volumes, project)
    assert found['blank']['size'] == 2
    assert found['blank']['bootable'] == 'false'
    assert 'volume_image_metadata' not in found['blank']

    # Cinder's own refusal is shown as it says it.
    resp = _cinder(volumes, project, 'PUT', '/os-quota-sets/%s' % project,
                   json={'quota_set': {'gigabytes': 4}})
    assert resp.status_code == 200, resp.text
    dialog = _create_in_page(page, 'too-big', 2)
    expect(dialog.get_by_role('alert')).to_contain_text(
        'exceeds allowed gigabytes quota')
    dialog.get_by_role('button', name='Cancel').click()
    assert 'too-big' not in _volumes(volumes, project)

    listed.get_by_role('button', name='Delete volume made-by-cinder').click()
    confirm = page.get_by_role('dialog', name='Delete volume')
    expect(confirm).to_contain_text('Delete volume "made-by-cinder"?')
    confirm.get_by_role('button', name='Delete').click()
    expect(listed).to_have_count(0, timeout=VOLUME_TIMEOUT)
    assert _wait_volume(volumes, project, made['id'],
                        statuses=('deleted',)) is None
    assert sorted(_volumes(volumes, project)) == ['blank']


def test_create_a_volume_from_an_image(page, stack, project):
    # Needs nova-api's image API to serve /v2/schemas/image (docs/volumes.md).
    from playwright.sync_api import expect
    dep, volumes = stack
    log_in(page, dep, 'vera', project)
    go(page, 'Volumes')
    dialog = _create_in_page(page, 'from-image', 1, image=dep.image['id'])
    _closes(page, dialog, dialog.get_by_role('alert'))
    from_image = volume_row(page, 'from-image')
    expect(from_image).to_have_attribute('data-status', 'available',
                                         timeout=VOLUME_TIMEOUT)
    expect(from_image.get_by_role('cell', name='Yes', exact=True)
           ).to_be_visible()
    shot(page, 'volumes-from-image')
    found = _volumes(volumes, project)['from-image']
    assert found['bootable'] == 'true'
    assert found['volume_image_metadata']['image_id'] == dep.image['id']


def test_attach_and_detach_a_volume_from_the_volumes_page(
        page, stack, project):
    # Needs the Compute API's os-volume_attachments.
    from playwright.sync_api import expect
    dep, volumes = stack
    token = 'vera:%s' % project
    server = _boot(dep, token, 'db-1')
    data = _make_volume(volumes, project, 'data')
    log_in(page, dep, 'vera', project)
    go(page, 'Volumes')
    listed = volume_row(page, 'data')
    listed.get_by_role('button', name='Attach data').click()
    dialog = page.get_by_role('dialog', name='Attach data')
    dialog.get_by_label('Instance').select_option(server['id'])
    dialog.get_by_role('button', name='Attach', exact=True).click()
    _closes(page, dialog, dialog.get_by_role('alert'))
    expect(listed).to_have_attribute('data-status', 'in-use',
                                     timeout=VOLUME_TIMEOUT)
    expect(listed.get_by_role('link', name='db-1')).to_be_visible()
    shot(page, 'volumes-attached')
    attached = _wait_volume(volumes, project, data['id'], ('in-use',))
    assert [a['server_id'] for a in attached['attachments']] == [
        server['id']]

    # Cinder refuses to delete a volume in use, in its own words.
    listed.get_by_role('button', name='Delete volume data').click()
    page.get_by_role('dialog', name='Delete volume').get_by_role(
        'button', name='Delete').click()
    expect(page.locator('#alerts')).to_contain_text('Volume status must be')

    listed.get_by_role('button', name='Detach data from db-1').click()
    confirm = page.get_by_role('dialog', name='Detach volume')
    expect(confirm).to_contain_text('Detach volume "data" from db-1?')
    confirm.get_by_role('button', name='Detach').click()
    expect(listed).to_have_attribute('data-status', 'available',
                                     timeout=VOLUME_TIMEOUT)
    assert _wait_volume(volumes, project, data['id'])['attachments'] == []
    _delete_server(dep, project, server['id'])


def _wizard_source(wizard, name):
    wizard.get_by_label('Instance name').fill(name)
    wizard.get_by_role('button', name='2. Source').click()


def _wizard_finish(wizard):
    wizard.get_by_role('button', name='3. Flavor').click()
    wizard.get_by_label('m1.tiny', exact=True).check()
    wizard.get_by_role('button', name='4. Networks').click()
    wizard.get_by_label('Network').select_option('none')
    wizard.get_by_role('button', name='Launch instance').click()


def test_launch_boots_from_a_new_volume_made_from_the_image(
        page, stack, project):
    # Needs the Compute API's boot from volume.
    from playwright.sync_api import expect
    dep, volumes = stack
    sent = _record_creates(page)
    log_in(page, dep, 'vera', project)
    go(page, 'Instances')
    wizard = open_wizard(page)
    _wizard_source(wizard, 'on-volume')
    wizard.get_by_label('Image', exact=True).select_option(dep.image['id'])
    size = wizard.get_by_label('Volume size (GB)')
    expect(size).to_be_hidden()
    wizard.get_by_label('Create new volume').check()
    expect(size).to_have_value('1')  # the image's least
    size.fill('0')
    wizard.get_by_role('button', name='Launch instance').click()
    expect(wizard.locator('#launch-error')).to_contain_text(
        'Volume size must be a whole number of GB from 1 to 16384.')
    expect(size).to_be_focused()
    assert sent == []
    size.fill('2')
    wizard.get_by_label('Delete volume on instance delete').check()
    shot(page, 'launch-boot-from-new-volume')
    _wizard_finish(wizard)
    assert sent and sent[0]['server']['imageRef'] == ''
    assert sent[0]['server']['block_device_mapping_v2'] == [{
        'source_type': 'image', 'destination_type': 'volume',
        'uuid': dep.image['id'], 'boot_index': 0, 'volume_size': 2,
        'delete_on_termination': True}]
    _closes(page, wizard, wizard.locator('#launch-error'))
    launched = row(page, 'on-volume')
    expect(launched).to_have_attribute('data-status', 'ACTIVE',
                                       timeout=ACTIVE_TIMEOUT)
    [root] = _volumes(volumes, project).values()
    assert root['size'] == 2 and root['status'] == 'in-use', root
    server_id = launched.get_attribute('data-id')
    assert [a['server_id'] for a in root['attachments']] == [server_id]
    _delete_server(dep, project, server_id)
    # delete_on_termination: the volume goes with the instance.
    assert _wait_volume(volumes, project, root['id'],
                        statuses=('deleted',)) is None


def test_launch_boots_from_an_existing_bootable_volume(page, stack, project):
    # Needs the Compute API's boot from volume.
    from playwright.sync_api import expect
    dep, volumes = stack
    boot = _make_volume(volumes, project, 'system', bootable=True)
    _make_volume(volumes, project, 'not-bootable')
    sent = _record_creates(page)
    log_in(page, dep, 'vera', project)
    go(page, 'Instances')
    wizard = open_wizard(page)
    _wizard_source(wizard, 'from-volume')
    wizard.get_by_label('Boot source').select_option('volume')
    expect(wizard.get_by_label('Image', exact=True)).to_be_hidden()
    choice = wizard.get_by_label('Bootable volume')
    # Only bootable, available volumes are offered.
    expect(choice.locator('option')).to_have_text(
        ['Select a volume', 'system (1 GB)'])
    choice.select_option(boot['id'])
    wizard.get_by_role('button', name='1. Details').click()
    wizard.get_by_label('Count').fill('2')
    wizard.get_by_role('button', name='Launch instance').click()
    expect(wizard.locator('#launch-error')).to_contain_text(
        'An existing volume can boot only one instance')
    assert sent == []
    wizard.get_by_role('button', name='1. Details').click()
    wizard.get_by_label('Count').fill('1')
    _wizard_finish(wizard)
    assert sent and sent[0]['server']['imageRef'] == ''
    assert sent[0]['server']['block_device_mapping_v2'] == [{
        'source_type': 'volume', 'destination_type': 'volume',
        'uuid': boot['id'], 'boot_index': 0,
        'delete_on_termination': False}]
    _closes(page, wizard, wizard.locator('#launch-error'))
    launched = row(page, 'from-volume')
    expect(launched).to_have_attribute('data-status', 'ACTIVE',
                                       timeout=ACTIVE_TIMEOUT)
    in_use = _wait_volume(volumes, project, boot['id'], ('in-use',))
    server_id = launched.get_attribute('data-id')
    assert [a['server_id'] for a in in_use['attachments']] == [server_id]
    _delete_server(dep, project, server_id)
    # Not delete_on_termination: the volume is left available.
    left = _wait_volume(volumes, project, boot['id'])
    assert left['status'] == 'available' and left['attachments'] == []
