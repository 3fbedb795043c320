// Re-runs a loader: every `fast` ms while it reports work in progress,
// every `slow` ms otherwise. One run at a time; a failure is shown once.

import {showError} from './ui.js';

export function poller(load, {fast = 2000, slow = 15000} = {}) {
  let timer = null;
  let running = false;
  let again = false;
  let stopped = false;
  let lastError = '';

  async function tick() {
    clearTimeout(timer);
    timer = null;
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    let busy = false;
    try {
      busy = await load();
      lastError = '';
    } catch (err) {
      if (err.message !== lastError) showError(err);
      lastError = err.message;
    }
    running = false;
    if (stopped) return;
    if (again) {
      again = false;
      tick();
      return;
    }
    timer = setTimeout(tick, busy ? fast : slow);
  }

  return {now: tick, stop: () => {
    stopped = true;
    clearTimeout(timer);
  }};
}
