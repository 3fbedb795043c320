// Instances table: live status (polled while anything changes), search,
// pages of PAGE_SIZE rows, row actions and the launch wizard. The admin page
// reuses it for all projects.

import {compute, session} from '../api.js';
import {poller} from '../poll.js';
import {button, emptyRow, h, pageHeader, replace, uid} from '../ui.js';
import {openLaunchWizard} from './launch.js';
import {actionMenu, inTransition, statusBadge} from './server_actions.js';
import {listServers} from './server_list.js';

// Only one page of rows is in the DOM: a thousand would freeze the page.
const PAGE_SIZE = 50;
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
  const rows = new Map(); // server id -> {tr, signature}, once shown
  let servers = []; // the last listing, in the API's order
  let pageIndex = 0;
  const search = h('input', {type: 'search', id: uid('filter'),
    placeholder: admin ? 'Name, IP, ID or host…' : 'Name, IP or ID…'});
  const statusFilter = h('select', {id: uid('filter')}, h('option', {value: ''}, 'Any status'),
    STATUSES.map((s) => h('option', {value: s}, s)));
  const count = h('span', {class: 'muted', 'aria-live': 'polite'});
  const pageInfo = h('span', {class: 'muted', id: 'instances-page'});
  const previous = button('Previous page', () => turn(-1));
  const next = button('Next page', () => turn(1));

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

  // A row is kept by id and redrawn only when its server changed, so an
  // open menu survives a poll.
  function rowFor(server) {
    let row = rows.get(server.id);
    if (!row) {
      row = {tr: h('tr', {dataset: {id: server.id}}), signature: ''};
      rows.set(server.id, row);
    }
    const signature = JSON.stringify(server);
    if (row.signature !== signature) {
      row.signature = signature;
      Object.assign(row.tr.dataset, {name: server.name, status: server.status,
        task: server['OS-EXT-STS:task_state'] || ''});
      replace(row.tr, cells(server));
    }
    return row;
  }

  function draw() {
    const text = search.value.trim().toLowerCase();
    const matching = servers.filter((s) => (!text || searchText(s, admin).includes(text))
      && (!statusFilter.value || s.status === statusFilter.value));
    const pages = Math.max(1, Math.ceil(matching.length / PAGE_SIZE));
    pageIndex = Math.min(pageIndex, pages - 1);
    const shown = matching.slice(pageIndex * PAGE_SIZE, (pageIndex + 1) * PAGE_SIZE);
    shown.forEach((server, index) => {
      const {tr} = rowFor(server);
      if (tbody.children[index] !== tr) tbody.insertBefore(tr, tbody.children[index] || null);
    });
    while (tbody.children.length > shown.length) tbody.lastElementChild.remove();
    if (!shown.length) tbody.append(emptyRow(headings.length, servers.length ? 'No instances match.' : 'No instances.'));
    count.textContent = `${matching.length} of ${servers.length} instances`;
    pageInfo.textContent = `Page ${pageIndex + 1} of ${pages}`;
    previous.disabled = pageIndex === 0;
    next.disabled = pageIndex >= pages - 1;
  }

  function turn(step) {
    pageIndex += step;
    draw();
  }

  function refilter() {
    pageIndex = 0;
    draw();
  }

  async function load() {
    servers = await listServers({allProjects});
    const ids = new Set(servers.map((s) => s.id));
    for (const id of rows.keys()) if (!ids.has(id)) rows.delete(id);
    draw();
    return servers.some(inTransition);
  }

  const poll = poller(load);
  search.addEventListener('input', refilter);
  statusFilter.addEventListener('change', refilter);

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
      tbody)),
    h('nav', {class: 'pager', 'aria-label': 'Instance pages'}, previous, pageInfo, next));
  await poll.now();
  return poll.stop;
}

export function render(main) {
  return renderInstances(main);
}
