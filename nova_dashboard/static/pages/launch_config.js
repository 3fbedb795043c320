// The launch wizard's Configuration step: user data (typed, or loaded from a
// file) and the configuration drive.

import {field, h} from '../ui.js';

// The API's limit counts the bytes before base64, so UTF-8 bytes, not
// characters: "✓" is three of them.
export const USER_DATA_LIMIT = 65535;
// Past this a file is not read at all: it could only be refused, and a
// textarea holding megabytes would freeze the page first.
const FILE_READ_LIMIT = 1024 * 1024;

// btoa takes a string of Latin-1 code points; it throws on "✓" and would
// mangle "é". Encode to UTF-8 first, then hand btoa one byte per code point.
export function base64Utf8(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  // In slices: spreading a 64 KB array into one call can overflow the stack.
  for (let i = 0; i < bytes.length; i += 0x2000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x2000));
  }
  return btoa(binary);
}

const tooBig = (what, size) => `${what} is ${size} bytes; the limit is ${USER_DATA_LIMIT} bytes.`;

export function configurationStep() {
  const userData = field({name: 'user_data', label: 'User data', type: 'textarea', rows: 8,
    help: `A script or cloud-config the instance reads at boot, at most ${USER_DATA_LIMIT} bytes of UTF-8 text.`});
  const file = field({name: 'user_data_file', label: 'Load user data from a file', type: 'file'});
  const configDrive = field({name: 'config_drive', label: 'Configuration drive', type: 'checkbox',
    help: 'Attach a drive holding the metadata and user data, for guests that cannot reach the metadata service.'});
  const error = h('p', {class: 'field-error', id: 'user-data-error', 'aria-live': 'polite'});
  userData.setAttribute('aria-describedby', `${userData.getAttribute('aria-describedby')} ${error.id}`);

  // Marks the text area and says what is wrong with it ('' when nothing).
  function check() {
    const size = new TextEncoder().encode(userData.value).length;
    const problem = size > USER_DATA_LIMIT ? tooBig('User data', size) : '';
    userData.setAttribute('aria-invalid', problem ? 'true' : 'false');
    error.textContent = problem;
    return problem;
  }
  userData.addEventListener('input', check);

  file.addEventListener('change', async () => {
    const chosen = file.files[0];
    if (!chosen) return;
    if (chosen.size > FILE_READ_LIMIT) {
      error.textContent = tooBig(chosen.name, chosen.size);
      return;
    }
    let text;
    try {
      // fatal: a binary file is refused rather than loaded with U+FFFD in it.
      text = new TextDecoder('utf-8', {fatal: true}).decode(await chosen.arrayBuffer());
    } catch {
      error.textContent = `${chosen.name} is not UTF-8 text.`;
      return;
    }
    userData.value = text;
    // As if typed: the size check and the wizard's own recheck both run.
    userData.dispatchEvent(new Event('input', {bubbles: true}));
  });

  // Adds the step's fields to the create request's `server` object.
  function apply(server) {
    if (userData.value) server.user_data = base64Utf8(userData.value);
    if (configDrive.checked) server.config_drive = true;
  }

  const content = [h('div', {class: 'user-data'}, userData.wrapper, file.wrapper), error, configDrive.wrapper];
  return {content, userData, check, apply};
}
