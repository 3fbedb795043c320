// Project overview: quota usage charts from /limits.

import {compute, session} from '../api.js';
import {donut, h, pageHeader, replace} from '../ui.js';

export async function render(main) {
  const limits = (await compute.get('/limits')).limits.absolute;
  const current = session.get();
  replace(main,
    pageHeader('Overview'),
    h('section', {class: 'card', 'aria-labelledby': 'quota-title'},
      h('h2', {id: 'quota-title', text: `Quota usage of project ${current.projectName || current.project}`}),
      h('div', {class: 'charts'},
        donut('Instances', limits.totalInstancesUsed, limits.maxTotalInstances),
        donut('vCPUs', limits.totalCoresUsed, limits.maxTotalCores),
        donut('RAM', limits.totalRAMUsed, limits.maxTotalRAMSize, ' MB'),
        donut('Server groups', limits.totalServerGroupsUsed, limits.maxServerGroups))),
    h('p', {}, h('a', {href: '#/instances'}, 'Go to instances')));
}
