// Volumes: the project's Cinder volumes (polled while any is changing),
// create blank or from an image, delete; attach and detach through the
// Compute API, which tells Cinder itself.

import {compute, volume} from '../api.js';
import {poller} from '../poll.js';
import {button, confirmDialog, emptyRow, formDialog, guarded, h, notify, pageHeader, replace} from '../ui.js';
import {imageMinGb, MAX_VOLUME_GB, sizeProblem} from './volume_sizes.js';

// Cinder's states on the way to a settled one ('available', 'in-use', 'error...').
const CHANGING = new Set(['creating', 'downloading', 'deleting', 'attaching', 'detaching', 'reserved',
  'extending', 'uploading', 'retyping', 'maintenance', 'backing-up', 'restoring-backup']);
// Servers a volume can be attached to.
const ATTACHABLE = new Set(['ACTIVE', 'SHUTOFF', 'PAUSED', 'SUSPENDED']);

const label = (v) => v.name || v.id;
// The instance badges' colours: settled, failed, or on its way.
const tone = (status) => (CHANGING.has(status) ? 'build' : status.startsWith('error') ? 'error' : 'active');

export async function listVolumes() {
  return (await volume.get('/volumes/detail')).volumes;
}

export async function render(main) {
  const images = (await compute.get('/images/detail')).images.filter((i) => i.status === 'ACTIVE');
  let servers = [];
  const serverName = (id) => (servers.find((s) => s.id === id) || {}).name || id;
  const headings = ['Name', 'Size', 'Status', 'Bootable', 'Attached to', 'ID', 'Actions'];
  const tbody = h('tbody', {});

  function attachedTo(v) {
    return (v.attachments || []).map((a) => h('div', {class: 'attachment'},
      h('a', {href: `#/instances/${a.server_id}`, text: serverName(a.server_id)}),
      a.device ? ` on ${a.device} ` : ' ',
      button('Detach', () => detach(v, a), {ariaLabel: `Detach ${label(v)} from ${serverName(a.server_id)}`})));
  }

  function volumeRow(v) {
    return h('tr', {dataset: {id: v.id, name: label(v), status: v.status}},
      h('td', {text: label(v)}), h('td', {text: `${v.size} GB`}),
      h('td', {}, h('span', {class: `badge status-${tone(v.status)}`, text: v.status})),
      h('td', {text: v.bootable === 'true' ? 'Yes' : 'No'}),
      h('td', {}, attachedTo(v)),
      h('td', {class: 'mono', text: v.id}),
      h('td', {}, h('div', {class: 'toolbar'},
        v.status === 'available' ? button('Attach', () => attach(v), {ariaLabel: `Attach ${label(v)}`}) : null,
        button('Delete', () => remove(v), {kind: 'danger', ariaLabel: `Delete volume ${label(v)}`}))));
  }

  async function load() {
    const [volumes, found] = await Promise.all([listVolumes(), compute.get('/servers/detail')]);
    servers = found.servers;
    replace(tbody, volumes.length ? volumes.map(volumeRow) : emptyRow(headings.length, 'No volumes.'));
    return volumes.some((v) => CHANGING.has(v.status));
  }
  const poll = poller(load);

  async function create() {
    const made = await formDialog({title: 'Create volume', submitLabel: 'Create', fields: [
      {name: 'name', label: 'Name', required: true},
      {name: 'image', label: 'Source', type: 'select', value: '',
        options: [['', 'No source (blank volume)'],
          ...images.map((i) => [i.id, `Image ${i.name} (at least ${imageMinGb(i)} GB)`])]},
      {name: 'size', label: 'Size (GB)', type: 'number', value: 1, min: 1, max: MAX_VOLUME_GB, required: true},
    ], onSubmit: async (values) => {
      const image = images.find((i) => i.id === values.image);
      const problem = sizeProblem(values.size, image);
      if (problem) throw new Error(problem);
      const body = {name: values.name.trim(), size: Number(values.size)};
      if (image) body.imageRef = image.id;
      return (await volume.post('/volumes', {volume: body})).volume;
    }});
    if (!made) return;
    notify(`Creation of volume ${label(made)} requested.`);
    poll.now();
  }

  async function attach(v) {
    const choices = servers.filter((s) => ATTACHABLE.has(s.status));
    const done = await formDialog({title: `Attach ${label(v)}`, submitLabel: 'Attach', fields: [
      {name: 'server', label: 'Instance', type: 'select', required: true,
        options: [['', 'Select an instance'], ...choices.map((s) => [s.id, `${s.name} (${s.status})`])]},
    ], onSubmit: (values) => compute.post(`/servers/${encodeURIComponent(values.server)}/os-volume_attachments`,
      {volumeAttachment: {volumeId: v.id}})});
    if (!done) return;
    notify(`Attaching ${label(v)}.`);
    poll.now();
  }

  async function detach(v, a) {
    const server = serverName(a.server_id);
    if (!(await confirmDialog({title: 'Detach volume', text: `Detach volume "${label(v)}" from ${server}?`,
      confirmLabel: 'Detach', danger: true}))) return;
    const sent = await guarded(() => compute.del(
      `/servers/${encodeURIComponent(a.server_id)}/os-volume_attachments/${encodeURIComponent(v.id)}`));
    if (sent !== undefined) notify(`Detaching ${label(v)} from ${server}.`);
    poll.now();
  }

  async function remove(v) {
    if (!(await confirmDialog({title: 'Delete volume', text: `Delete volume "${label(v)}"? Its data is lost.`,
      confirmLabel: 'Delete', danger: true}))) return;
    await guarded(() => volume.del(`/volumes/${encodeURIComponent(v.id)}`));
    poll.now();
  }

  replace(main, pageHeader('Volumes', button('Create volume', create, {kind: 'primary'}),
    button('Refresh', () => poll.now())),
  h('div', {class: 'table-wrap'}, h('table', {id: 'volumes-table'},
    h('caption', {class: 'sr-only', text: 'Volumes'}),
    h('thead', {}, h('tr', {}, headings.map((t) => h('th', {scope: 'col', text: t})))),
    tbody)));
  await poll.now();
  return poll.stop;
}
