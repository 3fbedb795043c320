// Admin: compute services; enable, disable with a reason, force down.

import {compute} from '../api.js';
import {button, formDialog, guarded, h, pageHeader, replace, table, when} from '../ui.js';

// 2.11 is the first microversion that shows `forced_down` and takes the
// force-down action; the page names services by host and binary, which
// the actions still accept before 2.53.
const FORCED_DOWN_VERSION = '2.11';

export async function render(main) {
  async function load() {
    const services = (await compute.get('/os-services', {version: FORCED_DOWN_VERSION})).services;
    const rows = services.map((s) => {
      const target = {host: s.host, binary: s.binary};
      const label = `${s.binary} on ${s.host}`;
      return h('tr', {dataset: {host: s.host, binary: s.binary}},
        h('td', {text: s.binary}), h('th', {scope: 'row', text: s.host}), h('td', {text: s.zone}),
        h('td', {text: s.status}), h('td', {}, h('span', {class: `badge state-${s.state}`, text: s.state})),
        h('td', {text: s.forced_down ? 'yes' : 'no'}),
        h('td', {text: when(s.updated_at)}), h('td', {text: s.disabled_reason || ''}),
        h('td', {class: 'row-buttons'},
          s.status === 'disabled'
            ? button('Enable', () => change('enable', target), {ariaLabel: `Enable ${label}`})
            : button('Disable', () => disable(target, label), {ariaLabel: `Disable ${label}`}),
          s.binary === 'nova-compute'
            ? button(s.forced_down ? 'Unset forced down' : 'Force down',
              () => change('force-down', {...target, forced_down: !s.forced_down}, FORCED_DOWN_VERSION),
              {ariaLabel: `${s.forced_down ? 'Unset forced down of' : 'Force down'} ${label}`}) : null));
    });
    replace(main, pageHeader('Compute Services', button('Refresh', () => guarded(load))),
      table('Services', ['Binary', 'Host', 'Zone', 'Status', 'State', 'Forced down', 'Updated', 'Disabled reason', 'Actions'], rows));
  }
  async function change(action, body, version) {
    await guarded(() => compute.put(`/os-services/${action}`, body, {version}));
    await guarded(load);
  }
  async function disable(target, label) {
    const done = await formDialog({title: `Disable ${label}`, submitLabel: 'Disable', fields: [
      {name: 'reason', label: 'Reason', help: 'Optional; shown to other admins.'}],
    onSubmit: (v) => (v.reason.trim()
      ? compute.put('/os-services/disable-log-reason', {...target, disabled_reason: v.reason.trim()})
      : compute.put('/os-services/disable', target))});
    if (done) await guarded(load);
  }
  await load();
}
