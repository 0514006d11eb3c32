// The video grid (#grid): one .tile per participant keyed by participant id.
// Tiles show initials until a video track is attached and not muted. The media
// plane calls attachRemoteStream()/detachRemoteStream() once it has streams.
//
// A screen share gets a tile of its own right after its owner's tile:
//   <figure class="tile tile-screen" data-participant-id="<id>" data-source="screen">
// (the participant tile itself has no data-source), created by setScreenStream()
// and removed when the share stops or the participant leaves.
//
// Pin: a remote tile's pin button shows it across the whole grid, first
// (tile[data-pinned], grid[data-pinned]); one tile at a time, pressing it again
// unpins. The view report then asks the server for the layer that fills it. A
// remote screen share is pinned when it starts, if nothing else is.

import { initials, hueFor } from './validate.js';

const grid = () => document.getElementById('grid');
const tiles = new Map(); // participant id -> tile element
const screens = new Map(); // participant id -> screen share tile element
let localStream = null;
let pinned = null; // the pinned tile element, or null

function refresh(tile) {
  const video = tile.querySelector('video');
  const stream = video.srcObject;
  const hasLiveVideo = Boolean(stream?.getVideoTracks().some((t) => t.readyState === 'live' && t.enabled));
  // Paused by the server (last-N): show who it is rather than a frozen picture.
  const showVideo = hasLiveVideo && tile.dataset.videoMuted !== 'true' && tile.dataset.videoPaused !== 'true';
  tile.classList.toggle('has-video', showVideo);
  video.hidden = !showVideo;
  updateCount();
}

// Browsers refuse to autoplay sound before the user has interacted with the page,
// which is exactly the case of a /r/<room>?name= deep link that joins by itself.
// Rather than a frozen tile, play muted at once and unmute on the first click or
// key press anywhere; #sound-blocked says so meanwhile (body[data-sound-blocked]).
function playWithSound(tile, video) {
  video.play?.().catch((err) => {
    if (err?.name !== 'NotAllowedError' || tile.dataset.self || video.muted) return;
    video.muted = true;
    tile.dataset.soundBlocked = 'true';
    video.play().catch(() => {});
    setSoundBlocked(true);
  });
}

function setSoundBlocked(blocked) {
  const note = document.getElementById('sound-blocked');
  if (note) note.hidden = !blocked;
  if (blocked) document.body.dataset.soundBlocked = 'true';
  else delete document.body.dataset.soundBlocked;
}

function unblockSound() {
  for (const tile of tiles.values()) {
    if (!tile.dataset.soundBlocked) continue;
    delete tile.dataset.soundBlocked;
    const video = tile.querySelector('video');
    video.muted = false;
    video.play?.().catch(() => {});
  }
  setSoundBlocked(false);
}

// Capture phase, so no other handler can swallow the gesture first.
for (const type of ['pointerdown', 'keydown']) {
  document.addEventListener(type, () => {
    if (document.body.dataset.soundBlocked) unblockSound();
  }, true);
}

function updateCount() {
  grid().dataset.count = String(tiles.size + screens.size);
}

export function upsertTile(p, { self = false } = {}) {
  let tile = tiles.get(p.id);
  if (!tile) {
    tile = document.createElement('figure');
    tile.className = 'tile';
    tile.dataset.participantId = p.id;
    tile.style.setProperty('--hue', hueFor(p.id));

    const video = document.createElement('video');
    video.autoplay = true;
    video.playsInline = true;
    video.setAttribute('playsinline', '');
    video.hidden = true;
    // Self view is muted to avoid echo; remote audio must play.
    if (self) {
      video.muted = true;
      video.setAttribute('muted', '');
      tile.dataset.self = 'true';
    }

    const avatar = document.createElement('div');
    avatar.className = 'tile-avatar';
    avatar.setAttribute('aria-hidden', 'true');

    const label = document.createElement('figcaption');
    label.className = 'tile-name';
    const nameText = document.createElement('span');
    nameText.className = 'tile-name-text';
    const mic = document.createElement('span');
    mic.className = 'indicator indicator-audio';
    mic.textContent = 'mic off';
    mic.hidden = true;
    const badge = document.createElement('span');
    badge.className = 'badge badge-moderator';
    badge.textContent = 'Moderator';
    badge.hidden = true;
    label.append(nameText, badge, mic);
    if (!self) label.append(pinButton(tile));

    tile.append(video, avatar, label);
    if (self) grid().prepend(tile);
    else grid().append(tile);
    tiles.set(p.id, tile);
    if (self && localStream) video.srcObject = localStream;
  }
  tile.querySelector('.tile-avatar').textContent = initials(p.name);
  tile.querySelector('.tile-name-text').textContent = tile.dataset.self ? `${p.name} (you)` : p.name;
  // Everyone sees who may moderate the room.
  tile.dataset.moderator = String(p.moderator === true);
  tile.querySelector('.badge-moderator').hidden = p.moderator !== true;
  setTileMute(p.id, p.audioMuted, p.videoMuted);
}

export function setTileMute(id, audioMuted, videoMuted) {
  const tile = tiles.get(id);
  if (!tile) return;
  if (typeof audioMuted === 'boolean') {
    tile.classList.toggle('muted-audio', audioMuted);
    tile.dataset.audioMuted = String(audioMuted);
    tile.querySelector('.indicator-audio').hidden = !audioMuted;
  }
  if (typeof videoMuted === 'boolean') {
    tile.classList.toggle('muted-video', videoMuted);
    tile.dataset.videoMuted = String(videoMuted);
  }
  refresh(tile);
}

function setStream(tile, stream) {
  const video = tile.querySelector('video');
  if (video.srcObject !== stream) video.srcObject = stream;
  if (stream) {
    // Track add/remove changes whether there is anything to show. A stream that started
    // with video only played without sound; its audio arriving later must go through the
    // autoplay check again, or the browser pauses the tile (and no notice says why).
    stream.onremovetrack = () => refresh(tile);
    stream.onaddtrack = (e) => {
      refresh(tile);
      if (e.track?.kind === 'audio') playWithSound(tile, video);
    };
    if (!tile.dataset.self) {
      video.onpause = () => {
        if (video.srcObject && !video.muted && !navigator.userActivation?.hasBeenActive) playWithSound(tile, video);
      };
    }
    playWithSound(tile, video);
  }
  refresh(tile);
}

// The local preview stream for the self tile (null when media is off).
export function setLocalStream(stream) {
  localStream = stream;
  for (const tile of tiles.values()) {
    if (tile.dataset.self) setStream(tile, stream);
  }
}

export function refreshLocal() {
  for (const tile of tiles.values()) if (tile.dataset.self) refresh(tile);
}

export function attachRemoteStream(participantId, stream) {
  const tile = tiles.get(participantId);
  if (!tile) return false;
  // Also for the same stream object: tracks added to it by script fire no event.
  setStream(tile, stream);
  return true;
}

export function detachRemoteStream(participantId) {
  const tile = tiles.get(participantId);
  if (tile) setStream(tile, null);
}

export function removeTile(id) {
  setScreenStream(id, null);
  const tile = tiles.get(id);
  if (!tile) return;
  tile.querySelector('video').srcObject = null;
  if (tile === pinned) setPinned(null);
  tile.remove();
  tiles.delete(id);
  updateCount();
}

// Shows (stream) or removes (null) the screen share tile of a participant.
// Screen video is always muted: shares carry no audio, and ours must not echo.
export function setScreenStream(id, stream) {
  let tile = screens.get(id);
  if (!stream) {
    if (!tile) return;
    tile.querySelector('video').srcObject = null;
    if (tile === pinned) setPinned(null);
    tile.remove();
    screens.delete(id);
    updateCount();
    return;
  }
  const owner = tiles.get(id);
  if (!owner) return;
  if (!tile) {
    tile = document.createElement('figure');
    tile.className = 'tile tile-screen has-video';
    tile.dataset.participantId = id;
    tile.dataset.source = 'screen';
    tile.style.setProperty('--hue', hueFor(id));
    const video = document.createElement('video');
    video.autoplay = true;
    video.playsInline = true;
    video.muted = true;
    const label = document.createElement('figcaption');
    label.className = 'tile-name';
    const text = document.createElement('span');
    text.className = 'tile-name-text';
    label.append(text, pinButton(tile));
    tile.append(video, label);
    owner.after(tile);
    screens.set(id, tile);
    // Presentation layout: someone else's share is what the room looks at, so it is shown
    // large unless a tile is pinned already (our own share's preview stays small).
    if (!pinned && !owner.dataset.self) setPinned(tile);
  }
  const name = owner.querySelector('.tile-name-text').textContent;
  tile.querySelector('.tile-name-text').textContent = `${name}: screen`;
  const video = tile.querySelector('video');
  if (video.srcObject !== stream) video.srcObject = stream;
  video.play?.().catch(() => {});
  updateCount();
}

export function clearTiles() {
  setPinned(null);
  for (const id of [...tiles.keys()]) removeTile(id);
  setSoundBlocked(false);
}

function pinButton(tile) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'tile-pin';
  button.textContent = 'Pin';
  button.setAttribute('aria-pressed', 'false');
  button.addEventListener('click', () => setPinned(pinned === tile ? null : tile));
  return button;
}

function setPinned(tile) {
  if (pinned) {
    delete pinned.dataset.pinned;
    const old = pinned.querySelector('.tile-pin');
    old.setAttribute('aria-pressed', 'false');
    old.textContent = 'Pin';
  }
  pinned = tile;
  if (tile) {
    tile.dataset.pinned = 'true';
    const button = tile.querySelector('.tile-pin');
    button.setAttribute('aria-pressed', 'true');
    button.textContent = 'Unpin';
    grid().dataset.pinned = 'true';
  } else {
    delete grid().dataset.pinned;
  }
}

export function hasTile(id) {
  return tiles.has(id);
}

// The size, in device pixels, at which a participant's camera (or screen share)
// tile is laid out: {width, height}, or null when it has no tile (yet) or no box:
// then there is nothing to say, and saying 0 x 0 (not shown) would pause it. The
// tile counts, not the <video>: a tile waiting for video (or paused by the
// server) must still say it would show one, or it would never get any. A tile
// the layout put on another page (ui-layout.js, data-shown="false") is not
// shown: 0 x 0, so the server pauses its video until it is paged back in. A tile
// on the current page but scrolled out of view still counts as shown: a paused
// video would take a keyframe round trip to come back when scrolled to.
// The server picks the simulcast layer that covers it (the "view" message).
export function shownSize(participantId, source) {
  const tile = source === 'screen' ? screens.get(participantId) : tiles.get(participantId);
  if (!tile || !tile.isConnected) return null;
  if (tile.dataset.shown === 'false') return { width: 0, height: 0 };
  const r = tile.getBoundingClientRect();
  if (r.width <= 0 || r.height <= 0) return null;
  const dpr = window.devicePixelRatio || 1;
  return { width: Math.round(r.width * dpr), height: Math.round(r.height * dpr) };
}

// The server paused (or resumed) a participant's camera video for us (last-N).
export function setVideoPaused(participantId, paused) {
  const tile = tiles.get(participantId);
  if (!tile || (tile.dataset.videoPaused === 'true') === paused) return;
  tile.dataset.videoPaused = String(paused);
  refresh(tile);
}

// Marks the tile of the room's dominant speaker (null: nobody), for the eye
// (a ring) and for screen readers (its name gets a "speaking" description).
export function setSpeaker(participantId) {
  for (const [id, tile] of tiles) {
    const speaking = id === participantId;
    if ((tile.dataset.speaking === 'true') === speaking) continue;
    tile.dataset.speaking = String(speaking);
    const label = tile.querySelector('.tile-name');
    if (speaking) label.setAttribute('aria-description', 'speaking');
    else label.removeAttribute('aria-description');
  }
}
