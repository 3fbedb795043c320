// Every server of a listing, fetched in the API's own pages (limit and
// marker), so a project of thousands is never cut at the API's max_limit.

import {compute} from '../api.js';
import {SERVER_VERSION} from './server_actions.js';

// Nova's default [api] max_limit: one request per thousand servers.
const FETCH_LIMIT = 1000;

export async function listServers({allProjects = false} = {}) {
  const servers = [];
  let marker = null;
  for (;;) {
    const query = new URLSearchParams({limit: String(FETCH_LIMIT)});
    if (allProjects) query.set('all_tenants', '1');
    if (marker) query.set('marker', marker);
    const body = await compute.get(`/servers/detail?${query}`, {version: SERVER_VERSION});
    servers.push(...body.servers);
    // The API links a next page whenever a page came back full.
    const more = (body.servers_links || []).some((link) => link.rel === 'next');
    if (!more || !body.servers.length) return servers;
    marker = body.servers[body.servers.length - 1].id;
  }
}
