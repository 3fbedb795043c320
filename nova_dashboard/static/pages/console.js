// The instance page's console tabs: the console log (os-getConsoleOutput),
// an interactive serial console (xterm.js over nova-serialproxy's
// websocket) and a link to the VNC console (noVNC, served by
// nova-novncproxy). Each console asks the API for a URL holding a
// one-time token (POST /servers/{id}/remote-consoles, 2.6).

import {compute} from '../api.js';
import {button, h, replace} from '../ui.js';

const XTERM = '/dashboard/static/vendor/xterm';
let xtermLoading = null;

// xterm.js is vendored by tools/install.sh (git-ignored): loaded when a
// serial console is first opened, never from elsewhere.
function loadXterm() {
  if (window.Terminal) return Promise.resolve(window.Terminal);
  if (!xtermLoading) {
    xtermLoading = new Promise((resolve, reject) => {
      document.head.append(h('link', {rel: 'stylesheet', href: `${XTERM}/xterm.css`}));
      const script = h('script', {src: `${XTERM}/xterm.js`});
      script.addEventListener('load', () => resolve(window.Terminal));
      script.addEventListener('error', () => {
        xtermLoading = null;
        reject(new Error('xterm.js is not installed here (tools/install.sh vendors it).'));
      });
      document.head.append(script);
    });
  }
  return xtermLoading;
}

async function remoteConsole(serverId, protocol, type) {
  const got = await compute.post(`/servers/${encodeURIComponent(serverId)}/remote-consoles`,
    {remote_console: {protocol, type}}, {version: '2.6'});
  return got.remote_console.url;
}

function serialPanel(serverId) {
  const status = h('p', {class: 'muted', id: 'serial-console-status', role: 'status',
    text: 'Not connected.'});
  const screen = h('div', {class: 'serial-console', id: 'serial-console',
    'aria-label': 'Serial console'});
  let socket = null;
  let term = null;

  function close() {
    if (socket) {
      socket.close();
      status.textContent = 'Disconnected.';
    }
    socket = null;
  }

  async function open() {
    close();
    status.textContent = 'Connecting…';
    try {
      const Terminal = await loadXterm();
      const url = await remoteConsole(serverId, 'serial', 'serial');
      if (!term) {
        term = new Terminal({convertEol: false, cursorBlink: true, rows: 24, cols: 80});
        term.open(screen);
        term.onData((data) => {
          if (socket && socket.readyState === WebSocket.OPEN) {
            socket.send(new TextEncoder().encode(data));
          }
        });
      }
      const ws = new WebSocket(url);
      ws.binaryType = 'arraybuffer';
      ws.addEventListener('open', () => {
        status.textContent = 'Connected.';
        term.focus();
      });
      ws.addEventListener('message', (ev) => {
        term.write(typeof ev.data === 'string' ? ev.data : new Uint8Array(ev.data));
      });
      ws.addEventListener('close', () => {
        if (socket === ws) {
          socket = null;
          status.textContent = 'Disconnected.';
        }
      });
      socket = ws;
    } catch (err) {
      status.textContent = err.message;
    }
  }

  const panel = h('div', {role: 'tabpanel', id: 'console-tab-serial', 'aria-label': 'Serial console'},
    h('div', {class: 'toolbar'}, button('Connect', open), button('Disconnect', close)),
    status, screen);
  panel.stop = close;
  return panel;
}

function vncPanel(serverId) {
  const out = h('p', {class: 'muted', text: 'Opens noVNC in a new tab.'});
  async function open() {
    try {
      const url = await remoteConsole(serverId, 'vnc', 'novnc');
      replace(out, h('a', {href: url, target: '_blank', rel: 'noopener', id: 'vnc-console-link'},
        'Open the VNC console'));
    } catch (err) {
      out.textContent = err.message;
    }
  }
  return h('div', {role: 'tabpanel', id: 'console-tab-vnc', 'aria-label': 'VNC console', hidden: true},
    h('div', {class: 'toolbar'}, button('Get VNC console', open)), out);
}

// The console card: a tab list over the log, serial and VNC panels.
// Returns [element, stop]: stop closes an open serial connection.
export function consoleTabs(serverId, logPanel) {
  logPanel.setAttribute('role', 'tabpanel');
  logPanel.id = 'console-tab-log';
  const serial = serialPanel(serverId);
  const panels = {log: logPanel, serial, vnc: vncPanel(serverId)};
  const names = {log: 'Log', serial: 'Serial console', vnc: 'VNC'};
  const tabs = Object.keys(panels).map((key) => h('button', {
    type: 'button', role: 'tab', class: 'tab', id: `console-tab-button-${key}`,
    'aria-controls': panels[key].id, 'aria-selected': key === 'log' ? 'true' : 'false',
    onclick: () => {
      for (const [other, panel] of Object.entries(panels)) {
        panel.hidden = other !== key;
      }
      for (const tab of tabs) {
        tab.setAttribute('aria-selected', tab.id === `console-tab-button-${key}` ? 'true' : 'false');
      }
    },
  }, names[key]));
  serial.hidden = true;
  const card = h('section', {class: 'card', 'aria-label': 'Console'}, h('h2', {text: 'Console'}),
    h('div', {role: 'tablist', class: 'tabs', 'aria-label': 'Console'}, tabs),
    Object.values(panels));
  return [card, serial.stop];
}
