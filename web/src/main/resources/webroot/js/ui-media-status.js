// The media status line: shown only when audio and video could not connect,
// with why (what this browser found first, then the server's reason).

import { MEDIA_REASONS } from './reasons.js';

const $ = (id) => document.getElementById(id);

// {pc, server, local}: the peer connection's state, the server's media-state and
// a failure this browser found itself (peer.js currentState / onState).
export function renderMediaStatus({ pc, server, local = null }) {
  const el = $('media-status');
  let state = pc === 'connected' || server?.state === 'connected' ? 'connected' : 'connecting';
  let reason = null;
  // What this browser found (e.g. the TURN server refused it) explains more than
  // the server's later "ice_failed", so it comes first.
  if (local?.state === 'failed') {
    state = 'failed';
    reason = local.reason;
    server = local;
  } else if (server?.state === 'failed') {
    state = 'failed';
    reason = server.reason ?? 'unknown';
  } else if (pc === 'failed') {
    state = 'failed';
    reason = 'browser_failed';
  }
  el.dataset.state = state;
  el.dataset.reason = reason ?? '';
  el.hidden = state !== 'failed';
  if (state === 'failed') {
    const known = MEDIA_REASONS[reason];
    const why = known && local?.message ? `${known}: ${local.message}`
      : known ?? `${reason}${server?.message ? `: ${server.message}` : ''}`;
    el.textContent = `Audio and video could not connect: ${why}. Chat still works; Leave and join again to retry.`;
  }
}
