// One instance: overview, flavor, image, addresses, fault, action log with
// events, and console output. Polls while the instance is changing.

import {compute, session} from '../api.js';
import {poller} from '../poll.js';
import {button, guarded, h, mb, pageHeader, replace, table, when} from '../ui.js';
import {consoleTabs} from './console.js';
import {SERVER_VERSION, actionMenu, inTransition, powerStateName, statusBadge} from './server_actions.js';

function dl(pairs) {
  return h('dl', {class: 'props'}, pairs.filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => [h('dt', {text: k}), h('dd', {}, v === '' ? '—' : v)]));
}

function section(title, ...content) {
  return h('section', {class: 'card', 'aria-label': title}, h('h2', {text: title}), content);
}

async function lookup(path, key) {
  try {
    return (await compute.get(path))[key];
  } catch {
    return null; // deleted flavors and images still leave the instance readable
  }
}

function actionLog(serverId, actions) {
  const rows = actions.map((a) => {
    const events = h('td', {}, button('Show events', async (ev) => {
      const cell = ev.target.parentElement;
      await guarded(async () => {
        // From 2.51 the owner sees the events too, not only admins.
        const got = (await compute.get(`/servers/${serverId}/os-instance-actions/${a.request_id}`,
          {version: '2.51'})).instanceAction;
        replace(cell, h('ul', {class: 'events'}, (got.events || []).map((e) => h('li', {},
          `${e.event}: ${e.result || 'running'} (${when(e.start_time)}${e.finish_time ? ` - ${when(e.finish_time)}` : ''})`))));
      });
    }, {ariaLabel: `Show events of ${a.action} ${a.request_id}`}));
    return h('tr', {}, h('td', {text: a.action}), h('td', {text: when(a.start_time)}),
      h('td', {text: a.user_id || ''}), h('td', {text: a.message || ''}), h('td', {class: 'mono', text: a.request_id}), events);
  });
  return table('Action log', ['Action', 'Started', 'User', 'Message', 'Request id', 'Events'], rows,
    {empty: 'No actions recorded.'});
}

export async function render(main, serverId) {
  const admin = session.get().isAdmin;
  const header = h('div', {});
  const overview = h('div', {});
  const log = h('div', {});
  const consoleOut = h('pre', {class: 'console', id: 'console-output', tabindex: '0', 'aria-label': 'Console text'}, 'Not loaded.');
  let lastStatus = '';
  let lastSignature = '';
  let gone = false;
  const lookups = new Map();
  const cached = (path, key) => {
    if (!lookups.has(path)) lookups.set(path, lookup(path, key));
    return lookups.get(path);
  };

  async function loadConsole() {
    consoleOut.textContent = 'Loading…';
    try {
      const got = await compute.action(serverId, {'os-getConsoleOutput': {length: 200}});
      consoleOut.textContent = got.output || '(empty)';
    } catch (err) {
      consoleOut.textContent = err.message;
    }
  }

  async function load() {
    if (gone) return false;
    let server;
    try {
      server = (await compute.get(`/servers/${encodeURIComponent(serverId)}`, {version: SERVER_VERSION})).server;
    } catch (err) {
      if (err.status === 404 && lastStatus) {
        gone = true;
        replace(header, pageHeader('Instance deleted'));
        replace(overview, h('p', {text: 'This instance no longer exists.'}), h('a', {href: '#/instances'}, 'Back to instances'));
        replace(log);
        return false;
      }
      throw err;
    }
    // Redraw only on change, so an open menu or a selection survives a poll.
    const signature = JSON.stringify(server);
    if (signature === lastSignature) return inTransition(server);
    lastSignature = signature;
    const [flavor, image] = await Promise.all([
      cached(`/flavors/${encodeURIComponent(server.flavor.id)}`, 'flavor'),
      server.image && server.image.id ? cached(`/images/${server.image.id}`, 'image') : null,
    ]);
    const fault = server.fault;
    replace(header, pageHeader(server.name, statusBadge(server), actionMenu(server, () => poll.now())));
    replace(overview, h('div', {class: 'cards'},
      section('Overview', dl([
        ['ID', h('span', {class: 'mono', text: server.id})],
        ['Status', server.status],
        ['Task state', server['OS-EXT-STS:task_state'] || ''],
        ['Power state', powerStateName(server['OS-EXT-STS:power_state'])],
        ['Availability zone', h('span', {id: 'detail-az', text: server['OS-EXT-AZ:availability_zone'] || ''})],
        admin ? ['Host', h('span', {id: 'detail-host', text: server['OS-EXT-SRV-ATTR:host'] || ''})] : null,
        admin ? ['Hypervisor', server['OS-EXT-SRV-ATTR:hypervisor_hostname'] || ''] : null,
        ['Project', server.tenant_id],
        ['Created', when(server.created)],
        ['Key pair', server.key_name || ''],
        // The API answers True (Nova: the string "True") or "", never false.
        ['Config drive', h('span', {id: 'detail-config-drive', text: server.config_drive ? 'Yes' : 'No'})],
      ].filter(Boolean))),
      section('Flavor', flavor ? dl([['Name', flavor.name], ['vCPUs', String(flavor.vcpus)],
        ['RAM', mb(flavor.ram)], ['Disk', `${flavor.disk} GB`]]) : h('p', {text: `Flavor ${server.flavor.id}`})),
      section('Image', image ? dl([['Name', image.name], ['ID', h('span', {class: 'mono', text: image.id})]])
        : h('p', {text: server.image && server.image.id ? `Image ${server.image.id} (not found)` : 'None'})),
      section('Addresses', Object.keys(server.addresses || {}).length
        ? dl(Object.entries(server.addresses).map(([net, addrs]) => [net, addrs.map((a) => a.addr).join(', ')]))
        : h('p', {text: 'No addresses.'}))),
    fault ? section('Fault', h('div', {class: 'fault', id: 'fault-message'},
      h('p', {}, h('strong', {text: `Code ${fault.code}: `}), fault.message),
      h('p', {class: 'muted', text: when(fault.created)}),
      fault.details ? h('pre', {class: 'console', text: fault.details}) : null)) : null);
    // The action log changes with the status; refetch it then.
    const status = `${server.status}/${server['OS-EXT-STS:task_state']}`;
    if (status !== lastStatus) {
      lastStatus = status;
      const actions = (await lookup(`/servers/${serverId}/os-instance-actions`, 'instanceActions')) || [];
      replace(log, section('Action log', actionLog(serverId, actions)));
    }
    return inTransition(server);
  }

  const poll = poller(load);
  const [consoles, stopConsole] = consoleTabs(serverId,
    h('div', {}, h('div', {class: 'toolbar'}, button('Load console output', loadConsole)), consoleOut));
  replace(main, h('p', {}, h('a', {href: '#/instances'}, '← Instances')), header, overview, log, consoles);
  await poll.now();
  return () => {
    stopConsole();
    poll.stop();
  };
}
