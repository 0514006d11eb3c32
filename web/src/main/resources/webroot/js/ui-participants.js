// The participant list (#participants): one <li data-participant-id> per person,
// self first, others in join order, with mic/camera-off indicators.

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
    li.append(icons);
    if (self) list().prepend(li);
    else list().append(li);
  }
  li.querySelector('.participant-name').textContent = p.name;
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
