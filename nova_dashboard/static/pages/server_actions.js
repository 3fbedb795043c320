// What can be done to a server: the row/detail action menu, its dialogs,
// and how a server's status reads.

import {compute} from '../api.js';
import {confirmDialog, floatingMenu, formDialog, h, notify, showError} from '../ui.js';

const STEADY = new Set(['ACTIVE', 'SHUTOFF', 'ERROR', 'PAUSED', 'SUSPENDED', 'RESCUE', 'DELETED', 'SOFT_DELETED', 'SHELVED', 'SHELVED_OFFLOADED']);

// True while a poll should follow soon: a build, a reboot, a task running.
export function inTransition(server) {
  return !STEADY.has(server.status) || !!server['OS-EXT-STS:task_state'];
}

// Nova's names of the hypervisor's power states (nova/compute/power_state.py).
const POWER_STATES = {0: 'NOSTATE', 1: 'Running', 3: 'Paused', 4: 'Shutdown', 6: 'Crashed', 7: 'Suspended'};

export function powerStateName(value) {
  return POWER_STATES[value] ?? (value === undefined || value === null ? '' : String(value));
}

export function statusBadge(server) {
  const task = server['OS-EXT-STS:task_state'];
  return h('span', {class: 'status-cell'},
    h('span', {class: `badge status-${server.status.toLowerCase()}`, text: server.status}),
    task ? h('span', {class: 'task', text: task}) : null,
    task ? h('span', {class: 'spinner', 'aria-hidden': 'true'}) : null);
}

// 2.9 is the first microversion that says whether a server is `locked`.
export const SERVER_VERSION = '2.9';

// The actions the API accepts in the server's state (Nova's rules).
function actionsFor(server) {
  const s = server.status;
  const list = [];
  if (s === 'SHUTOFF') list.push(['start', 'Start']);
  if (s === 'ACTIVE') list.push(['stop', 'Stop'], ['soft-reboot', 'Soft reboot']);
  if (['ACTIVE', 'SHUTOFF', 'ERROR', 'REBOOT', 'HARD_REBOOT'].includes(s)) list.push(['hard-reboot', 'Hard reboot']);
  if (s === 'ACTIVE') list.push(['pause', 'Pause'], ['suspend', 'Suspend']);
  if (s === 'PAUSED') list.push(['unpause', 'Unpause']);
  if (s === 'SUSPENDED') list.push(['resume', 'Resume']);
  if (['ACTIVE', 'SHUTOFF', 'ERROR'].includes(s)) list.push(['rebuild', 'Rebuild'], ['rescue', 'Rescue']);
  if (s === 'RESCUE') list.push(['unrescue', 'Unrescue']);
  // Locking is allowed in any state; `locked` is absent before 2.9.
  if ('locked' in server) list.push(server.locked ? ['unlock', 'Unlock'] : ['lock', 'Lock']);
  list.push(['delete', 'Delete']);
  return list;
}

// A dialog choosing one image (the server's own first selected).
async function imageDialog(server, {title, intro, label, submitLabel, onSubmit}) {
  const images = (await compute.get('/images')).images;
  const current = server.image && server.image.id;
  return formDialog({
    title, intro, submitLabel, onSubmit: (values) => onSubmit(values.image),
    fields: [{name: 'image', label, type: 'select', value: current,
      options: images.map((i) => [i.id, i.name])}],
  });
}

function rebuild(server) {
  return imageDialog(server, {
    title: `Rebuild ${server.name}`, label: 'Image', submitLabel: 'Rebuild',
    intro: 'The instance keeps its id, addresses and flavor; its disk is replaced.',
    onSubmit: (image) => compute.action(server.id, {rebuild: {imageRef: image}}),
  });
}

function rescue(server) {
  return imageDialog(server, {
    title: `Rescue ${server.name}`, label: 'Rescue image', submitLabel: 'Rescue',
    intro: 'The instance boots from the rescue image; its own disk is attached second for repair.',
    onSubmit: async (image) => {
      const answer = await compute.action(server.id, {rescue: {rescue_image_ref: image}});
      if (answer && answer.adminPass) notify(`Rescue password of ${server.name}: ${answer.adminPass}`);
      return answer;
    },
  });
}

// Runs one action; resolves true when a request was accepted.
export async function runAction(server, action) {
  const id = server.id;
  try {
    switch (action) {
      case 'start':
        await compute.action(id, {'os-start': null});
        break;
      case 'stop':
        await compute.action(id, {'os-stop': null});
        break;
      case 'soft-reboot':
        await compute.action(id, {reboot: {type: 'SOFT'}});
        break;
      case 'hard-reboot':
        await compute.action(id, {reboot: {type: 'HARD'}});
        break;
      case 'rebuild':
        if (!(await rebuild(server))) return false;
        break;
      case 'rescue':
        if (!(await rescue(server))) return false;
        break;
      case 'unrescue':
        await compute.action(id, {unrescue: null});
        break;
      case 'pause':
      case 'unpause':
      case 'suspend':
      case 'resume':
      case 'lock':
      case 'unlock':
        await compute.action(id, {[action]: null});
        break;
      case 'delete':
        if (!(await confirmDialog({title: 'Delete instance',
          text: `Delete instance "${server.name}"? Its disk is destroyed and this cannot be undone.`,
          confirmLabel: 'Delete', danger: true}))) return false;
        await compute.del(`/servers/${encodeURIComponent(id)}`);
        break;
      default:
        return false;
    }
  } catch (err) {
    showError(err);
    return false;
  }
  notify(`${action.replace('-', ' ')} requested for ${server.name}`);
  return true;
}

// A disclosure menu of the actions allowed now; onDone runs after each one.
export function actionMenu(server, onDone) {
  const items = h('div', {class: 'menu-items'}, actionsFor(server).map(([action, label]) =>
    h('button', {type: 'button', class: `menu-item${action === 'delete' ? ' danger' : ''}`,
      'data-action': action, onclick: async () => {
        menu.open = false;
        if (await runAction(server, action)) onDone(action);
      }}, label)));
  const menu = floatingMenu(h('details', {class: 'menu'},
    h('summary', {class: 'btn', 'aria-label': `Actions for ${server.name}`}, 'Actions'), items), items);
  return menu;
}
