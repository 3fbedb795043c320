// Images: the list from the Compute API, and upload through Glance v2.

import {compute, imageServiceUrl, request} from '../api.js';
import {button, bytes, formDialog, guarded, h, notify, pageHeader, replace, table, when} from '../ui.js';

// Glance v2: create the record, then PUT the bytes to its file.
async function upload(values) {
  const base = `${imageServiceUrl()}/v2/images`;
  const created = await request('POST', base, {body: {name: values.name, disk_format: values.disk_format,
    container_format: 'bare', visibility: values.visibility}});
  await request('PUT', `${base}/${created.id}/file`, {body: values.file,
    headers: {'Content-Type': 'application/octet-stream'}, raw: true});
  return created;
}

export async function render(main) {
  async function load() {
    const images = (await compute.get('/images/detail')).images;
    const rows = images.map((i) => h('tr', {},
      h('td', {text: i.name}), h('td', {text: i.status}),
      h('td', {text: typeof i['OS-EXT-IMG-SIZE:size'] === 'number' ? bytes(i['OS-EXT-IMG-SIZE:size']) : ''}),
      h('td', {text: `${i.minDisk} GB`}), h('td', {text: `${i.minRam} MB`}), h('td', {text: when(i.created)}),
      h('td', {class: 'mono', text: i.id})));
    replace(main, pageHeader('Images', button('Upload image', uploadDialog, {kind: 'primary'})),
      table('Images', ['Name', 'Status', 'Size', 'Min disk', 'Min RAM', 'Created', 'ID'], rows));
  }
  async function uploadDialog() {
    const done = await formDialog({title: 'Upload image', submitLabel: 'Upload', fields: [
      {name: 'name', label: 'Name', required: true},
      {name: 'file', label: 'Image file', type: 'file', required: true},
      {name: 'disk_format', label: 'Disk format', type: 'select', value: 'qcow2',
        options: [['qcow2', 'QCOW2'], ['raw', 'Raw'], ['iso', 'ISO'], ['vmdk', 'VMDK']]},
      {name: 'visibility', label: 'Visibility', type: 'select', value: 'private',
        options: [['private', 'Private'], ['shared', 'Shared'], ['public', 'Public']]},
    ], onSubmit: upload});
    if (done) {
      notify(`Image ${done.name} uploaded.`);
      await guarded(load);
    }
  }
  await load();
}
