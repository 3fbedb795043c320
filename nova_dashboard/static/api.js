// Calls the Compute API (and Keystone, Glance, Cinder) with the session's token and
// turns every error body into the API's own message.

const SESSION_KEY = 'nova-dashboard-session';
const COMPUTE_VERSION = '2.1';

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

let config = null;
let onUnauthorized = () => {};

export async function loadConfig() {
  const resp = await fetch('/dashboard/config.json', {headers: {Accept: 'application/json'}});
  if (!resp.ok) throw new ApiError(resp.status, await errorMessage(resp));
  config = await resp.json();
  return config;
}

export function getConfig() {
  return config;
}

export function setUnauthorizedHandler(handler) {
  onUnauthorized = handler;
}

// The session lives in sessionStorage: closing the tab logs out.
export const session = {
  get() {
    try {
      return JSON.parse(sessionStorage.getItem(SESSION_KEY));
    } catch {
      return null;
    }
  },
  save(value) {
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(value));
  },
  clear() {
    sessionStorage.removeItem(SESSION_KEY);
  },
};

// Nova and Cinder ({"itemNotFound": {"message": ...}}), Keystone ({"error": {...}})
// and Glance (plain text or HTML) all put the message somewhere different.
export async function errorMessage(resp) {
  const text = await resp.text();
  try {
    const body = JSON.parse(text);
    if (body && typeof body === 'object') {
      for (const value of Object.values(body)) {
        if (value && typeof value === 'object' && value.message) return String(value.message);
      }
      if (body.message) return String(body.message);
    }
  } catch {
    // not JSON: fall through to the text itself
  }
  const plain = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return plain || `${resp.status} ${resp.statusText}`.trim();
}

export async function request(method, url, {body, headers = {}, raw = false, token} = {}) {
  const current = session.get();
  const sent = {Accept: 'application/json', ...headers};
  const auth = token ?? (current && current.token);
  if (auth) sent['X-Auth-Token'] = auth;
  let payload;
  if (body instanceof Blob) {
    payload = body;
    sent['Content-Type'] = sent['Content-Type'] || 'application/octet-stream';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    sent['Content-Type'] = 'application/json';
  }
  let resp;
  try {
    resp = await fetch(url, {method, headers: sent, body: payload});
  } catch (err) {
    throw new ApiError(0, `Cannot reach ${url.split('?')[0]}: ${err.message}`);
  }
  if (!resp.ok) {
    const message = await errorMessage(resp);
    if (resp.status === 401 && current && !token) onUnauthorized(message);
    throw new ApiError(resp.status, message);
  }
  if (raw) return resp;
  const text = await resp.text();
  return text ? JSON.parse(text) : null;
}

function computeUrl(path) {
  const current = session.get();
  return `${(current && current.computeUrl) || ''}/v2.1${path}`;
}

function computeHeaders(version) {
  const v = version || COMPUTE_VERSION;
  return {'OpenStack-API-Version': `compute ${v}`, 'X-OpenStack-Nova-API-Version': v};
}

// compute.get('/servers/detail') etc.; `version` only where a newer shape is needed.
export const compute = {
  get: (path, opts = {}) => request('GET', computeUrl(path), {...opts, headers: computeHeaders(opts.version)}),
  post: (path, body, opts = {}) =>
    request('POST', computeUrl(path), {...opts, body, headers: computeHeaders(opts.version)}),
  put: (path, body, opts = {}) =>
    request('PUT', computeUrl(path), {...opts, body, headers: computeHeaders(opts.version)}),
  del: (path, opts = {}) => request('DELETE', computeUrl(path), {...opts, headers: computeHeaders(opts.version)}),
  action: (serverId, body) => request('POST', computeUrl(`/servers/${encodeURIComponent(serverId)}/action`),
    {body, headers: computeHeaders()}),
};

export function imageServiceUrl() {
  const current = session.get();
  return (current && current.imageUrl) || (config && config.image_url) || '';
}

// Cinder v3 of the session's project: `[dashboard] volume_url` with the
// project filled in; '' when none is configured (no Volumes page then).
export function volumeServiceUrl() {
  const current = session.get();
  const template = (config && config.volume_url) || '';
  if (!template || !current) return '';
  return template.split('%(project_id)s').join(encodeURIComponent(current.project));
}

// volume.get('/volumes/detail') etc., at Cinder's base microversion.
export const volume = {
  get: (path) => request('GET', `${volumeServiceUrl()}${path}`),
  post: (path, body) => request('POST', `${volumeServiceUrl()}${path}`, {body}),
  del: (path) => request('DELETE', `${volumeServiceUrl()}${path}`),
};
