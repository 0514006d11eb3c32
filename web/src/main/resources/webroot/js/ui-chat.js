// The chat panel. Messages are kept in seq order (the server's room-wide order),
// and a seq already shown is ignored, so history and live messages can overlap.
// User text only ever goes through textContent.

import { cleanChat, MAX_CHAT } from './validate.js';

const log = () => document.getElementById('chat-log');
const input = () => document.getElementById('chat-input');
const sendBtn = () => document.getElementById('chat-send');

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

export function initChat({ onSend }) {
  const form = document.getElementById('chat-form');
  const submit = () => {
    const text = cleanChat(input().value);
    if (!text) return;
    if (text.length > MAX_CHAT) return; // maxlength already prevents this when typing
    if (onSend(text)) input().value = '';
    input().focus();
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submit();
  });
  // Enter sends; Shift+Enter inserts a newline; never during IME composition.
  input().addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  });
}

// why: shown in the box while it is disabled for a reason the member should know (no chat right).
export function setChatEnabled(enabled, why = null) {
  input().disabled = !enabled;
  sendBtn().disabled = !enabled;
  input().placeholder = why ?? 'Message…';
  if (why) input().dataset.denied = 'true';
  else delete input().dataset.denied;
}

export function addMessage(msg, selfId) {
  const seq = Number(msg.seq);
  const container = log();
  if (container.querySelector(`.chat-message[data-seq="${seq}"]`)) return;

  const item = document.createElement('article');
  item.className = 'chat-message';
  item.dataset.seq = String(seq);
  item.dataset.from = msg.from ?? '';
  if (msg.from && msg.from === selfId) item.classList.add('chat-self');
  if (msg.system === true) item.classList.add('chat-system'); // from the application (server API), not a member

  const header = document.createElement('header');
  const name = document.createElement('span');
  name.className = 'chat-name';
  name.textContent = msg.name ?? '?';
  const time = document.createElement('time');
  time.className = 'chat-time';
  if (Number.isFinite(msg.ts)) {
    const d = new Date(msg.ts);
    time.dateTime = d.toISOString();
    time.textContent = timeFormat.format(d);
    time.title = d.toLocaleString();
  }
  header.append(name, ' ', time);

  const text = document.createElement('p');
  text.className = 'chat-text';
  text.textContent = msg.text ?? '';
  item.append(header, text);

  // Stick to the bottom only if the reader was already there.
  const atBottom = container.scrollHeight - container.scrollTop - container.clientHeight < 40;

  // Usually the new message is the last; walk back to place out-of-order ones.
  let after = container.lastElementChild;
  while (after && Number(after.dataset.seq) > seq) after = after.previousElementSibling;
  if (after) after.after(item);
  else container.prepend(item);

  if (atBottom) container.scrollTop = container.scrollHeight;
}

export function clearChat() {
  log().replaceChildren();
}
