// The room's recording: the server tells everyone when it starts and stops ("recording",
// and "joined".recording for a newcomer), and the page shows it in the room header.

const $ = (id) => document.getElementById(id);

export function setRecording(active) {
  const el = $('recording-badge');
  el.hidden = !active;
  el.dataset.recording = active ? 'true' : 'false';
}
