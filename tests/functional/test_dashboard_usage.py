"""In Chromium, against separate daemons: the overview's usage-over-time
chart (per-day bars worked out from os-simple-tenant-usage, a deleted
server counted, the same numbers in a table), and rescue and unrescue
from an instance's action menu."""

import datetime

import pytest

from tests.functional import browser as browser_mod
from tests.functional import deployment as deployment_mod
from tests.functional.browser import go, log_in, row, shot
from tests.functional.test_dashboard import ACTIVE_TIMEOUT, row_action


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


def _boot(dep, token, name, flavor='1'):
    resp = dep.request('POST', '/v2.1/servers', token=token, json={
        'server': {'name': name, 'flavorRef': flavor,
                   'imageRef': dep.image['id'], 'networks': 'none'}})
    assert resp.status_code == 202, resp.text
    server = dep.wait_for_server(resp.json()['server']['id'])
    assert server['status'] == 'ACTIVE', server
    return server


def test_overview_charts_the_projects_usage_per_day(page, dep):
    from playwright.sync_api import expect
    token = 'uma:proj-u'
    _boot(dep, token, 'kept')
    gone = _boot(dep, token, 'gone')
    dep.request('DELETE', '/v2.1/servers/%s' % gone['id'], token=token)
    dep.wait_gone(gone['id'])
    # Another project's server is not in this project's chart.
    _boot(dep, 'olga:proj-o', 'elsewhere')

    log_in(page, dep, 'uma', 'proj-u')
    card = page.get_by_role('region', name='Usage of project proj-u over '
                                           'the last 7 days')
    expect(card).to_be_visible()
    chart = card.get_by_role('img', name='Instance hours per day',
                             exact=False)
    expect(chart).to_have_count(1)
    bars = card.locator('figure[aria-label^="Instance hours"] rect.bar')
    expect(bars).to_have_count(7)
    today = datetime.datetime.now(datetime.timezone.utc).date()
    days = [bars.nth(i).get_attribute('data-day') for i in range(7)]
    assert days == [(today - datetime.timedelta(days=6 - i)).isoformat()
                    for i in range(7)]
    values = [float(bars.nth(i).get_attribute('data-value'))
              for i in range(7)]
    assert values[:6] == [0] * 6 and values[6] > 0, (values, dep.logs())
    # Two servers (one deleted) of one vCPU each: vCPU hours equal
    # instance hours today.
    vcpu = card.locator('figure[aria-label^="vCPU hours"] rect.bar')
    assert float(vcpu.nth(6).get_attribute('data-value')) == \
        pytest.approx(values[6], rel=1e-6)
    card.get_by_text('Usage as a table').click()
    rows = card.locator('#usage-table tbody tr')
    expect(rows).to_have_count(7)
    expect(rows.nth(6).locator('th')).to_have_text(today.isoformat())
    shot(page, 'overview-usage')
    # Both of the project's servers count, the deleted one too.
    usage = dep.request('GET', '/v2.1/os-simple-tenant-usage/proj-u?start='
                        '%sT00:00:00' % today.isoformat(),
                        token=token).json()['tenant_usage']
    assert len(usage['server_usages']) == 2


def test_rescue_and_unrescue_from_the_action_menu(page, dep):
    from playwright.sync_api import expect
    token = 'rita:proj-r'
    server = _boot(dep, token, 'broken')
    log_in(page, dep, 'rita', 'proj-r')
    go(page, 'Instances')
    broken = row(page, 'broken')
    expect(broken).to_have_attribute('data-status', 'ACTIVE')
    row_action(page, 'broken', 'Rescue')
    dialog = page.get_by_role('dialog', name='Rescue broken')
    expect(dialog.get_by_label('Rescue image')).to_have_value(
        dep.image['id'])
    dialog.get_by_role('button', name='Rescue').click()
    expect(page.get_by_text('Rescue password of broken:')).to_be_visible()
    expect(broken).to_have_attribute('data-status', 'RESCUE',
                                     timeout=ACTIVE_TIMEOUT)
    expect(broken).to_have_attribute('data-task', '')
    shot(page, 'instance-rescued')
    row_action(page, 'broken', 'Unrescue')
    expect(broken).to_have_attribute('data-status', 'ACTIVE',
                                     timeout=ACTIVE_TIMEOUT)
    expect(broken).to_have_attribute('data-task', '')
    # Rebuild shares the image dialog.
    row_action(page, 'broken', 'Rebuild')
    page.get_by_role('dialog', name='Rebuild broken').get_by_role(
        'button', name='Rebuild').click()
    # Accepted before the status is read: it was ACTIVE already.
    expect(page.get_by_text('rebuild requested for broken')).to_be_visible()
    expect(broken).to_have_attribute('data-status', 'ACTIVE',
                                     timeout=ACTIVE_TIMEOUT)
    expect(broken).to_have_attribute('data-task', '',
                                     timeout=ACTIVE_TIMEOUT)
    actions = dep.request('GET', '/v2.1/servers/%s/os-instance-actions'
                          % server['id'], token=token).json()
    assert [a['action'] for a in actions['instanceActions']][:3] == [
        'rebuild', 'unrescue', 'rescue']


def test_an_admin_sees_a_chart_per_project(page, dep):
    from playwright.sync_api import expect
    _boot(dep, 'xena:proj-x', 'x-1')
    _boot(dep, 'yuri:proj-y', 'y-1')
    log_in(page, dep, 'admin', 'admin')
    card = page.get_by_role('region', name='Usage per project over the '
                                           'last 7 days')
    expect(card).to_be_visible()
    for project in ('proj-x', 'proj-y'):
        chart = card.locator('figure[aria-label^="Project %s: instance '
                             'hours per day"]' % project)
        expect(chart).to_have_count(1)
        bars = chart.locator('rect.bar')
        expect(bars).to_have_count(7)
        assert float(bars.nth(6).get_attribute('data-value')) > 0
    shot(page, 'overview-usage-per-project')
    # A project's member sees no such card.
    page.evaluate('sessionStorage.clear(); localStorage.clear()')
    log_in(page, dep, 'xena', 'proj-x')
    expect(page.get_by_role('region', name='Usage of project proj-x over '
                                           'the last 7 days')).to_be_visible()
    expect(page.get_by_role('region', name='Usage per project over the '
                                           'last 7 days')).to_have_count(0)
