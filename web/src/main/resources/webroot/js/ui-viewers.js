// Broadcast rooms: the audience is counted, not listed. Shows the room's viewer
// count (from "joined" and the server's coalesced "viewers" messages) and turns
// a viewer's page into a watching page: no camera, mic or screen controls.

const $ = (id) => document.getElementById(id);

let count = 0;

export function getCount() {
  return count;
}

// The count as the server last said it (hidden while nobody watches).
export function setCount(n) {
  count = Number.isInteger(n) && n >= 0 ? n : 0;
  const el = $('viewer-count');
  el.textContent = `${count} watching`;
  el.dataset.count = String(count);
  el.hidden = count === 0;
}

// A viewer (?role=viewer) only receives: hide what would publish.
export function initViewerPage(viewer) {
  document.body.dataset.role = viewer ? 'viewer' : 'participant';
  if (!viewer) return;
  for (const id of ['toggle-audio', 'toggle-video', 'toggle-screen', 'devices']) $(id).hidden = true;
}
