// What the Volumes page and the launch wizard agree on: how big a volume may
// be, and how big one made from an image must be.

// Larger requests are refused in the browser; Cinder's quota usually ends
// far below this anyway and answers with its own message.
export const MAX_VOLUME_GB = 16384;
const GIB = 1024 ** 3;

// A volume written from an image holds its whole virtual disk: at least the
// image's min_disk, and at least its stored size rounded up to whole GB.
export function imageMinGb(image) {
  if (!image) return 1;
  const stored = Math.ceil((image['OS-EXT-IMG-SIZE:size'] || 0) / GIB);
  return Math.max(1, image.minDisk || 0, stored);
}

// '' when `text` is an acceptable size for a volume from `image` (or blank).
export function sizeProblem(text, image) {
  const size = Number(text);
  if (!Number.isInteger(size) || size < 1 || size > MAX_VOLUME_GB) {
    return `Volume size must be a whole number of GB from 1 to ${MAX_VOLUME_GB}.`;
  }
  const needed = imageMinGb(image);
  if (image && size < needed) return `Image ${image.name} needs a volume of at least ${needed} GB.`;
  return '';
}
