"""The dashboard's rough edges an operator found, each checked in Chromium
against separate daemons (see browser.py for how Chromium runs)."""

import pytest

from tests.functional import browser as browser_mod
from tests.functional import deployment as deployment_mod
from tests.functional.browser import go, log_in, shot

ACTIVE_TIMEOUT = 30000  # ms
# Room for the 1,000-instance list: no quota, hosts big enough.
UNLIMITED = '[quota]\ninstances = -1\ncores = -1\nram = -1\n'


@pytest.fixture(scope='module')
def browser():
    yield from browser_mod.chromium()


@pytest.fixture(scope='module')
def dep(browser):
    d = deployment_mod.Deployment('sqlite', extra_conf=UNLIMITED,
                                  host_vcpus=64, host_memory_mb=400000,
                                  host_local_gb=1000)
    d.start()
    yield d
    d.stop()


@pytest.fixture
def page(browser, dep):
    yield from browser_mod.tab(browser)


def _service(dep, host):
    services = dep.request(
        'GET', '/v2.1/os-services?binary=nova-compute&host=%s' % host,
        headers={'X-OpenStack-Nova-API-Version': '2.11'}).json()['services']
    [service] = services
    return service


def test_forced_down_shows_and_is_undone_from_the_services_page(page, dep):
    from playwright.sync_api import expect
    host = dep.compute_hosts[0]
    resp = dep.request(
        'PUT', '/v2.1/os-services/force-down',
        headers={'X-OpenStack-Nova-API-Version': '2.11'},
        json={'host': host, 'binary': 'nova-compute', 'forced_down': True})
    assert resp.status_code == 200, resp.text
    log_in(page, dep, 'admin', 'admin')
    go(page, 'Compute Services')
    service = page.locator('tr[data-host="%s"][data-binary="nova-compute"]'
                           % host)
    # Columns: binary, host, zone, status, state, forced down, ...
    forced = service.locator('td').nth(4)
    expect(forced).to_have_text('yes')
    shot(page, 'services-forced-down')
    service.get_by_role('button', name='Unset forced down of nova-compute '
                        'on %s' % host).click()
    expect(forced).to_have_text('no')
    expect(service.get_by_role('button', name='Force down nova-compute on %s'
                               % host)).to_be_visible()
    assert _service(dep, host)['forced_down'] is False
