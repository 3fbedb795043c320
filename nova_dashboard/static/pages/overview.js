// Project overview: quota usage charts from /limits, and the project's
// usage over the last days (usage_chart.js).

import {compute, session} from '../api.js';
import {donut, h, pageHeader, replace} from '../ui.js';
import {projectsOverTime, usageOverTime} from '../usage_chart.js';

export async function render(main) {
  const limits = (await compute.get('/limits')).limits.absolute;
  const current = session.get();
  let usage;
  try {
    usage = await usageOverTime(current.project, current.projectName || current.project);
  } catch (err) {
    // A role that may not read usage still gets its quotas.
    usage = h('p', {class: 'chart-text', text: `Usage unavailable: ${err.message}`});
  }
  let projects = null;
  if (current.isAdmin) {
    try {
      projects = await projectsOverTime();
    } catch (err) {
      projects = h('p', {class: 'chart-text', text: `Usage per project unavailable: ${err.message}`});
    }
  }
  replace(main,
    pageHeader('Overview'),
    h('section', {class: 'card', 'aria-labelledby': 'quota-title'},
      h('h2', {id: 'quota-title', text: `Quota usage of project ${current.projectName || current.project}`}),
      h('div', {class: 'charts'},
        donut('Instances', limits.totalInstancesUsed, limits.maxTotalInstances),
        donut('vCPUs', limits.totalCoresUsed, limits.maxTotalCores),
        donut('RAM', limits.totalRAMUsed, limits.maxTotalRAMSize, ' MB'),
        donut('Server groups', limits.totalServerGroupsUsed, limits.maxServerGroups))),
    usage,
    projects,
    h('p', {}, h('a', {href: '#/instances'}, 'Go to instances')));
}
