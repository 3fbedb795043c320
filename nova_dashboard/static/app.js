// The shell: loads config.json, shows the login or the navigation, and
// routes #/page/param to the page modules without reloading.

import {loadConfig, session, setUnauthorizedHandler} from './api.js';
import * as login from './login.js';
import {clearErrors, h, replace, showError} from './ui.js';

const PAGES = [
  {section: 'Project', path: 'overview', title: 'Overview', module: './pages/overview.js'},
  {section: 'Project', path: 'instances', title: 'Instances', module: './pages/instances.js'},
  {section: 'Project', path: 'flavors', title: 'Flavors', module: './pages/flavors.js'},
  {section: 'Project', path: 'images', title: 'Images', module: './pages/images.js'},
  {section: 'Project', path: 'volumes', title: 'Volumes', module: './pages/volumes.js', needs: 'volume_url'},
  {section: 'Project', path: 'keypairs', title: 'Key Pairs', module: './pages/keypairs.js'},
  {section: 'Project', path: 'server-groups', title: 'Server Groups', module: './pages/server_groups.js'},
  {section: 'Admin', path: 'admin/hypervisors', title: 'Hypervisors', module: './pages/hypervisors.js'},
  {section: 'Admin', path: 'admin/aggregates', title: 'Aggregates & Zones', module: './pages/aggregates.js'},
  {section: 'Admin', path: 'admin/services', title: 'Compute Services', module: './pages/services.js'},
  {section: 'Admin', path: 'admin/instances', title: 'All Instances', module: './pages/admin_instances.js'},
];
const DETAIL = {path: 'instances/', title: 'Instance', module: './pages/instance_detail.js'};

let config;
let cleanup = null;
let renderSeq = 0;

// A page that `needs` an endpoint exists only when config.json names one.
const available = () => PAGES.filter((p) => !p.needs || config[p.needs]);

function currentRoute() {
  const path = decodeURIComponent(location.hash.replace(/^#\/?/, '')) || 'overview';
  const page = available().find((p) => p.path === path);
  if (page) return {page, param: null};
  if (path.startsWith(DETAIL.path)) return {page: DETAIL, param: path.slice(DETAIL.path.length)};
  return {page: PAGES[0], param: null};
}

function renderNav(active) {
  const current = session.get();
  const sections = current.isAdmin ? ['Project', 'Admin'] : ['Project'];
  replace(document.getElementById('nav'), sections.map((section) => [
    h('h2', {class: 'nav-section', text: section}),
    h('ul', {}, available().filter((p) => p.section === section).map((p) => h('li', {},
      h('a', {href: `#/${p.path}`, 'aria-current': p === active ? 'page' : undefined}, p.title)))),
  ]));
}

function renderTopbar() {
  const current = session.get();
  const regions = current.regions || [];
  const regionPicker = regions.length > 1 ? h('label', {class: 'region'}, 'Region ',
    h('select', {'aria-label': 'Region', onchange: (ev) => {
      const region = regions.find((r) => r.name === ev.target.value);
      session.save({...session.get(), region: region.name, computeUrl: region.compute_url});
      route();
    }}, regions.map((r) => h('option', {value: r.name, selected: r.name === current.region}, r.name)))) : null;
  replace(document.getElementById('topbar'),
    h('span', {class: 'brand', text: 'nova-lite'}),
    h('span', {class: 'who'}, 'Project ', h('strong', {id: 'current-project', text: current.projectName || current.project}),
      ' · User ', h('strong', {id: 'current-user', text: current.user}), current.isAdmin ? ' (admin)' : ''),
    regionPicker,
    h('button', {type: 'button', class: 'btn', onclick: () => {
      login.logout(config);
      showLogin();
    }}, 'Log out'));
}

function showLogin(reason) {
  if (cleanup) cleanup();
  cleanup = null;
  document.getElementById('topbar').hidden = true;
  document.getElementById('nav').hidden = true;
  login.render(document.getElementById('main'), config, () => {
    if (!location.hash || location.hash === '#/') location.hash = '#/overview';
    route();
  });
  if (reason) showError(new Error(reason));
}

async function route() {
  if (!session.get()) {
    showLogin();
    return;
  }
  const seq = ++renderSeq;
  if (cleanup) cleanup();
  cleanup = null;
  clearErrors();
  const {page, param} = currentRoute();
  document.getElementById('topbar').hidden = false;
  document.getElementById('nav').hidden = false;
  renderTopbar();
  renderNav(page);
  document.title = `${page.title} - nova-lite`;
  const main = document.getElementById('main');
  replace(main, h('p', {class: 'muted', text: 'Loading…'}));
  try {
    const module = await import(page.module);
    if (seq !== renderSeq) return;
    replace(main);
    const done = (await module.render(main, param)) || null;
    if (seq !== renderSeq) {
      if (done) done(); // the user moved on while this page loaded
      return;
    }
    cleanup = done;
  } catch (err) {
    showError(err);
  }
}

async function start() {
  try {
    config = await loadConfig();
  } catch (err) {
    replace(document.getElementById('main'), h('p', {role: 'alert', text: `Cannot load the dashboard: ${err.message}`}));
    return;
  }
  setUnauthorizedHandler((message) => {
    session.clear();
    showLogin(`Your session has ended: ${message}`);
  });
  window.addEventListener('hashchange', route);
  route();
}

start();
