// Keystone mode only: password login against Identity v3 and the catalog.

import {ApiError, errorMessage, request} from './api.js';

// Catalog URLs look like http://host:8774/v2.1[/<project>]; the dashboard
// adds /v2.1 itself, so keep only what precedes it.
function computeBase(url) {
  return url.replace(/\/v2(\.1)?(\/.*)?$/, '').replace(/\/$/, '');
}

function endpoints(catalog, type) {
  const service = (catalog || []).find((s) => s.type === type);
  if (!service) return [];
  return service.endpoints.filter((e) => e.interface === 'public');
}

// Returns the session fields: token, user, project, roles, regions.
export async function login(config, {username, password, project}) {
  const domain = {name: config.user_domain || 'Default'};
  let resp;
  try {
    resp = await fetch(`${config.identity_url}/v3/auth/tokens`, {
      method: 'POST',
      headers: {'Content-Type': 'application/json', Accept: 'application/json'},
      body: JSON.stringify({auth: {
        identity: {methods: ['password'], password: {user: {name: username, domain, password}}},
        scope: {project: {name: project, domain}},
      }}),
    });
  } catch (err) {
    throw new ApiError(0, `Cannot reach Keystone at ${config.identity_url}: ${err.message}`);
  }
  if (!resp.ok) throw new ApiError(resp.status, await errorMessage(resp));
  const token = resp.headers.get('X-Subject-Token');
  if (!token) {
    throw new ApiError(0, 'Keystone answered without an X-Subject-Token header '
      + '(it must expose it to this origin through CORS).');
  }
  const body = (await resp.json()).token;
  const compute = endpoints(body.catalog, 'compute').map((e) => ({
    name: e.region_id || e.region, compute_url: computeBase(e.url)}));
  const image = endpoints(body.catalog, 'image');
  return {
    token,
    user: body.user.name,
    project: body.project.id,
    projectName: body.project.name,
    roles: (body.roles || []).map((r) => r.name),
    expires: body.expires_at,
    regions: compute.length ? compute : config.regions,
    imageUrl: image.length ? image[0].url.replace(/\/$/, '') : '',
  };
}

export async function logout(config, token) {
  try {
    await request('DELETE', `${config.identity_url}/v3/auth/tokens`,
      {token, headers: {'X-Subject-Token': token}});
  } catch {
    // The token is dropped locally either way.
  }
}
