"""Remote consoles of a real guest (QEMU TCG through libvirtd, the guest of
guest_image.py, whose /init runs a shell on its serial port): a websocket
through nova-serialproxy reaches the guest's TCP serial port, what is
typed runs in the guest and its answer comes back (and still reaches the
console log); nova-novncproxy reaches QEMU's VNC server ('RFB 003.');
and the dashboard's console tab, in Chromium, does the same with
xterm.js. Needs what test_real_guest.py needs (it skips without)."""

import re
import time

import pytest

from nova_console import wsclient
from tests.functional import browser as browser_mod
from tests.functional import consoles
from tests.functional import test_real_guest as real

guest = real.guest
image = real.image


@pytest.fixture(scope='module')
def dep(guest):
    conf, serial, novnc = consoles.proxy_conf()
    with real.serving(libvirt_conf=conf) as d:
        consoles.start_proxies(d, (serial, novnc))
        yield d


@pytest.fixture(scope='module')
def server(dep, image):
    server = real._create(dep, image[0]['id'])
    real._wait_boot(dep, server['id'], set())
    return server


def _domain_serial_port(server_id):
    proc = real.libvirtd.virsh('dumpxml', 'instance-%s' % server_id)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_typing_into_the_serial_console_runs_in_the_guest(dep, server):
    url = consoles.console_url(dep, server['id'])
    xml = _domain_serial_port(server['id'])
    assert "<serial type='tcp'>" in xml, xml
    ws = wsclient.WebSocket(url, timeout=30)
    try:
        ws.send(b'echo CONSOLE-$((6*7))\r')
        got = ws.read_until(b'CONSOLE-42')
    finally:
        ws.close()
    # The terminal echoed the line, then the guest's shell answered it.
    assert b'echo CONSOLE-$((6*7))' in got, got
    assert got.rstrip().endswith(b'CONSOLE-42'), got
    # The console log (os-getConsoleOutput) has it too.
    deadline = time.monotonic() + 10
    while 'CONSOLE-42' not in real._console(dep, server['id']):
        assert time.monotonic() < deadline, real._console(dep, server['id'])
        time.sleep(0.2)
    with pytest.raises(wsclient.HandshakeRefused):
        wsclient.WebSocket(url)


def test_novnc_proxy_reaches_qemus_vnc_server(dep, server):
    url = consoles.console_url(dep, server['id'], 'vnc', 'novnc')
    ws = wsclient.WebSocket(consoles.websocket_url(url), timeout=30)
    try:
        assert ws.read_until(b'\n').startswith(b'RFB 003.')
    finally:
        ws.close()


@pytest.fixture(scope='module')
def browser(dep):
    yield from browser_mod.chromium()


def test_the_dashboards_console_tab_types_into_the_guest(dep, server,
                                                         browser):
    from playwright.sync_api import expect
    for page in browser_mod.tab(browser):
        browser_mod.log_in(page, dep, 'admin', 'admin')
        page.goto('%s/dashboard#/instances/%s' % (dep.api, server['id']))
        expect(page.get_by_role('heading', name=server['name'])
               ).to_be_visible()
        page.get_by_role('tab', name='Serial console').click()
        panel = page.get_by_role('tabpanel', name='Serial console')
        panel.get_by_role('button', name='Connect', exact=True).click()
        expect(page.locator('#serial-console-status')).to_have_text(
            'Connected.', timeout=20000)
        page.locator('#serial-console .xterm').click()
        page.keyboard.type('echo TAB-$((7*6))-OK')
        page.keyboard.press('Enter')
        rows = page.locator('#serial-console .xterm-rows')
        # The typed line comes back (the guest's terminal echoes it),
        # then what the guest's shell answered.
        expect(rows).to_contain_text('echo TAB-$((7*6))-OK', timeout=30000)
        expect(rows).to_contain_text('TAB-42-OK', timeout=30000)
        browser_mod.shot(page, 'console-tab-serial')
        # One token per connect: the next is a new console.
        panel.get_by_role('button', name='Disconnect').click()
        expect(page.locator('#serial-console-status')).to_have_text(
            'Disconnected.')
        page.get_by_role('tab', name='VNC').click()
        page.get_by_role('button', name='Get VNC console').click()
        link = page.locator('#vnc-console-link')
        expect(link).to_have_attribute(
            'href', re.compile(r'/vnc_auto\.html\?path=%3Ftoken%3D'))
