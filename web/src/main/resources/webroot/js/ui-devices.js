// Camera and microphone choice (#devices, a collapsible panel in the room's
// sidebar): one <select> per kind, filled from enumerateDevices once the page may
// use the devices, refreshed when devices come and go. Choosing one switches the
// track in place (media.switchDevice: the peer connection swaps it on its sender,
// without renegotiating) and is remembered for the tab's session.

import * as media from './media.js';

const $ = (id) => document.getElementById(id);
const SELECTS = [['video', 'camera-select', 'No camera'], ['audio', 'mic-select', 'No microphone']];
let switching = false;
let rendering = null; // the render in flight; another waits for it

async function render() {
  const list = await media.listDevices();
  for (const [kind, id, none] of SELECTS) {
    const select = $(id);
    if (!select) continue;
    const current = media.currentDevice(kind);
    const options = list[kind].map((d) => new Option(d.label, d.deviceId, false, d.deviceId === current));
    if (options.length === 0) options.push(new Option(none, '', true, true));
    // Only when something changed: rebuilding under an open list would close it.
    const key = JSON.stringify(options.map((o) => [o.value, o.text, o.selected]));
    if (select.dataset.options !== key) {
      select.replaceChildren(...options);
      select.dataset.options = key;
    }
    select.disabled = switching || list[kind].length === 0 || !media.getLocalStream();
  }
}

export function renderDevices() {
  rendering = (rendering ?? Promise.resolve()).then(render).catch((err) => console.warn('chorus: devices', err));
  return rendering;
}

function showError(message) {
  const el = $('device-error');
  if (!el) return;
  el.textContent = message ?? '';
  el.hidden = !message;
}

async function choose(kind, deviceId) {
  if (!deviceId) return;
  switching = true;
  renderDevices();
  const message = await media.switchDevice(kind, deviceId);
  switching = false;
  showError(message);
  await renderDevices();
}

export function initDevices() {
  for (const [kind, id] of SELECTS) {
    $(id)?.addEventListener('change', (e) => choose(kind, e.target.value));
  }
  navigator.mediaDevices?.addEventListener?.('devicechange', renderDevices);
  media.onChange(renderDevices);
  renderDevices();
}
