// The participant list (#participants): one <li data-participant-id> per person,
// self first, others in join order, with mic/camera-off indicators and a
// "Moderator" badge (li[data-moderator]) for members who may moderate. Each
// remote entry has moderation buttons (.participant-actions: mute mic, turn off
// camera, remove); the stylesheet shows them only while we may moderate
// (body[data-moderator]), so they are real, focusable buttons exactly then.

let actions = { onMute: () => {}, onRemove: () => {} };

// What the buttons do: onMute(id, source, muted), onRemove(id, name).
export function setActions(handlers) {
  actions = handlers;
}

const list = () => document.getElementById('participants');
const countEl = () => document.getElementById('participant-count');

function find(id) {
  return list().querySelector(`li[data-participant-id="${CSS.escape(id)}"]`);
}

function indicator(kind, text) {
  const span = document.createElement('span');
  span.className = `indicator indicator-${kind}`;
  span.textContent = text;
  span.hidden = true;
  return span;
}

function updateCount() {
  countEl().textContent = String(list().children.length);
}

export function upsert(p, { self = false } = {}) {
  let li = find(p.id);
  if (!li) {
    li = document.createElement('li');
    li.dataset.participantId = p.id;
    li.className = 'participant';
    const name = document.createElement('span');
    name.className = 'participant-name';
    li.append(name);
    if (self) {
      li.dataset.self = 'true';
      const you = document.createElement('span');
      you.className = 'participant-you';
      you.textContent = '(you)';
      li.append(' ', you);
    }
    const icons = document.createElement('span');
    icons.className = 'participant-indicators';
    icons.append(indicator('audio', 'mic off'), indicator('video', 'cam off'));
    const badge = document.createElement('span');
    badge.className = 'badge badge-moderator';
    badge.textContent = 'Moderator';
    badge.hidden = true;
    name.after(badge);
    li.append(icons);
    if (!self) li.append(moderationButtons(li));
    if (self) list().prepend(li);
    else list().append(li);
  }
  li.querySelector('.participant-name').textContent = p.name;
  li.dataset.name = p.name;
  li.dataset.moderator = String(p.moderator === true);
  li.querySelector('.badge-moderator').hidden = p.moderator !== true;
  for (const b of li.querySelectorAll('.participant-actions button')) b.setAttribute('aria-label', `${b.dataset.label} ${p.name}`);
  setMute(p.id, p.audioMuted, p.videoMuted);
  updateCount();
}

export function setMute(id, audioMuted, videoMuted) {
  const li = find(id);
  if (!li) return;
  if (typeof audioMuted === 'boolean') {
    li.classList.toggle('muted-audio', audioMuted);
    li.dataset.audioMuted = String(audioMuted);
    li.querySelector('.indicator-audio').hidden = !audioMuted;
  }
  if (typeof videoMuted === 'boolean') {
    li.classList.toggle('muted-video', videoMuted);
    li.dataset.videoMuted = String(videoMuted);
    li.querySelector('.indicator-video').hidden = !videoMuted;
  }
}

export function remove(id) {
  find(id)?.remove();
  updateCount();
}

export function clear() {
  list().replaceChildren();
  updateCount();
}

const SOURCES = {
  mic: ['Mute mic', 'Allow mic', 'Mute the microphone of', 'Allow the microphone of'],
  camera: ['Stop cam', 'Allow cam', 'Turn off the camera of', 'Allow the camera of'],
};

function moderationButtons(li) {
  const box = document.createElement('span');
  box.className = 'participant-actions';
  box.setAttribute('role', 'group');
  for (const [source, [text, , label]] of Object.entries(SOURCES)) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = `mod-mute mod-mute-${source}`;
    b.dataset.source = source;
    b.dataset.label = label;
    b.textContent = text;
    b.setAttribute('aria-pressed', 'false');
    // Pressed: a moderator (or the server) muted it; pressing again lets the member unmute it.
    b.addEventListener('click', () => actions.onMute(li.dataset.participantId, source, b.getAttribute('aria-pressed') !== 'true'));
    box.append(b);
  }
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'mod-remove danger';
  remove.dataset.label = 'Remove from the room:';
  remove.textContent = 'Remove';
  remove.addEventListener('click', () => actions.onRemove(li.dataset.participantId, li.dataset.name));
  box.append(remove);
  return box;
}

// The server muted (or let again) a member's mic or camera (track-muted): its button says so.
export function setServerMuted(id, source, muted) {
  const b = find(id)?.querySelector(`.mod-mute-${CSS.escape(source)}`);
  const texts = SOURCES[source];
  if (!b || !texts) return;
  b.setAttribute('aria-pressed', String(muted));
  b.textContent = muted ? texts[1] : texts[0];
  b.dataset.label = muted ? texts[3] : texts[2];
  b.setAttribute('aria-label', `${b.dataset.label} ${find(id).dataset.name}`);
}
