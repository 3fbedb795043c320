// Small DOM helpers shared by every page: elements, dialogs, messages, charts.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === 'class') {
      el.className = value;
    } else if (key === 'text') {
      el.textContent = value;
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (key in el && typeof value !== 'string') {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? '' : value);
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let idCounter = 0;
export function uid(prefix = 'f') {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

function message(regionId, text, kind) {
  const region = document.getElementById(regionId);
  const item = h('div', {class: `toast toast-${kind}`},
    h('span', {text}),
    h('button', {type: 'button', class: 'link', 'aria-label': 'Dismiss message',
      onclick: () => item.remove()}, '×'));
  region.append(item);
  if (kind !== 'error') setTimeout(() => item.remove(), 6000);
  return item;
}

export function notify(text) {
  return message('toasts', text, 'info');
}

export function showError(err) {
  return message('alerts', err && err.message ? err.message : String(err), 'error');
}

export function clearErrors() {
  document.getElementById('alerts').replaceChildren();
}

// A heading and a toolbar on top of every page.
export function pageHeader(title, ...actions) {
  return h('div', {class: 'page-header'}, h('h1', {text: title}),
    h('div', {class: 'toolbar'}, actions));
}

export function button(label, onclick, {kind = '', ariaLabel, disabled} = {}) {
  return h('button', {type: 'button', class: `btn ${kind}`, onclick,
    'aria-label': ariaLabel, disabled: disabled || undefined}, label);
}

// A modal <dialog>; resolves when it closes. `build(dialog, close)` fills it.
function modal(title, build) {
  return new Promise((resolve) => {
    const titleId = uid('dlg');
    const dialog = h('dialog', {class: 'dialog', 'aria-labelledby': titleId},
      h('h2', {id: titleId, text: title}));
    const close = (value) => {
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    dialog.addEventListener('cancel', (ev) => {
      ev.preventDefault();
      close(undefined);
    });
    build(dialog, close);
    document.body.append(dialog);
    dialog.showModal();
  });
}

export function confirmDialog({title, text, confirmLabel = 'Confirm', danger = false}) {
  return modal(title, (dialog, close) => {
    dialog.append(h('p', {text}), h('div', {class: 'dialog-buttons'},
      button('Cancel', () => close(false)),
      button(confirmLabel, () => close(true), {kind: danger ? 'danger' : 'primary'})));
  });
}

// fields: [{name, label, type: text|number|select|textarea|file|checkbox,
//           options: [[value, label]], required, value, help}]
// onSubmit(values) may throw; its message stays in the dialog.
export function formDialog({title, fields, submitLabel = 'Submit', onSubmit, intro}) {
  return modal(title, (dialog, close) => {
    const error = h('p', {class: 'form-error', role: 'alert'});
    const inputs = {};
    const form = h('form', {class: 'form', novalidate: true},
      intro ? h('p', {text: intro}) : null,
      fields.map((f) => {
        const input = field(f);
        inputs[f.name] = input;
        return input.wrapper;
      }),
      error,
      h('div', {class: 'dialog-buttons'},
        button('Cancel', () => close(null)),
        h('button', {type: 'submit', class: 'btn primary'}, submitLabel)));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const values = {};
      for (const f of fields) {
        const input = inputs[f.name];
        if (f.type === 'file') values[f.name] = input.files[0] || null;
        else if (f.type === 'checkbox') values[f.name] = input.checked;
        else values[f.name] = input.value;
        const missing = f.required && (f.type === 'file' ? !values[f.name] : !String(values[f.name]).trim());
        input.setAttribute('aria-invalid', missing ? 'true' : 'false');
        if (missing) {
          error.textContent = `${f.label} is required.`;
          input.focus();
          return;
        }
      }
      error.textContent = '';
      const submit = form.querySelector('button[type=submit]');
      submit.disabled = true;
      try {
        const result = await onSubmit(values);
        close(result === undefined ? true : result);
      } catch (err) {
        error.textContent = err.message;
      } finally {
        submit.disabled = false;
      }
    });
    dialog.append(form);
  });
}

export function field(f) {
  const id = uid('in');
  let input;
  if (f.type === 'select') {
    input = h('select', {id, name: f.name},
      (f.options || []).map(([value, label]) => h('option', {value, selected: String(value) === String(f.value ?? '')}, label)));
  } else if (f.type === 'textarea') {
    input = h('textarea', {id, name: f.name, rows: f.rows || 4}, f.value || '');
  } else {
    input = h('input', {id, name: f.name, type: f.type || 'text', value: f.type === 'file' ? undefined : (f.value ?? ''),
      min: f.min, max: f.max, checked: f.type === 'checkbox' ? !!f.value : undefined, accept: f.accept});
  }
  if (f.required) input.setAttribute('aria-required', 'true');
  const helpId = f.help ? uid('help') : null;
  if (helpId) input.setAttribute('aria-describedby', helpId);
  input.wrapper = h('div', {class: `field field-${f.type || 'text'}`},
    h('label', {for: id, text: f.label}), input,
    f.help ? h('small', {id: helpId, class: 'help', text: f.help}) : null);
  return input;
}

export function showText(title, text, {filename} = {}) {
  return modal(title, (dialog, close) => {
    const url = filename ? URL.createObjectURL(new Blob([text], {type: 'text/plain'})) : null;
    dialog.append(h('pre', {class: 'console', tabindex: '0'}, text), h('div', {class: 'dialog-buttons'},
      url ? h('a', {class: 'btn', href: url, download: filename}, `Download ${filename}`) : null,
      button('Close', () => close(true), {kind: 'primary'})));
  });
}

// Charts: a ring for quota usage, a <meter> bar for host usage.
export function donut(label, used, limit, unit = '') {
  const unlimited = limit < 0;
  const share = unlimited || limit === 0 ? (used > 0 && limit === 0 ? 1 : 0) : Math.min(used / limit, 1);
  const r = 40;
  const circumference = 2 * Math.PI * r;
  const text = unlimited ? `${used}${unit} used (no limit)` : `${used}${unit} of ${limit}${unit} used`;
  const level = share >= 1 ? 'full' : share >= 0.8 ? 'high' : 'ok';
  const svgNs = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(svgNs, 'svg');
  svg.setAttribute('viewBox', '0 0 100 100');
  svg.setAttribute('aria-hidden', 'true');
  for (const [cls, dash] of [['ring-bg', circumference], [`ring ring-${level}`, share * circumference]]) {
    const c = document.createElementNS(svgNs, 'circle');
    c.setAttribute('cx', '50');
    c.setAttribute('cy', '50');
    c.setAttribute('r', String(r));
    c.setAttribute('class', cls);
    c.setAttribute('stroke-dasharray', `${dash} ${circumference}`);
    svg.append(c);
  }
  return h('figure', {class: 'chart', role: 'img', 'aria-label': `${label}: ${text}`},
    svg, h('figcaption', {}, h('strong', {text: label}), h('span', {class: 'chart-text', text})));
}

export function usageBar(label, used, total, unit = '') {
  const text = `${used}${unit} / ${total}${unit}`;
  const share = total > 0 ? used / total : 0;
  return h('div', {class: 'usage'},
    h('meter', {min: 0, max: Math.max(total, 1), value: Math.min(used, Math.max(total, 1)),
      high: Math.max(total, 1) * 0.8, optimum: 0, 'aria-label': `${label} ${text}`}),
    h('span', {class: `usage-text${share > 1 ? ' over' : ''}`, text}));
}

// Places a <details> menu's panel at fixed coordinates under its summary
// (over it when there is more room there), so a table's scroll box cannot
// clip it; while open it follows the summary when the page scrolls.
export function floatingMenu(details, panel) {
  const place = () => {
    const anchor = details.querySelector('summary').getBoundingClientRect();
    const height = panel.offsetHeight;
    let top = anchor.bottom;
    if (top + height > window.innerHeight) {
      top = anchor.top >= height ? anchor.top - height : Math.max(0, window.innerHeight - height);
    }
    panel.style.top = `${top}px`;
    panel.style.right = `${document.documentElement.clientWidth - anchor.right}px`;
  };
  details.addEventListener('toggle', () => {
    if (details.open) {
      window.addEventListener('scroll', place, true);
      window.addEventListener('resize', place);
      place();
    } else {
      window.removeEventListener('scroll', place, true);
      window.removeEventListener('resize', place);
    }
  });
  return details;
}

export function mb(value) {
  return value >= 1024 ? `${+(value / 1024).toFixed(1)} GB` : `${value} MB`;
}

// A byte count in binary units, as Horizon shows sizes: 196624 -> '192 KB',
// 5000 -> '4.9 KB' (one decimal below 100, where it still tells something).
export function bytes(value) {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let amount = value;
  let unit = 0;
  while (amount >= 1024 && unit < units.length - 1) {
    amount /= 1024;
    unit += 1;
  }
  const shown = unit && amount < 100 ? +amount.toFixed(1) : Math.round(amount);
  return `${shown} ${units[unit]}`;
}

export function when(iso) {
  if (!iso) return '';
  const d = new Date(/Z$|[+-]\d\d:\d\d$/.test(iso) ? iso : `${iso}Z`);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export function emptyRow(columns, text) {
  return h('tr', {class: 'empty'}, h('td', {colspan: columns, text}));
}

// A table from column headings and row arrays of cells.
export function table(caption, headings, rows, {empty = 'Nothing to show.'} = {}) {
  return h('div', {class: 'table-wrap'}, h('table', {},
    h('caption', {class: 'sr-only', text: caption}),
    h('thead', {}, h('tr', {}, headings.map((t) => h('th', {scope: 'col', text: t})))),
    h('tbody', {}, rows.length ? rows : emptyRow(headings.length, empty))));
}

// Runs an async step; a failure becomes an alert with the API's message.
export async function guarded(fn) {
  try {
    return await fn();
  } catch (err) {
    showError(err);
    return undefined;
  }
}
