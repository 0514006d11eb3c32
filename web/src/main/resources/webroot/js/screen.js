// Screen sharing: one getDisplayMedia() track at a time. Ending it, either with
// our button or with the browser's own "Stop sharing" bar, reports null so the
// caller can unpublish it.

let track = null;
let onChangeFn = () => {};

export function onChange(fn) {
  onChangeFn = fn;
}

export function getTrack() {
  return track;
}

// Must run from a user gesture (a click): browsers refuse getDisplayMedia otherwise.
// Resolves to null on success, or a message to show.
export async function start() {
  if (track) return null;
  if (!navigator.mediaDevices?.getDisplayMedia) {
    return 'This browser cannot share the screen here.';
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15 } }, audio: false });
  } catch (err) {
    // Closing the picker is a choice, not an error worth a banner.
    if (err?.name === 'NotAllowedError' || err?.name === 'AbortError') return null;
    return `Could not share the screen (${err?.name || 'error'}: ${err?.message || 'unknown'}).`;
  }
  const t = stream.getVideoTracks()[0];
  if (!t) return 'The shared surface has no video.';
  // Text and slides matter more than motion; the encoder keeps resolution over frame rate.
  t.contentHint = 'detail';
  // The browser's own "Stop sharing" ends the track without our button.
  t.addEventListener('ended', () => {
    if (track === t) stop();
  });
  track = t;
  onChangeFn(track);
  return null;
}

export function stop() {
  if (!track) return;
  const t = track;
  track = null;
  t.stop(); // stop() does not fire "ended", so notify here
  onChangeFn(null);
}
