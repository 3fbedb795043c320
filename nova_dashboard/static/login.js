// The login page: a user/project picker in noauth mode, a password form in
// keystone mode, and a region picker when several regions are configured.

import {compute, session} from './api.js';
import * as keystone from './keystone.js';
import {field, h, replace} from './ui.js';

const RECENT_KEY = 'nova-dashboard-recent-projects';

function recentProjects() {
  try {
    return JSON.parse(localStorage.getItem(RECENT_KEY)) || [];
  } catch {
    return [];
  }
}

function remember(project) {
  const list = [project, ...recentProjects().filter((p) => p !== project)].slice(0, 10);
  localStorage.setItem(RECENT_KEY, JSON.stringify(list));
}

// Admin pages are shown to admins. noauth2 (the API's NoAuthMiddleware)
// makes admins of the roles named after the token's second ":", else of
// user "admin" alone; following that rule here spares a probe of an
// admin-only API, which a member's session would see refused (403).
function noauthIsAdmin(token) {
  const [user, , ...rest] = token.split(':');
  const named = rest.join(':').split(',').filter(Boolean);
  return named.length ? named.includes('admin') : user === 'admin';
}

function regionField(regions) {
  if (!regions || regions.length < 2) return null;
  return field({name: 'region', label: 'Region', type: 'select',
    options: regions.map((r) => [r.name, r.name])});
}

function pickRegion(regions, name) {
  const found = (regions || []).find((r) => r.name === name) || (regions || [])[0];
  return found ? {region: found.name, computeUrl: found.compute_url} : {region: '', computeUrl: ''};
}

async function noauthLogin(config, values) {
  const user = values.user.trim();
  const project = values.project.trim();
  if (!user || !project) throw new Error('Enter a user and a project.');
  if (/[:\s]/.test(user) || /\s/.test(project)) throw new Error('User and project names cannot contain spaces or ":".');
  const token = `${user}:${project}`;
  const where = pickRegion(config.regions, values.region);
  session.save({token, user, project, projectName: project, ...where, regions: config.regions});
  try {
    await compute.get('/limits'); // proves the API answers for this identity
    session.save({...session.get(), isAdmin: noauthIsAdmin(token)});
  } catch (err) {
    session.clear();
    throw err;
  }
  remember(project);
}

async function keystoneLogin(config, values) {
  if (!values.username.trim() || !values.password || !values.project.trim()) {
    throw new Error('Enter a user name, password and project.');
  }
  const got = await keystone.login(config, {username: values.username.trim(),
    password: values.password, project: values.project.trim()});
  const where = pickRegion(got.regions, values.region);
  session.save({...got, ...where, isAdmin: got.roles.includes('admin')});
}

export function logout(config) {
  const current = session.get();
  session.clear();
  if (current && config.auth_strategy === 'keystone') keystone.logout(config, current.token);
}

export function render(root, config, onLoggedIn) {
  const isKeystone = config.auth_strategy === 'keystone';
  const error = h('p', {class: 'form-error', role: 'alert'});
  const fields = isKeystone
    ? [field({name: 'username', label: 'User name', required: true}),
      field({name: 'password', label: 'Password', type: 'password', required: true}),
      field({name: 'project', label: 'Project', required: true})]
    : [field({name: 'user', label: 'User', value: 'demo', required: true,
      help: 'User "admin" has the admin role.'}),
    field({name: 'project', label: 'Project', value: recentProjects()[0] || 'demo', required: true})];
  const region = regionField(config.regions);
  if (!isKeystone) {
    const listId = 'recent-projects';
    fields[1].setAttribute('list', listId);
    fields[1].wrapper.append(h('datalist', {id: listId},
      [...new Set([...recentProjects(), 'demo', 'admin'])].map((p) => h('option', {value: p}))));
  }
  const submit = h('button', {type: 'submit', class: 'btn primary'}, 'Log in');
  const form = h('form', {class: 'form login-form', 'aria-labelledby': 'login-title'},
    h('h1', {id: 'login-title', text: 'Log in'}),
    h('p', {class: 'muted', text: isKeystone
      ? 'Log in with your Keystone user name and password.'
      : 'This cloud runs without authentication: pick who you act as.'}),
    fields.map((f) => f.wrapper), region ? region.wrapper : null, error, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const values = Object.fromEntries(new FormData(form).entries());
    error.textContent = '';
    submit.disabled = true;
    try {
      await (isKeystone ? keystoneLogin : noauthLogin)(config, values);
      onLoggedIn();
    } catch (err) {
      error.textContent = err.message;
    } finally {
      submit.disabled = false;
    }
  });
  replace(root, h('div', {class: 'login'}, h('p', {class: 'brand', text: 'nova-lite'}), form));
  fields[0].focus();
}
