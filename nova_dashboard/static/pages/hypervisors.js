// Admin: hypervisors with usage bars, and evacuation of a down host.

import {compute} from '../api.js';
import {button, confirmDialog, guarded, h, mb, notify, pageHeader, replace, showText, table, usageBar} from '../ui.js';

async function evacuate(host, onDone) {
  const servers = (await compute.get(`/servers/detail?all_tenants=1&host=${encodeURIComponent(host)}`)).servers;
  if (!servers.length) {
    notify(`No instances on ${host}.`);
    return;
  }
  const ok = await confirmDialog({title: `Evacuate ${host}`, confirmLabel: 'Evacuate', danger: true,
    text: `Rebuild these ${servers.length} instances on other hosts: ${servers.map((s) => s.name).join(', ')}? `
      + 'Only do this when the host is really down.'});
  if (!ok) return;
  const results = await Promise.all(servers.map((s) => compute.action(s.id, {evacuate: {onSharedStorage: false}})
    .then(() => `${s.name}: evacuation started`, (err) => `${s.name}: ${err.message}`)));
  await showText(`Evacuating ${host}`, results.join('\n'));
  onDone();
}

export async function render(main) {
  async function load() {
    const [nodes, stats] = await Promise.all([
      compute.get('/os-hypervisors/detail').then((b) => b.hypervisors),
      compute.get('/os-hypervisors/statistics').then((b) => b.hypervisor_statistics),
    ]);
    const rows = nodes.map((n) => h('tr', {dataset: {host: n.service.host}},
      h('th', {scope: 'row', text: n.hypervisor_hostname}),
      h('td', {text: n.service.host}),
      h('td', {}, h('span', {class: `badge state-${n.state}`, text: n.state})),
      h('td', {text: n.status}),
      h('td', {}, usageBar(`vCPUs of ${n.hypervisor_hostname}`, n.vcpus_used, n.vcpus)),
      h('td', {}, usageBar(`RAM of ${n.hypervisor_hostname}`, n.memory_mb_used, n.memory_mb, ' MB')),
      h('td', {}, usageBar(`Disk of ${n.hypervisor_hostname}`, n.local_gb_used, n.local_gb, ' GB')),
      h('td', {text: n.running_vms}),
      h('td', {}, n.state === 'down'
        ? button('Evacuate', () => guarded(() => evacuate(n.service.host, () => guarded(load))),
          {kind: 'danger', ariaLabel: `Evacuate host ${n.service.host}`})
        : h('span', {class: 'muted', text: '—'}))));
    replace(main, pageHeader('Hypervisors', button('Refresh', () => guarded(load))),
      h('section', {class: 'card', 'aria-label': 'Totals'}, h('h2', {text: `All ${stats.count} hypervisors`}),
        h('div', {class: 'totals'},
          h('div', {}, h('strong', {text: 'vCPUs '}), usageBar('vCPUs of all hypervisors', stats.vcpus_used, stats.vcpus)),
          h('div', {}, h('strong', {text: 'RAM '}), usageBar('RAM of all hypervisors', stats.memory_mb_used, stats.memory_mb, ' MB')),
          h('div', {}, h('strong', {text: 'Disk '}), usageBar('Disk of all hypervisors', stats.local_gb_used, stats.local_gb, ' GB')),
          h('p', {text: `${stats.running_vms} instances running, ${mb(stats.free_ram_mb)} RAM free`}))),
      table('Hypervisors', ['Hostname', 'Host', 'State', 'Status', 'vCPUs used', 'RAM used', 'Disk used', 'Instances', 'Actions'], rows));
  }
  await load();
}
