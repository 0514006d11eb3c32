// Client-side mirrors of the server's field rules (PROTOCOL.md), so users get
// instant feedback; the server still has the final word.

const ROOM_RE = /^[A-Za-z0-9_-]{1,64}$/;
// C0/C1 control characters and line/paragraph separators, as the server rejects them;
// chat additionally allows \n and \t.
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const CHAT_CONTROL_RE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export const MAX_NAME = 64;
export const MAX_CHAT = 2000;

// Each returns an error message, or null when the value is acceptable.
export function roomError(room) {
  if (!room) return 'Enter a room name.';
  if (room.length > 64) return 'Room names are at most 64 characters.';
  if (!ROOM_RE.test(room)) return 'Use only letters, digits, "-" and "_" in the room name.';
  return null;
}

export function nameError(name) {
  const n = name.trim();
  if (!n) return 'Enter your name.';
  // Count characters as the server does, not UTF-16 units (an emoji is one).
  if ([...n].length > MAX_NAME) return `Names are at most ${MAX_NAME} characters.`;
  if (CONTROL_RE.test(n)) return 'Names cannot contain control characters.';
  return null;
}

export function cleanChat(text) {
  return text.replace(CHAT_CONTROL_RE, '').trim();
}

export function initials(name) {
  // Prefer words that start with a letter or digit, so "Ada 😀" gives "A".
  const words = String(name || '').trim().split(/\s+/).filter((w) => /^[\p{L}\p{N}]/u.test(w));
  const first = (w) => (w ? [...w][0] : '');
  const letters = words.length > 1 ? first(words[0]) + first(words.at(-1)) : first(words[0]);
  return (letters || [...String(name || '?').trim()][0] || '?').toUpperCase();
}

// Stable per-participant hue, so a person keeps the same avatar colour everywhere.
export function hueFor(id) {
  let h = 0;
  for (const ch of String(id)) h = (h * 31 + ch.codePointAt(0)) % 360;
  return h;
}
