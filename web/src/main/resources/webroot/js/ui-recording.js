// The room's recording: the server tells everyone when it starts and stops ("recording",
// and "joined".recording for a newcomer), and the page shows it in the room header. A moderator
// or a member with the record permission gets a button that starts and stops it ("record").

const $ = (id) => document.getElementById(id);

let active = false;
let request = () => false;

// onRequest(message): sends a signaling message; false when it could not be sent.
export function initRecording({ onRequest }) {
  request = onRequest;
  $('toggle-recording').addEventListener('click', () => request({ type: 'record', active: !active }));
}

export function setRecording(on) {
  active = on;
  const el = $('recording-badge');
  el.hidden = !on;
  el.dataset.recording = on ? 'true' : 'false';
  const button = $('toggle-recording');
  button.textContent = on ? 'Stop recording' : 'Record';
  button.setAttribute('aria-pressed', on ? 'true' : 'false');
}

// The button is there for those whose permissions let them record.
export function setMayRecord(may) {
  $('toggle-recording').hidden = !may;
}
