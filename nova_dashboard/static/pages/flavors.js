// Flavors: sizes users can launch; admins create and delete them.

import {compute, session} from '../api.js';
import {button, confirmDialog, formDialog, guarded, h, mb, pageHeader, replace, table} from '../ui.js';

export async function render(main) {
  const admin = session.get().isAdmin;
  async function load() {
    const flavors = (await compute.get('/flavors/detail')).flavors;
    const rows = flavors.map((f) => h('tr', {},
      h('td', {text: f.name}), h('td', {text: f.id}), h('td', {text: f.vcpus}), h('td', {text: mb(f.ram)}),
      h('td', {text: `${f.disk} GB`}), h('td', {text: `${f['OS-FLV-EXT-DATA:ephemeral'] || 0} GB`}),
      h('td', {text: f.swap ? `${f.swap} MB` : '—'}),
      h('td', {text: f['os-flavor-access:is_public'] === false ? 'No' : 'Yes'}),
      admin ? h('td', {}, button('Delete', () => remove(f), {kind: 'danger', ariaLabel: `Delete flavor ${f.name}`})) : null));
    replace(main,
      pageHeader('Flavors', admin ? button('Create flavor', create, {kind: 'primary'}) : null),
      table('Flavors', ['Name', 'ID', 'vCPUs', 'RAM', 'Root disk', 'Ephemeral', 'Swap', 'Public',
        admin ? 'Actions' : null].filter(Boolean), rows));
  }
  async function create() {
    const done = await formDialog({title: 'Create flavor', submitLabel: 'Create', fields: [
      {name: 'name', label: 'Name', required: true},
      {name: 'vcpus', label: 'vCPUs', type: 'number', value: 1, min: 1, required: true},
      {name: 'ram', label: 'RAM (MB)', type: 'number', value: 512, min: 1, required: true},
      {name: 'disk', label: 'Root disk (GB)', type: 'number', value: 1, min: 0, required: true},
      {name: 'id', label: 'ID', help: 'Leave empty for a generated one.'},
      {name: 'public', label: 'Public', type: 'checkbox', value: true},
    ], onSubmit: (v) => compute.post('/flavors', {flavor: {name: v.name, vcpus: Number(v.vcpus), ram: Number(v.ram),
      disk: Number(v.disk), id: v.id.trim() || null, 'os-flavor-access:is_public': v.public}})});
    if (done) await guarded(load);
  }
  async function remove(f) {
    if (!(await confirmDialog({title: 'Delete flavor', text: `Delete flavor "${f.name}"?`, confirmLabel: 'Delete', danger: true}))) return;
    await guarded(() => compute.del(`/flavors/${encodeURIComponent(f.id)}`));
    await guarded(load);
  }
  await load();
}
