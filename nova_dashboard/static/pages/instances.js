// Instances table: live status (polled while anything changes), filters,
// row actions and the launch wizard. The admin page reuses it for all projects.

import {compute, session} from '../api.js';
import {poller} from '../poll.js';
import {button, emptyRow, h, pageHeader, replace, uid} from '../ui.js';
import {openLaunchWizard} from './launch.js';
import {SERVER_VERSION, actionMenu, inTransition, statusBadge} from './server_actions.js';

const STATUSES = ['ACTIVE', 'BUILD', 'SHUTOFF', 'ERROR', 'REBOOT', 'HARD_REBOOT', 'REBUILD', 'PAUSED', 'SUSPENDED'];

function addresses(server) {
  return Object.values(server.addresses || {}).flat().map((a) => a.addr).join(', ');
}

// What the search box looks in: name, uuid, addresses, and (for admins,
// who see it) the host.
function searchText(server, admin) {
  return [server.name, server.id, addresses(server), admin ? server['OS-EXT-SRV-ATTR:host'] : '']
    .join(' ').toLowerCase();
}

export async function renderInstances(main, {allProjects = false} = {}) {
  const admin = session.get().isAdmin;
  const [flavors, images] = await Promise.all([
    compute.get('/flavors/detail').then((b) => b.flavors).catch(() => []),
    compute.get('/images').then((b) => b.images).catch(() => []),
  ]);
  const flavorName = (id) => (flavors.find((f) => f.id === id) || {}).name || id;
  const imageName = (ref) => (ref && ref.id ? (images.find((i) => i.id === ref.id) || {}).name || ref.id : '');

  const headings = ['Name', allProjects ? 'Project' : null, admin ? 'Host' : null, 'Image', 'IP address',
    'Flavor', 'Availability zone', 'Status', 'Actions'].filter(Boolean);
  const tbody = h('tbody', {});
  const rows = new Map(); // server id -> {tr, signature, search}
  const search = h('input', {type: 'search', id: uid('filter'),
    placeholder: admin ? 'Name, IP, ID or host…' : 'Name, IP or ID…'});
  const statusFilter = h('select', {id: uid('filter')}, h('option', {value: ''}, 'Any status'),
    STATUSES.map((s) => h('option', {value: s}, s)));
  const count = h('span', {class: 'muted', 'aria-live': 'polite'});

  function cells(server) {
    return [
      h('td', {}, h('a', {href: `#/instances/${server.id}`, text: server.name})),
      allProjects ? h('td', {text: server.tenant_id}) : null,
      admin ? h('td', {text: server['OS-EXT-SRV-ATTR:host'] || ''}) : null,
      h('td', {text: imageName(server.image)}),
      h('td', {text: addresses(server)}),
      h('td', {text: flavorName(server.flavor.id)}),
      h('td', {text: server['OS-EXT-AZ:availability_zone'] || ''}),
      h('td', {}, statusBadge(server)),
      h('td', {}, actionMenu(server, () => poll.now())),
    ];
  }

  function applyFilters() {
    const text = search.value.trim().toLowerCase();
    let shown = 0;
    for (const {tr, search: haystack} of rows.values()) {
      tr.hidden = (text && !haystack.includes(text))
        || (statusFilter.value && tr.dataset.status !== statusFilter.value);
      if (!tr.hidden) shown += 1;
    }
    count.textContent = `${shown} of ${rows.size} instances`;
    const empty = tbody.querySelector('tr.empty');
    if (!rows.size && !empty) tbody.append(emptyRow(headings.length, 'No instances.'));
    if (rows.size && empty) empty.remove();
  }

  // Rows are matched by id and redrawn only when their data changed.
  async function load() {
    const query = allProjects ? '?all_tenants=1' : '';
    const servers = (await compute.get(`/servers/detail${query}`, {version: SERVER_VERSION})).servers;
    const seen = new Set();
    servers.forEach((server, index) => {
      seen.add(server.id);
      const signature = JSON.stringify(server);
      let row = rows.get(server.id);
      if (!row) {
        row = {tr: h('tr', {dataset: {id: server.id}}), signature: ''};
        rows.set(server.id, row);
      }
      if (row.signature !== signature) {
        row.signature = signature;
        row.search = searchText(server, admin);
        Object.assign(row.tr.dataset, {name: server.name, status: server.status,
          task: server['OS-EXT-STS:task_state'] || ''});
        replace(row.tr, cells(server));
      }
      if (tbody.children[index] !== row.tr) tbody.insertBefore(row.tr, tbody.children[index] || null);
    });
    for (const [id, row] of rows) {
      if (!seen.has(id)) {
        row.tr.remove();
        rows.delete(id);
      }
    }
    applyFilters();
    return servers.some(inTransition);
  }

  const poll = poller(load);
  search.addEventListener('input', applyFilters);
  statusFilter.addEventListener('change', applyFilters);

  replace(main,
    pageHeader(allProjects ? 'All Instances' : 'Instances',
      allProjects ? null : button('Launch instance', () => openLaunchWizard(() => poll.now()), {kind: 'primary'}),
      button('Refresh', () => poll.now())),
    h('div', {class: 'filters'},
      h('label', {for: search.id}, 'Search'), search,
      h('label', {for: statusFilter.id}, 'Status'), statusFilter, count),
    h('div', {class: 'table-wrap'}, h('table', {id: 'instances-table'},
      h('caption', {class: 'sr-only', text: 'Instances'}),
      h('thead', {}, h('tr', {}, headings.map((t) => h('th', {scope: 'col', text: t})))),
      tbody)));
  await poll.now();
  return poll.stop;
}

export function render(main) {
  return renderInstances(main);
}
