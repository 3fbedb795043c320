// Admin: host aggregates (create, hosts, metadata, delete) and the
// availability zones they make.

import {compute} from '../api.js';
import {button, confirmDialog, formDialog, guarded, h, pageHeader, replace, table} from '../ui.js';

function parseMetadata(text, before) {
  const metadata = {};
  for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const at = line.indexOf('=');
    if (at < 1) throw new Error(`"${line}" is not key=value.`);
    metadata[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  for (const key of Object.keys(before)) if (!(key in metadata)) metadata[key] = null; // null removes a key
  return metadata;
}

export async function render(main) {
  async function load() {
    const [aggregates, zones, services] = await Promise.all([
      compute.get('/os-aggregates').then((b) => b.aggregates),
      compute.get('/os-availability-zone/detail').then((b) => b.availabilityZoneInfo),
      compute.get('/os-services?binary=nova-compute').then((b) => b.services),
    ]);
    const computeHosts = services.map((s) => s.host);
    const rows = aggregates.map((a) => h('tr', {dataset: {name: a.name}},
      h('th', {scope: 'row', text: a.name}),
      h('td', {text: a.availability_zone || ''}),
      h('td', {text: a.hosts.join(', ') || 'none'}),
      h('td', {text: Object.entries(a.metadata || {}).filter(([k]) => k !== 'availability_zone')
        .map(([k, v]) => `${k}=${v}`).join(', ')}),
      h('td', {class: 'row-buttons'},
        button('Add host', () => addHost(a, computeHosts), {ariaLabel: `Add host to ${a.name}`}),
        a.hosts.length ? button('Remove host', () => removeHost(a), {ariaLabel: `Remove host from ${a.name}`}) : null,
        button('Metadata', () => metadata(a), {ariaLabel: `Edit metadata of ${a.name}`}),
        button('Delete', () => remove(a), {kind: 'danger', ariaLabel: `Delete aggregate ${a.name}`}))));
    const zoneRows = zones.map((z) => h('tr', {},
      h('th', {scope: 'row', text: z.zoneName}),
      h('td', {text: z.zoneState.available ? 'available' : 'not available'}),
      h('td', {text: Object.keys(z.hosts || {}).join(', ')})));
    replace(main,
      pageHeader('Aggregates & Zones', button('Create aggregate', create, {kind: 'primary'})),
      h('section', {class: 'card', 'aria-labelledby': 'agg-title'}, h('h2', {id: 'agg-title', text: 'Host aggregates'}),
        table('Host aggregates', ['Name', 'Availability zone', 'Hosts', 'Metadata', 'Actions'], rows,
          {empty: 'No aggregates.'})),
      h('section', {class: 'card', 'aria-labelledby': 'az-title'}, h('h2', {id: 'az-title', text: 'Availability zones'}),
        table('Availability zones', ['Zone', 'State', 'Hosts'], zoneRows)));
  }
  const after = async (done) => {
    if (done) await guarded(load);
  };
  const action = (a, body) => compute.post(`/os-aggregates/${a.id}/action`, body);

  async function create() {
    await after(await formDialog({title: 'Create aggregate', submitLabel: 'Create', fields: [
      {name: 'name', label: 'Name', required: true},
      {name: 'availability_zone', label: 'Availability zone', help: 'Optional: the hosts of this aggregate form this zone.'},
    ], onSubmit: (v) => compute.post('/os-aggregates', {aggregate: {name: v.name.trim(),
      availability_zone: v.availability_zone.trim() || null}})}));
  }
  async function addHost(a, hosts) {
    const free = hosts.filter((x) => !a.hosts.includes(x));
    await after(await formDialog({title: `Add host to ${a.name}`, submitLabel: 'Add host', fields: [
      {name: 'host', label: 'Host', type: 'select', options: free.map((x) => [x, x]), required: true}],
    onSubmit: (v) => action(a, {add_host: {host: v.host}})}));
  }
  async function removeHost(a) {
    await after(await formDialog({title: `Remove host from ${a.name}`, submitLabel: 'Remove host', fields: [
      {name: 'host', label: 'Host', type: 'select', options: a.hosts.map((x) => [x, x]), required: true}],
    onSubmit: (v) => action(a, {remove_host: {host: v.host}})}));
  }
  async function metadata(a) {
    const before = {...a.metadata};
    delete before.availability_zone; // edited through the zone field
    await after(await formDialog({title: `Metadata of ${a.name}`, submitLabel: 'Save', fields: [
      {name: 'metadata', label: 'Metadata (key=value, one per line)', type: 'textarea',
        value: Object.entries(before).map(([k, v]) => `${k}=${v}`).join('\n')}],
    onSubmit: (v) => action(a, {set_metadata: {metadata: parseMetadata(v.metadata, before)}})}));
  }
  async function remove(a) {
    if (!(await confirmDialog({title: 'Delete aggregate', text: `Delete aggregate "${a.name}"?`, confirmLabel: 'Delete', danger: true}))) return;
    await guarded(() => compute.del(`/os-aggregates/${a.id}`));
    await guarded(load);
  }
  await load();
}
