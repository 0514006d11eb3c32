// The join screen: room/name form with inline validation, the local preview,
// and the deep-link rules (/r/<room> prefills, ?name= joins straight away,
// &publish=0 makes that join receive-only, &role=viewer a broadcast viewer,
// &token=<jwt> carries the join token a server in token mode needs).

import { roomError, nameError } from './validate.js';

const $ = (id) => document.getElementById(id);

// /r/<room>[?name=<name>][&publish=0][&role=viewer] -> {room, name, receiveOnly,
// viewer}; anything else -> empty room. publish=0 joins receive-only: no camera
// or microphone is requested and nothing is published (listeners, load-test
// subscribers). role=viewer joins a broadcast room's audience: receive-only
// too, and counted instead of listed.
export function parseLocation(loc = window.location) {
  const m = loc.pathname.match(/^\/r\/([^/]+)\/?$/);
  let room = '';
  if (m) {
    try {
      room = decodeURIComponent(m[1]);
    } catch {
      room = m[1];
    }
  }
  const params = new URLSearchParams(loc.search);
  const name = params.get('name') ?? '';
  const viewer = params.get('role') === 'viewer';
  const receiveOnly = viewer || params.get('publish') === '0';
  const token = params.get('token') || null;
  const on = (key) => ['1', 'true', 'yes'].includes(params.get(key) ?? '');
  return {
    room, name, receiveOnly, viewer, token, claims: tokenClaims(token),
    // ?relay=1: media through the TURN relay only (iceTransportPolicy 'relay'), to check a TURN deployment.
    relayOnly: on('relay'),
    // ?red=0: no Opus RED in this page's offers (plain Opus both ways), to compare audio under loss.
    redOffered: !['0', 'false', 'no'].includes(params.get('red') ?? ''),
    // ?dtx=1: Opus DTX in offers: a silent microphone sends one packet per 400 ms instead of 50.
    dtxOffered: on('dtx'),
    // ?codec=h264 (or vp8, vp9, av1): offer only that video codec (codecs.js videoCodecNames); null: the default ones.
    videoCodec: params.get('codec')?.trim().toLowerCase() || null,
  };
}

// The claims of a join token, read without checking its signature: only to
// prefill the name and leave out what the server would refuse (the server
// checks the token). null when there is none or it cannot be read.
export function tokenClaims(token) {
  const payload = token?.split('.')[1];
  if (!payload) return null;
  try {
    const b64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    return claims && typeof claims === 'object' ? claims : null;
  } catch {
    return null;
  }
}

function showFieldError(field, message) {
  const input = $(`${field}-input`);
  const out = $(`${field}-error`);
  out.textContent = message ?? '';
  out.hidden = !message;
  input.setAttribute('aria-invalid', message ? 'true' : 'false');
}

// Returns {room, name} when valid, else shows messages, focuses the first bad field and returns null.
export function readForm() {
  const room = $('room-input').value.trim();
  const name = $('name-input').value.trim();
  const rErr = roomError(room);
  const nErr = nameError(name);
  showFieldError('room', rErr);
  showFieldError('name', nErr);
  if (rErr) $('room-input').focus();
  else if (nErr) $('name-input').focus();
  return rErr || nErr ? null : { room, name };
}

export function setValues({ room, name }) {
  $('room-input').value = room;
  $('name-input').value = name;
}

export function initJoin({ room, name, onJoin }) {
  setValues({ room, name });
  $('join-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const values = readForm();
    if (values) onJoin(values);
  });
  // Clear a field's message as soon as the user fixes it.
  for (const field of ['room', 'name']) {
    $(`${field}-input`).addEventListener('input', () => {
      if ($(`${field}-error`).hidden) return;
      const v = $(`${field}-input`).value.trim();
      showFieldError(field, field === 'room' ? roomError(v) : nameError(v));
    });
  }
}

export function focusJoin() {
  const target = $('room-input').value.trim() ? $('name-input') : $('room-input');
  target.focus();
}

export function setJoinBusy(busy) {
  $('join-button').disabled = busy;
  $('join-button').textContent = busy ? 'Joining…' : 'Join';
  $('room-input').readOnly = busy;
  $('name-input').readOnly = busy;
}

export function setPreview(stream) {
  const video = $('preview');
  if (video.srcObject !== stream) video.srcObject = stream;
  const live = Boolean(stream?.getVideoTracks().some((t) => t.enabled && t.readyState === 'live'));
  video.hidden = !live;
  $('preview-placeholder').hidden = live;
}

export function setMediaError(message) {
  $('media-error').textContent = message ?? '';
  $('media-error').hidden = !message;
}
