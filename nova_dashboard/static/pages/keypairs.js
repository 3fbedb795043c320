// Key pairs: create (generated or imported), show the private key once, delete.

import {compute} from '../api.js';
import {button, confirmDialog, formDialog, guarded, h, pageHeader, replace, showText, table} from '../ui.js';

export async function render(main) {
  async function load() {
    const keypairs = (await compute.get('/os-keypairs')).keypairs.map((k) => k.keypair);
    const rows = keypairs.map((k) => h('tr', {},
      h('td', {text: k.name}), h('td', {class: 'mono', text: k.fingerprint}), h('td', {text: k.type || 'ssh'}),
      h('td', {}, button('Delete', () => remove(k), {kind: 'danger', ariaLabel: `Delete key pair ${k.name}`}))));
    replace(main, pageHeader('Key Pairs', button('Create key pair', create, {kind: 'primary'})),
      table('Key pairs', ['Name', 'Fingerprint', 'Type', 'Actions'], rows, {empty: 'No key pairs.'}));
  }
  async function create() {
    const made = await formDialog({title: 'Create key pair', submitLabel: 'Create', fields: [
      {name: 'name', label: 'Name', required: true},
      {name: 'public_key', label: 'Public key', type: 'textarea',
        help: 'Paste an OpenSSH public key to import it, or leave empty to generate a new pair.'},
    ], onSubmit: async (v) => {
      const keypair = {name: v.name.trim()};
      if (v.public_key.trim()) keypair.public_key = v.public_key.trim();
      return (await compute.post('/os-keypairs', {keypair})).keypair;
    }});
    if (!made) return;
    if (made.private_key) {
      await showText(`Private key of ${made.name}`, made.private_key, {filename: `${made.name}.pem`});
    }
    await guarded(load);
  }
  async function remove(k) {
    if (!(await confirmDialog({title: 'Delete key pair', text: `Delete key pair "${k.name}"?`, confirmLabel: 'Delete', danger: true}))) return;
    await guarded(() => compute.del(`/os-keypairs/${encodeURIComponent(k.name)}`));
    await guarded(load);
  }
  await load();
}
