// Usage over time of one project: per-day instance, vCPU and RAM hours
// worked out from os-simple-tenant-usage's server usages (their start and
// end), drawn as a plain SVG bar chart with a table beside it for
// screen readers. No chart library: nothing is fetched from a CDN.

import {compute} from './api.js';
import {h} from './ui.js';

const DAY_MS = 24 * 3600 * 1000;
// Pages of 2.40's paging followed at most: a project with more servers
// than max_limit x this in the window is drawn from those counted.
const MAX_PAGES = 10;
const svgNs = 'http://www.w3.org/2000/svg';

function apiTime(date) {
  // The API takes naive UTC times without a zone. The milliseconds stay:
  // an end cut to the second would leave out a server launched within it.
  return date.toISOString().slice(0, 23);
}

function parseTime(text) {
  if (!text) return null;
  return new Date(/Z$|[+-]\d\d:\d\d$/.test(text) ? text : `${text}Z`);
}

function nextMarker(links) {
  const next = (links || []).find((l) => l.rel === 'next');
  return next ? new URL(next.href, window.location.href).searchParams.get('marker') : null;
}

// Server usages overlapping [start, end): of `project`, or of every
// project (the admin's index), following 2.40's paging links up to
// MAX_PAGES pages.
export async function fetchServerUsages(project, start, end) {
  const servers = [];
  let marker = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = new URLSearchParams({start: apiTime(start), end: apiTime(end)});
    if (marker) query.set('marker', marker);
    let found, links;
    if (project) {
      const body = await compute.get(
        `/os-simple-tenant-usage/${encodeURIComponent(project)}?${query}`, {version: '2.40'});
      found = (body.tenant_usage && body.tenant_usage.server_usages) || [];
      links = body.tenant_usage_links;
    } else {
      query.set('detailed', '1');
      const body = await compute.get(`/os-simple-tenant-usage?${query}`, {version: '2.40'});
      found = body.tenant_usages.flatMap((u) => u.server_usages || []);
      links = body.tenant_usages_links;
    }
    servers.push(...found);
    marker = nextMarker(links);
    if (!marker || !found.length) break;
  }
  return servers;
}

// One bucket per day from `start`: {day, instanceHours, vcpuHours, ramGbHours}.
export function dailyUsage(servers, start, days, now = new Date()) {
  const buckets = [];
  for (let i = 0; i < days; i++) {
    const from = new Date(start.getTime() + i * DAY_MS);
    const to = new Date(Math.min(from.getTime() + DAY_MS, now.getTime()));
    let instanceHours = 0, vcpuHours = 0, ramGbHours = 0;
    for (const s of servers) {
      const began = parseTime(s.started_at);
      if (!began) continue;
      const ended = parseTime(s.ended_at) || now;
      const overlap = Math.max(0, Math.min(ended, to) - Math.max(began, from)) / 3600000;
      instanceHours += overlap;
      vcpuHours += overlap * (s.vcpus || 0);
      ramGbHours += overlap * (s.memory_mb || 0) / 1024;
    }
    buckets.push({day: from.toISOString().slice(0, 10), instanceHours, vcpuHours, ramGbHours});
  }
  return buckets;
}

function fmt(value) {
  return value >= 10 ? value.toFixed(0) : value >= 0.01 ? value.toFixed(2) : value > 0 ? '<0.01' : '0';
}

function svgEl(tag, attrs) {
  const el = document.createElementNS(svgNs, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

// A bar chart of `key` over the buckets.
export function barChart(title, buckets, key, unit) {
  const width = 28 * buckets.length + 10;
  const height = 120;
  const top = Math.max(...buckets.map((b) => b[key]), 0);
  const svg = svgEl('svg', {viewBox: `0 0 ${width} ${height + 18}`, 'aria-hidden': 'true',
    class: 'bars'});
  svg.append(svgEl('line', {x1: 4, y1: height, x2: width - 4, y2: height, class: 'axis'}));
  buckets.forEach((b, i) => {
    const share = top > 0 ? b[key] / top : 0;
    const barHeight = Math.max(share * (height - 8), b[key] > 0 ? 2 : 0);
    const bar = svgEl('rect', {x: 8 + i * 28, y: height - barHeight, width: 20,
      height: barHeight, class: 'bar', 'data-day': b.day, 'data-value': b[key]});
    const tip = svgEl('title', {});
    tip.textContent = `${b.day}: ${fmt(b[key])} ${unit}`;
    bar.append(tip);
    svg.append(bar);
    const label = svgEl('text', {x: 18 + i * 28, y: height + 14, class: 'bar-label'});
    label.textContent = b.day.slice(8);
    svg.append(label);
  });
  const total = buckets.reduce((sum, b) => sum + b[key], 0);
  const summary = `${title}: ${fmt(total)} ${unit} over ${buckets.length} days, most ${fmt(top)} on one day`;
  return h('figure', {class: 'bar-chart', role: 'img', 'aria-label': summary},
    svg, h('figcaption', {}, h('strong', {text: title}),
      h('span', {class: 'chart-text', text: `${fmt(total)} ${unit} in all`})));
}

// The card: three charts and the same numbers as a table.
export function usageCard(project, buckets) {
  const rows = buckets.map((b) => h('tr', {},
    h('th', {scope: 'row', text: b.day}), h('td', {text: fmt(b.instanceHours)}),
    h('td', {text: fmt(b.vcpuHours)}), h('td', {text: fmt(b.ramGbHours)})));
  return h('section', {class: 'card', 'aria-labelledby': 'usage-title'},
    h('h2', {id: 'usage-title', text: `Usage of project ${project} over the last ${buckets.length} days`}),
    h('div', {class: 'charts'},
      barChart('Instance hours per day', buckets, 'instanceHours', 'instance hours'),
      barChart('vCPU hours per day', buckets, 'vcpuHours', 'vCPU hours'),
      barChart('RAM GB hours per day', buckets, 'ramGbHours', 'GB hours')),
    h('details', {}, h('summary', {text: 'Usage as a table'}),
      h('table', {id: 'usage-table'},
        h('thead', {}, h('tr', {}, h('th', {scope: 'col', text: 'Day (UTC)'}),
          h('th', {scope: 'col', text: 'Instance hours'}), h('th', {scope: 'col', text: 'vCPU hours'}),
          h('th', {scope: 'col', text: 'RAM GB hours'}))),
        h('tbody', {}, ...rows))));
}

// Fetch and draw the last `days` days (today last, UTC days); `label`
// names the project in the title.
export async function usageOverTime(project, label, days = 7, now = new Date()) {
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const start = new Date(today.getTime() - (days - 1) * DAY_MS);
  const servers = await fetchServerUsages(project, start, now);
  return usageCard(label || project, dailyUsage(servers, start, days, now));
}

// Projects drawn at most on the admin's card, the busiest first.
const MAX_PROJECTS = 12;

// The admin's card: one instance-hours chart per project.
export async function projectsOverTime(days = 7, now = new Date()) {
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const start = new Date(today.getTime() - (days - 1) * DAY_MS);
  const byProject = new Map();
  for (const s of await fetchServerUsages(null, start, now)) {
    if (!byProject.has(s.tenant_id)) byProject.set(s.tenant_id, []);
    byProject.get(s.tenant_id).push(s);
  }
  const projects = [...byProject].map(([id, servers]) => {
    const buckets = dailyUsage(servers, start, days, now);
    return {id, buckets, total: buckets.reduce((sum, b) => sum + b.instanceHours, 0)};
  }).sort((a, b) => b.total - a.total || a.id.localeCompare(b.id));
  const shown = projects.slice(0, MAX_PROJECTS);
  return h('section', {class: 'card', 'aria-labelledby': 'projects-usage-title'},
    h('h2', {id: 'projects-usage-title', text: `Usage per project over the last ${days} days`}),
    shown.length ? h('div', {class: 'charts'}, ...shown.map((p) =>
      barChart(`Project ${p.id}: instance hours per day`, p.buckets, 'instanceHours', 'instance hours')))
      : h('p', {class: 'chart-text', text: 'No project ran servers in this period.'}),
    projects.length > shown.length
      ? h('p', {class: 'chart-text', text: `${projects.length - shown.length} quieter projects not shown.`}) : null);
}
