// Server groups: affinity and anti-affinity policies for launches.

import {compute} from '../api.js';
import {button, confirmDialog, formDialog, guarded, h, pageHeader, replace, table} from '../ui.js';

export async function render(main) {
  async function load() {
    const groups = (await compute.get('/os-server-groups')).server_groups;
    const rows = groups.map((g) => h('tr', {},
      h('td', {text: g.name}), h('td', {text: (g.policies || [g.policy]).join(', ')}),
      h('td', {}, (g.members || []).length ? g.members.map((m) => h('a', {href: `#/instances/${m}`, class: 'mono member'}, m.slice(0, 8)))
        : 'none'),
      h('td', {class: 'mono', text: g.id}),
      h('td', {}, button('Delete', () => remove(g), {kind: 'danger', ariaLabel: `Delete server group ${g.name}`}))));
    replace(main, pageHeader('Server Groups', button('Create server group', create, {kind: 'primary'})),
      table('Server groups', ['Name', 'Policy', 'Members', 'ID', 'Actions'], rows, {empty: 'No server groups.'}));
  }
  async function create() {
    const made = await formDialog({title: 'Create server group', submitLabel: 'Create', fields: [
      {name: 'name', label: 'Name', required: true},
      {name: 'policy', label: 'Policy', type: 'select', value: 'anti-affinity', options: [
        ['anti-affinity', 'anti-affinity: each member on a different host'],
        ['affinity', 'affinity: all members on one host'],
        ['soft-anti-affinity', 'soft-anti-affinity: spread when possible'],
        ['soft-affinity', 'soft-affinity: pack when possible']]},
    ], onSubmit: (v) => compute.post('/os-server-groups', {server_group: {name: v.name.trim(), policies: [v.policy]}})});
    if (made) await guarded(load);
  }
  async function remove(g) {
    if (!(await confirmDialog({title: 'Delete server group', text: `Delete server group "${g.name}"?`, confirmLabel: 'Delete', danger: true}))) return;
    await guarded(() => compute.del(`/os-server-groups/${encodeURIComponent(g.id)}`));
    await guarded(load);
  }
  await load();
}
