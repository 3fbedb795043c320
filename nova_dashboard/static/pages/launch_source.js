// The launch wizard's Source step: boot from an image on the host's disk, from
// a new volume made from an image, or from an existing bootable volume.
// The volume choices appear only when the dashboard knows a volume endpoint.

import {field, h} from '../ui.js';
import {imageMinGb, MAX_VOLUME_GB, sizeProblem} from './volume_sizes.js';

function imageLabel(i) {
  return `${i.name}${i.minDisk ? ` (min disk ${i.minDisk} GB)` : ''}${i.minRam ? ` (min RAM ${i.minRam} MB)` : ''}`;
}

// images: ACTIVE images; volumes: the project's volumes, or null when there
// is no volume endpoint.
export function sourceStep(images, volumes) {
  const withVolumes = volumes !== null;
  const bootable = (volumes || []).filter((v) => v.bootable === 'true' && v.status === 'available');
  const source = field({name: 'boot_source', label: 'Boot source', type: 'select',
    options: [['image', 'Image'], ['volume', 'Existing bootable volume']]});
  const image = field({name: 'image', label: 'Image', type: 'select', required: true,
    options: [['', 'Select an image'], ...images.map((i) => [i.id, imageLabel(i)])]});
  const newVolume = field({name: 'new_volume', label: 'Create new volume', type: 'checkbox',
    help: 'The root disk is a volume made from the image instead of a disk on the host.'});
  const size = field({name: 'volume_size', label: 'Volume size (GB)', type: 'number', min: 1, max: MAX_VOLUME_GB});
  const bootVolume = field({name: 'boot_volume', label: 'Bootable volume', type: 'select',
    options: [['', bootable.length ? 'Select a volume' : 'No available bootable volumes'],
      ...bootable.map((v) => [v.id, `${v.name || v.id} (${v.size} GB)`])]});
  const deleteVolume = field({name: 'delete_on_termination', label: 'Delete volume on instance delete',
    type: 'checkbox'});

  const fromVolume = () => withVolumes && source.value === 'volume';
  const onNewVolume = () => withVolumes && !fromVolume() && newVolume.checked;
  const chosenImage = () => (fromVolume() ? null : images.find((i) => i.id === image.value) || null);

  // A size the user typed is kept; otherwise it follows the chosen image.
  let sizeTyped = false;
  size.addEventListener('input', () => { sizeTyped = true; });
  function update() {
    image.wrapper.hidden = fromVolume();
    newVolume.wrapper.hidden = !withVolumes || fromVolume();
    size.wrapper.hidden = !onNewVolume();
    bootVolume.wrapper.hidden = !fromVolume();
    deleteVolume.wrapper.hidden = !(onNewVolume() || fromVolume());
    if (!sizeTyped) size.value = String(imageMinGb(chosenImage()));
  }
  for (const input of [source, image, newVolume]) input.addEventListener('change', update);

  // [message, input] for each problem; `count` is how many instances.
  function check(count) {
    const problems = [];
    const mark = (input, message) => {
      input.setAttribute('aria-invalid', message ? 'true' : 'false');
      if (message) problems.push([message, input]);
    };
    if (fromVolume()) {
      mark(bootVolume, !bootVolume.value ? 'Select a bootable volume.'
        : count > 1 ? 'An existing volume can boot only one instance; set Count to 1.' : '');
      return problems;
    }
    const img = chosenImage();
    mark(image, img ? '' : 'Select an image.');
    mark(size, onNewVolume() ? sizeProblem(size.value, img) : '');
    return problems;
  }

  // Nova's request shape: the root disk as block device mapping 0.
  function apply(server) {
    const root = {boot_index: 0, destination_type: 'volume', delete_on_termination: deleteVolume.checked};
    if (fromVolume()) {
      server.imageRef = '';
      server.block_device_mapping_v2 = [{...root, source_type: 'volume', uuid: bootVolume.value}];
    } else if (onNewVolume()) {
      server.imageRef = '';
      server.block_device_mapping_v2 = [{...root, source_type: 'image', uuid: image.value,
        volume_size: Number(size.value)}];
    } else {
      server.imageRef = image.value;
    }
  }

  update();
  const content = [withVolumes ? source.wrapper : null, image.wrapper, newVolume.wrapper, size.wrapper,
    bootVolume.wrapper, deleteVolume.wrapper];
  return {content: h('div', {class: 'source'}, content), check, apply, image: chosenImage,
    // The flavor's root disk holds the image only when it boots on the host.
    onHostDisk: () => !fromVolume() && !onNewVolume()};
}
