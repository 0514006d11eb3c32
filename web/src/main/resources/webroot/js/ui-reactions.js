// Reactions and raise hand over the room data relay (data.js): buttons in the call
// controls, and their effect on the tiles (ui-grid.js) of every page in the room.
//   {type: 'reaction', emoji}   shown over the sender's tile for a few seconds
//   {type: 'hand', raised}      a hand badge on the sender's tile until lowered
//   {type: 'hello'}             sent when our channel opens: whoever has a hand up
//                               answers us with it (data messages have no history)
// Tiles carry data-reaction / data-hand-raised, so the effect can be checked.

const REACTION_MS = 3000;
const REACTIONS = ['👍', '👏', '😂', '🎉'];

let data = null; // the current RoomData, while joined with a data channel
let selfId = null;
let handRaised = false;
const timers = new Map(); // participant id -> timer hiding its reaction

const $ = (id) => document.getElementById(id);

function tile(id) {
  return document.querySelector(`#grid .tile[data-participant-id="${CSS.escape(id)}"]:not([data-source])`);
}

function showReaction(id, emoji) {
  const t = tile(id);
  if (!t || !REACTIONS.includes(emoji)) return;
  let el = t.querySelector('.tile-reaction');
  if (!el) {
    el = document.createElement('div');
    el.className = 'tile-reaction';
    el.setAttribute('role', 'status');
    t.append(el);
  }
  el.textContent = emoji;
  el.hidden = false;
  t.dataset.reaction = emoji;
  clearTimeout(timers.get(id));
  timers.set(id, setTimeout(() => {
    el.hidden = true;
    delete t.dataset.reaction;
  }, REACTION_MS));
}

function showHand(id, raised) {
  const t = tile(id);
  if (!t) return;
  let badge = t.querySelector('.badge-hand');
  if (!badge) {
    badge = document.createElement('span');
    badge.className = 'badge badge-hand';
    badge.textContent = '✋';
    badge.title = 'Hand raised';
    t.querySelector('.tile-name')?.prepend(badge);
  }
  badge.hidden = !raised;
  if (raised) t.dataset.handRaised = 'true';
  else delete t.dataset.handRaised;
}

function onMessage(e) {
  const { from, data: msg } = e.detail;
  if (!msg || typeof msg !== 'object') return;
  if (msg.type === 'reaction') showReaction(from, msg.emoji);
  else if (msg.type === 'hand') showHand(from, msg.raised === true);
  else if (msg.type === 'hello' && handRaised) data?.send({ type: 'hand', raised: true }, { to: [from] });
}

function onOpen(e) {
  if (e.detail.label === 'chorus') data?.send({ type: 'hello' });
  render();
}

function render() {
  const ready = !!data?.open;
  for (const b of document.querySelectorAll('.react-button')) b.disabled = !ready;
  $('toggle-hand').disabled = !ready;
  $('toggle-hand').setAttribute('aria-pressed', String(handRaised));
  $('toggle-hand').textContent = handRaised ? 'Lower hand' : 'Raise hand';
}

// Joined with a peer connection: its data channels carry our reactions.
// `canSend` is false for a viewer (the server refuses what a viewer sends).
export function attach(roomData, id, canSend) {
  detach();
  data = roomData;
  selfId = id;
  data.addEventListener('message', onMessage);
  data.addEventListener('open', onOpen);
  $('reactions').hidden = !canSend;
  render();
}

export function detach() {
  if (data) {
    data.removeEventListener('message', onMessage);
    data.removeEventListener('open', onOpen);
  }
  data = null;
  handRaised = false;
  $('reactions').hidden = true;
  render();
}

export function init() {
  const box = $('reactions');
  for (const emoji of REACTIONS) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'react-button';
    b.dataset.emoji = emoji;
    b.textContent = emoji;
    b.setAttribute('aria-label', `React ${emoji}`);
    b.addEventListener('click', () => {
      if (data?.send({ type: 'reaction', emoji })) showReaction(selfId, emoji);
    });
    box.prepend(b);
  }
  $('toggle-hand').addEventListener('click', () => {
    if (!data?.send({ type: 'hand', raised: !handRaised })) return;
    handRaised = !handRaised;
    showHand(selfId, handRaised);
    render();
  });
  render();
}
