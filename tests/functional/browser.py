"""Chromium for the dashboard's tests, and the steps they all take.

Playwright drives the system's Chromium (Debian package `chromium`; the
browser download of Playwright is never used). Each page visited is saved as
a screenshot under $NOVA_TEST_ARTIFACTS (default test-artifacts/dashboard).
A test module's fixtures wrap `chromium()` and `tab()`.
"""

import os

import pytest

CHROMIUM = os.environ.get('NOVA_TEST_CHROMIUM', '/usr/bin/chromium')
REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
ARTIFACTS = os.environ.get('NOVA_TEST_ARTIFACTS',
                           os.path.join(REPO, 'test-artifacts', 'dashboard'))
CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking',
                 '--disable-gpu', '--disable-component-update',
                 '--disable-sync', '--no-first-run']


def _require_browser():
    problem = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problem = 'playwright (Python) is not installed'
    if problem is None and not os.access(CHROMIUM, os.X_OK):
        problem = 'Chromium is not installed at %s' % CHROMIUM
    if problem:
        if os.environ.get('NOVA_TEST_REQUIRE_SERVICES') == '1':
            pytest.fail(problem + ' (NOVA_TEST_REQUIRE_SERVICES=1)')
        pytest.skip(problem)


def chromium():
    """Yields a headless Chromium (skips the test when there is none)."""
    _require_browser()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def tab(browser):
    """Yields a page in a fresh context; fails the test on any uncaught
    JavaScript error."""
    from playwright.sync_api import expect
    expect.set_options(timeout=10000)
    context = browser.new_context(viewport={'width': 1366, 'height': 768})
    page = context.new_page()
    uncaught = []
    page.on('pageerror', lambda err: uncaught.append(str(err)))
    yield page
    context.close()
    assert uncaught == [], 'JavaScript errors: %s' % uncaught


def shot(page, name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.screenshot(path=os.path.join(ARTIFACTS, name + '.png'),
                    full_page=True)


def log_in(page, dep, user, project):
    from playwright.sync_api import expect
    page.goto(dep.api + '/dashboard')
    page.get_by_label('User', exact=True).fill(user)
    page.get_by_label('Project', exact=True).fill(project)
    page.get_by_role('button', name='Log in').click()
    expect(page.get_by_role('heading', name='Overview')).to_be_visible()
    expect(page.locator('#current-project')).to_have_text(project)


def go(page, link):
    from playwright.sync_api import expect
    page.get_by_role('navigation', name='Dashboard sections').get_by_role(
        'link', name=link, exact=True).click()
    expect(page.get_by_role('heading', name=link, exact=True)).to_be_visible()


def open_wizard(page):
    page.get_by_role('button', name='Launch instance').click()
    return page.get_by_role('dialog', name='Launch instance')


def row(page, name):
    return page.locator('#instances-table tbody tr[data-name="%s"]' % name)
