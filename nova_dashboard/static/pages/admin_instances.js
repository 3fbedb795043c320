// Admin: every project's instances, with project and host columns.

import {renderInstances} from './instances.js';

export function render(main) {
  return renderInstances(main, {allProjects: true});
}
