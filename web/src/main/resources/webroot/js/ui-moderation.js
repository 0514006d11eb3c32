// Moderation in the page. A member whose permissions have "moderate"
// (body[data-moderator="true"]) gets, on each remote entry of the participant
// list, buttons to mute that member's mic or camera (mute-participant) and to
// remove it (remove-participant, after a confirm dialog). Every member sees
// who moderates (badges, ui-participants.js and ui-grid.js) and, when its own
// mic or camera was muted by a moderator or the server, a notice saying so
// (#moderation-notice); its own toggle stays off until it is allowed again.

import * as people from './ui-participants.js';

const $ = (id) => document.getElementById(id);

const WHAT = { mic: 'microphone', camera: 'camera', screen: 'screen share' };

let send = () => false;
let removing = null; // participant id the dialog asks about

// onRequest(message): sends a moderation request; false when not connected.
export function initModeration({ onRequest }) {
  send = onRequest;
  people.setActions({
    onMute: (participantId, source, muted) => send({ type: 'mute-participant', participantId, source, muted }),
    onRemove: (participantId, name) => confirmRemove(participantId, name),
  });
  const dialog = $('remove-dialog');
  $('remove-cancel').addEventListener('click', () => dialog.close('cancel'));
  $('remove-confirm').addEventListener('click', () => dialog.close('remove'));
  dialog.addEventListener('close', () => {
    const id = removing;
    removing = null;
    if (dialog.returnValue === 'remove' && id) send({ type: 'remove-participant', participantId: id });
    // Back to where the moderator was, or the list when that entry is gone.
    const entry = id && document.querySelector(`#participants li[data-participant-id="${CSS.escape(id)}"] .mod-remove`);
    (entry ?? $('participants')).focus?.({ preventScroll: true });
  });
}

function confirmRemove(participantId, name) {
  const dialog = $('remove-dialog');
  if (dialog.open) return;
  removing = participantId;
  dialog.returnValue = '';
  $('remove-question').textContent = `Remove ${name} from the room? Their audio and video stop for everyone at once; they may join again.`;
  dialog.showModal();
}

// Our permissions say we may moderate (joined.you.permissions, or a later "permissions").
export function setModerating(on) {
  if (on) document.body.dataset.moderator = 'true';
  else delete document.body.dataset.moderator;
  if (!on && $('remove-dialog').open) $('remove-dialog').close('cancel');
}

// A track-muted for us: shows who muted what (a moderator's name, or the server), or that it is allowed again.
export function showMutedNotice(m) {
  const el = $('moderation-notice');
  const what = WHAT[m.track?.source] ?? 'track';
  const who = m.by?.name ? `${m.by.name} (moderator)` : 'The server';
  el.dataset.source = m.track?.source ?? '';
  el.dataset.muted = String(m.muted === true);
  el.dataset.by = m.by?.id ?? '';
  el.textContent = m.muted
    ? `${who} muted your ${what}. You can turn it back on once a moderator allows it.`
    : `${who} allowed your ${what} again; turn it on when you are ready.`;
  el.hidden = false;
}

export function clearNotice() {
  const el = $('moderation-notice');
  el.hidden = true;
  el.textContent = '';
  el.dataset.muted = 'false';
}

export function closeDialog() {
  if ($('remove-dialog').open) $('remove-dialog').close('cancel');
}
