// The launch wizard: details, source, flavor, networks, key pair, server
// group and configuration steps; checks everything it can before it submits.

import {compute, volumeServiceUrl} from '../api.js';
import {button, field, h, mb, notify, replace, uid} from '../ui.js';
import {configurationStep} from './launch_config.js';
import {sourceStep} from './launch_source.js';
import {listVolumes} from './volumes.js';

const STEPS = ['Details', 'Source', 'Flavor', 'Networks', 'Key Pair', 'Server Group', 'Configuration'];
const CONFIGURATION = STEPS.indexOf('Configuration');

async function choices() {
  const soft = (promise, fallback) => promise.catch(() => fallback);
  const [images, flavors, zones, keypairs, groups, limits, volumes] = await Promise.all([
    compute.get('/images/detail').then((b) => b.images),
    compute.get('/flavors/detail').then((b) => b.flavors),
    soft(compute.get('/os-availability-zone').then((b) => b.availabilityZoneInfo), []),
    soft(compute.get('/os-keypairs').then((b) => b.keypairs.map((k) => k.keypair)), []),
    soft(compute.get('/os-server-groups').then((b) => b.server_groups), []),
    soft(compute.get('/limits').then((b) => b.limits.absolute), null),
    // null: no volume endpoint, so no volume choices; [] when Cinder fails.
    volumeServiceUrl() ? soft(listVolumes(), []) : null,
  ]);
  return {images: images.filter((i) => i.status === 'ACTIVE'), flavors, zones, keypairs, groups, limits, volumes};
}

// What the launch would add to the project's usage, against its quota.
function quotaProblems(limits, flavor, count) {
  if (!limits || !flavor) return [];
  const checks = [
    ['instances', count, limits.totalInstancesUsed, limits.maxTotalInstances],
    ['vCPUs', count * flavor.vcpus, limits.totalCoresUsed, limits.maxTotalCores],
    ['RAM (MB)', count * flavor.ram, limits.totalRAMUsed, limits.maxTotalRAMSize],
  ];
  return checks.filter(([, want, used, max]) => max >= 0 && used + want > max)
    .map(([what, want, used, max]) => `${what}: ${want} requested, ${used} of ${max} already used`);
}

function flavorTable(flavors, name) {
  return h('div', {class: 'table-wrap'}, h('table', {class: 'pick'},
    h('caption', {text: 'Pick a flavor'}),
    h('thead', {}, h('tr', {}, ['', 'Name', 'vCPUs', 'RAM', 'Root disk', 'Ephemeral'].map((t) => h('th', {scope: 'col', text: t})))),
    h('tbody', {}, flavors.map((f) => {
      const id = uid('flv');
      return h('tr', {},
        h('td', {}, h('input', {type: 'radio', name, value: f.id, id, 'aria-label': f.name})),
        h('td', {}, h('label', {for: id, text: f.name})),
        h('td', {text: f.vcpus}), h('td', {text: mb(f.ram)}), h('td', {text: `${f.disk} GB`}),
        h('td', {text: `${f['OS-FLV-EXT-DATA:ephemeral'] || 0} GB`}));
    }))));
}

export async function openLaunchWizard(onLaunched) {
  const data = await choices();
  const dialog = h('dialog', {class: 'dialog wizard', 'aria-labelledby': 'launch-title'});
  const form = h('form', {class: 'form', novalidate: true});
  const alert = h('div', {class: 'form-error', role: 'alert', id: 'launch-error'});
  const quotaNote = h('p', {class: 'warning', 'aria-live': 'polite'});

  const name = field({name: 'name', label: 'Instance name', required: true});
  const count = field({name: 'count', label: 'Count', type: 'number', value: 1, min: 1, max: 100});
  const zone = field({name: 'availability_zone', label: 'Availability zone', type: 'select',
    options: [['', 'Any availability zone'], ...data.zones.filter((z) => z.zoneState.available).map((z) => [z.zoneName, z.zoneName])]});
  const source = sourceStep(data.images, data.volumes);
  const network = field({name: 'networks', label: 'Network', type: 'select',
    options: [['auto', 'auto: one address on the project network'], ['none', 'none: no network']]});
  const keypair = field({name: 'key_name', label: 'Key pair', type: 'select',
    options: [['', 'No key pair'], ...data.keypairs.map((k) => [k.name, k.name])]});
  const group = field({name: 'group', label: 'Server group', type: 'select',
    options: [['', 'No server group'], ...data.groups.map((g) => [g.id, `${g.name} (${(g.policies || [g.policy]).join(', ')})`])]});
  const flavorError = h('p', {class: 'field-error', id: uid('err')});
  const config = configurationStep();
  const panels = [
    [name.wrapper, count.wrapper, zone.wrapper],
    source.content,
    [flavorTable(data.flavors, 'flavor'), flavorError, quotaNote],
    [network.wrapper],
    [keypair.wrapper],
    [group.wrapper],
    config.content,
  ].map((content, i) => h('fieldset', {class: 'step', hidden: i !== 0},
    h('legend', {text: STEPS[i]}), content));

  let step = 0;
  const stepNav = h('ol', {class: 'steps'});
  const back = button('Back', () => show(step - 1));
  const next = button('Next', () => show(step + 1));
  function show(i) {
    step = Math.max(0, Math.min(STEPS.length - 1, i));
    panels.forEach((p, j) => { p.hidden = j !== step; });
    replace(stepNav, STEPS.map((label, j) => h('li', {}, h('button', {type: 'button', class: 'link',
      'aria-current': j === step ? 'step' : undefined, onclick: () => show(j)}, `${j + 1}. ${label}`))));
    back.disabled = step === 0;
    next.disabled = step === STEPS.length - 1;
  }

  const chosenFlavor = () => {
    const checked = form.querySelector('input[name=flavor]:checked');
    return checked ? data.flavors.find((f) => f.id === checked.value) : null;
  };
  function updateQuota() {
    const problems = quotaProblems(data.limits, chosenFlavor(), parseInt(count.value, 10) || 1);
    quotaNote.textContent = problems.length ? `This launch would exceed your quota: ${problems.join('; ')}.` : '';
  }
  form.addEventListener('change', updateQuota);
  // After a failed attempt, the error list follows the user's corrections.
  let tried = false;
  const recheck = () => {
    if (tried) alert.textContent = validate().map((e) => e[1]).join(' ');
  };
  form.addEventListener('input', recheck);
  form.addEventListener('change', recheck);

  // Field errors, each with the step it belongs to.
  function validate() {
    const errors = [];
    const mark = (input, stepIndex, message, errorEl) => {
      input.setAttribute('aria-invalid', message ? 'true' : 'false');
      if (message) errors.push([stepIndex, message, input]);
      if (errorEl) errorEl.textContent = message || '';
    };
    const n = name.value;
    mark(name, 0, !n.trim() ? 'Enter an instance name.'
      : n !== n.trim() ? 'The name cannot start or end with spaces.' : n.length > 255 ? 'The name is too long.' : '');
    const c = Number(count.value);
    mark(count, 0, Number.isInteger(c) && c >= 1 && c <= 100 ? '' : 'Count must be a whole number from 1 to 100.');
    for (const [message, input] of source.check(c)) errors.push([1, message, input]);
    const img = source.image();
    const flavor = chosenFlavor();
    let flavorProblem = flavor ? '' : 'Select a flavor.';
    if (flavor && img && source.onHostDisk() && flavor.disk > 0 && img.minDisk > flavor.disk) {
      flavorProblem = `${flavor.name} has a ${flavor.disk} GB disk; the image needs ${img.minDisk} GB.`;
    } else if (flavor && img && img.minRam > flavor.ram) {
      flavorProblem = `${flavor.name} has ${flavor.ram} MB RAM; the image needs ${img.minRam} MB.`;
    }
    const firstRadio = form.querySelector('input[name=flavor]');
    if (firstRadio) mark(firstRadio, 2, flavorProblem, flavorError);
    else errors.push([2, 'There are no flavors to choose from.']);
    const userDataProblem = config.check();
    if (userDataProblem) errors.push([CONFIGURATION, userDataProblem, config.userData]);
    return errors;
  }

  function body() {
    const c = Number(count.value);
    const server = {name: name.value, flavorRef: chosenFlavor().id,
      networks: network.value, min_count: c, max_count: c};
    source.apply(server);
    if (zone.value) server.availability_zone = zone.value;
    if (keypair.value) server.key_name = keypair.value;
    config.apply(server);
    const out = {server};
    if (group.value) out['os:scheduler_hints'] = {group: group.value};
    return out;
  }

  const close = () => {
    dialog.close();
    dialog.remove();
  };
  const launch = h('button', {type: 'submit', class: 'btn primary'}, 'Launch instance');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    tried = true;
    const errors = validate();
    if (errors.length) {
      alert.textContent = errors.map((e) => e[1]).join(' ');
      show(errors[0][0]);
      if (errors[0][2]) errors[0][2].focus();
      return;
    }
    alert.textContent = '';
    launch.disabled = true;
    try {
      await compute.post('/servers', body());
      close();
      notify(`Launch of ${name.value} requested.`);
      onLaunched();
    } catch (err) {
      alert.textContent = err.message; // the API's own words, e.g. a quota message
    } finally {
      launch.disabled = false;
    }
  });
  dialog.addEventListener('close', () => dialog.remove());
  form.append(h('div', {class: 'wizard-body'}, h('nav', {'aria-label': 'Launch steps'}, stepNav), h('div', {class: 'panels'}, panels)),
    alert, h('div', {class: 'dialog-buttons'}, button('Cancel', close), back, next, launch));
  dialog.append(h('h2', {id: 'launch-title', text: 'Launch instance'}), form);
  document.body.append(dialog);
  show(0);
  dialog.showModal();
  name.focus();
}
