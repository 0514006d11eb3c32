// Entry point: the app's state machine (join -> connecting -> joined -> left /
// disconnected / error) wiring signaling, media and the UI modules together.

import * as media from './media.js';
import * as screen from './screen.js';
import { Peer } from './peer.js';
import { Signaling } from './signaling.js';
import { waitForServer, GIVE_UP_AFTER_MS } from './rejoin.js';
import { failoverTarget, redirectTarget, redirectsOf } from './cluster.js';
import { startViewReports } from './view-sizes.js';
import * as join from './ui-join.js';
import * as people from './ui-participants.js';
import * as grid from './ui-grid.js';
import * as layout from './ui-layout.js';
import { initDevices } from './ui-devices.js';
import { startQuality, stopQuality } from './ui-quality.js';
import * as chat from './ui-chat.js';
import * as audience from './ui-viewers.js';
import * as recordingBadge from './ui-recording.js';
import * as moderation from './ui-moderation.js';
import * as reactions from './ui-reactions.js';
import { MEDIA_REASONS } from './reasons.js';
import { renderMediaStatus } from './ui-media-status.js';
import { copyShareLink } from './ui-share-link.js';
import { clearError, showError, showServerShutdown } from './ui-notices.js';

const $ = (id) => document.getElementById(id);

let sig = null; // the current connection; events from older ones are ignored
let target = null; // {room, name} of the last join attempt, reused by Rejoin
let self = null; // our participant as the server last described it
let others = new Map(); // id -> participant
let rtt = null;
let rejoining = false; // keep the room screen up while a Rejoin connects
let removedReason = null; // set when the server removed us (e.g. media_timeout), for the status line
let resumes = []; // {ms, attempts} of each resume after a dropped connection, for tests and diagnosis
let queuePosition = 0; // the join's place in the server's line while it waits its turn ("queued"), else 0
let droppedAt = null; // performance.now() when the connection dropped, while reconnecting
let mediaSettled = false; // getUserMedia finished (either way), so mute state is known
let peer = null; // the RTCPeerConnection of the current session (peer.js)
let viewReports = null; // the current session's "view" reports: {stop, now}
let speaker = null; // the room's dominant speaker (participant id) from the last "speaker"
let pausedVideos = new Set(); // participants whose camera the server pauses for us (last-N)
let joinedAt = null; // performance.now() of the last "joined", for time-to-first-frame
let receiveOnly = false; // ?publish=0: never ask for camera/mic, publish nothing
let viewer = false; // ?role=viewer: a broadcast room's audience (receive-only, counted, not listed)
let token = null; // ?token=: the join token, sent in every join (a server in token mode needs one)
let mayShareScreen = true; // the token's perms.publish has "screen" (or there is no token)
let mayChat = true; // our permissions let us chat (joined, then live "permissions")
// Our mic/camera a moderator or the server muted (track-muted): their toggles stay off until it lifts it.
let serverMuted = { audio: false, video: false };
let iceServers = []; // STUN/TURN list (TURN credentials minted for us) from the last "joined"
// ?relay=1, ?red=0, ?dtx=1, ?codec=h264|vp8|vp9|av1: media options of this page (ui-join.js parseLocation);
// relay=1 and codec are kept across the history rewrite in onJoined.
const { relayOnly, redOffered, dtxOffered, videoCodec } = join.parseLocation();

// ---- state and status -------------------------------------------------------

function setState(state) {
  if (state !== 'disconnected') removedReason = null;
  document.body.dataset.state = state;
  const inRoom = state === 'joined' || state === 'reconnecting' || state === 'disconnected'
    || (state === 'connecting' && rejoining);
  $('join-screen').hidden = inRoom;
  $('room-screen').hidden = !inRoom;
  $('leave-button').hidden = !inRoom;
  $('disconnected').hidden = state !== 'disconnected';
  $('reconnecting').hidden = state !== 'reconnecting';
  $('rejoin-button').disabled = state === 'connecting';
  $('toggle-screen').hidden = !inRoom || viewer || !mayShareScreen;
  $('toggle-screen').disabled = state !== 'joined' || !navigator.mediaDevices?.getDisplayMedia;
  renderChat();
  join.setJoinBusy(state === 'connecting');
  renderStatus();
}

function renderStatus() {
  const state = document.body.dataset.state;
  const text = {
    join: 'Not connected',
    connecting: `Joining ${target?.room ?? ''}…${queuePosition ? ` The server is busy: you are number ${queuePosition} in line.` : ''}`,
    joined: `Connected to ${target?.room} · ${others.size + (viewer ? 0 : 1)} in the room${audience.getCount() ? ` · ${audience.getCount()} watching` : ''}${rtt === null ? '' : ` · ${rtt} ms`}${relayOnly ? ' · relay only' : ''}`,
    left: 'You left the room.',
    reconnecting: `Reconnecting to ${target?.room ?? 'the server'}…`,
    disconnected: removedReason ? 'Removed from the room.' : 'Disconnected from the server.',
    error: 'Could not join.',
  }[state];
  $('status').textContent = text ?? state;
}

// ---- media ------------------------------------------------------------------

function renderMedia() {
  const st = media.getState();
  const stream = media.getLocalStream();
  const toggles = [
    ['toggle-audio', st.hasAudio, st.audioMuted, 'Mute mic', 'Unmute mic', 'Mic off'],
    ['toggle-video', st.hasVideo, st.videoMuted, 'Stop camera', 'Start camera', 'Camera off'],
  ];
  for (const [id, has, muted, onText, offText, noneText] of toggles) {
    const btn = $(id);
    const locked = serverMuted[id === 'toggle-audio' ? 'audio' : 'video'];
    btn.disabled = !has || locked;
    btn.title = locked ? 'Muted by a moderator' : '';
    btn.textContent = !has ? noneText : muted ? offText : onText;
    btn.setAttribute('aria-pressed', String(has && muted));
    btn.dataset.muted = String(muted);
  }
  join.setPreview(stream);
  grid.setLocalStream(stream);
  if (self) {
    // Show our own state at once; the server's mute echo confirms it.
    people.setMute(self.id, st.audioMuted, st.videoMuted);
    grid.setTileMute(self.id, st.audioMuted, st.videoMuted);
  }
}

async function startMedia() {
  const { message } = await media.start();
  mediaSettled = true;
  if (message) join.setMediaError(message);
  else if (media.getLocalStream()) join.setMediaError(null);
  renderMedia();
  syncMute();
}

// Tell the room when our real device state differs from what the server has
// (e.g. no camera at all, or toggled before the join finished).
function syncMute() {
  if (viewer || !self || !mediaSettled || !sig || document.body.dataset.state !== 'joined') return;
  const st = media.getState();
  const change = {};
  if (st.audioMuted !== self.audioMuted) change.audioMuted = st.audioMuted;
  if (st.videoMuted !== self.videoMuted) change.videoMuted = st.videoMuted;
  if (Object.keys(change).length === 0) return;
  if (sig.send({ type: 'mute', ...change })) Object.assign(self, change);
}

function localTracks() {
  const stream = media.getLocalStream();
  return { mic: stream?.getAudioTracks()[0] ?? null, camera: stream?.getVideoTracks()[0] ?? null };
}

media.onChange(() => {
  renderMedia();
  syncMute();
  // getUserMedia may finish after the join, or a device may go away mid-call.
  peer?.setLocalTracks(localTracks());
});

function renderScreen() {
  const track = screen.getTrack();
  const btn = $('toggle-screen');
  btn.textContent = track ? 'Stop sharing' : 'Share screen';
  btn.setAttribute('aria-pressed', String(Boolean(track)));
  if (self) grid.setScreenStream(self.id, track ? new MediaStream([track]) : null);
}

screen.onChange((track) => {
  renderScreen();
  peer?.setScreenTrack(track);
});

async function toggleScreen() {
  if (screen.getTrack()) return screen.stop();
  const message = await screen.start();
  if (message) join.setMediaError(message);
}

// ---- media plane ----------------------------------------------------------------

function startPeer(s) {
  closePeer();
  peer = new Peer(s, {
    onStreams: (id, { media: m, screen: sc }) => {
      grid.attachRemoteStream(id, m);
      grid.setScreenStream(id, sc);
    },
    onState: renderMediaStatus,
    iceServers,
    relayOnly,
    red: redOffered,
    dtx: dtxOffered,
    codec: videoCodec,
    simulcastFrom: s.welcome?.media?.simulcastFrom ?? 0,
  });
  renderMediaStatus(peer.currentState());
  reactions.attach(peer.data, self?.id ?? null, !viewer);
  peer.setRoomSize(others.size + 1); // before the first offer: a large room gets simulcast at once
  peer.start(localTracks(), others.size);
  viewReports = startViewReports(s, peer, grid.shownSize);
  startQuality(peer);
  if (screen.getTrack()) peer.setScreenTrack(screen.getTrack());
}

function closePeer() {
  reactions.detach();
  viewReports?.stop();
  viewReports = null;
  stopQuality();
  peer?.close();
  peer = null;
  const el = $('media-status');
  el.hidden = true;
  el.dataset.state = 'idle';
  el.dataset.reason = '';
}

// ---- room -------------------------------------------------------------------

function resetRoom() {
  closePeer();
  self = null;
  speaker = null;
  pausedVideos = new Set();
  others = new Map();
  rtt = null;
  serverMuted = { audio: false, video: false };
  moderation.clearNotice();
  moderation.closeDialog();
  recordingBadge.setRecording(false);
  applyPermissions(null);
  delete document.body.dataset.selfId;
  people.clear();
  grid.clearTiles();
  layout.reset();
  chat.clearChat();
}

function addParticipant(p) {
  if (!p?.id || p.id === self?.id) return;
  peer?.participantReturned(p.id);
  others.set(p.id, { ...p });
  peer?.setRoomSize(others.size + 1);
  people.upsert(p);
  grid.upsertTile(p);
  grid.setSpeaker(speaker);
  grid.setVideoPaused(p.id, pausedVideos.has(p.id));
  // Its tracks may have been answered before its participant-joined arrived.
  const streams = peer?.streamsOf(p.id);
  if (streams?.media) grid.attachRemoteStream(p.id, streams.media);
  if (streams?.screen) grid.setScreenStream(p.id, streams.screen);
  renderStatus();
}

function removeParticipant(id) {
  peer?.forgetParticipant(id);
  if (!others.delete(id)) return;
  people.remove(id);
  grid.removeTile(id);
  renderStatus();
}

// The chat box: usable when in the room and allowed to chat.
function renderChat() {
  chat.setChatEnabled(document.body.dataset.state === 'joined' && mayChat, mayChat ? null : 'You may not chat in this room');
}

// What we may do, from joined.you.permissions or a later "permissions" (null: not in a room).
function applyPermissions(perms) {
  mayChat = perms?.chat !== false;
  moderation.setModerating(perms?.moderate === true);
  recordingBadge.setMayRecord(perms?.moderate === true || perms?.record === true);
  renderChat();
}

function onJoined(msg) {
  joinedAt = performance.now();
  $('server-notice').hidden = true;
  resetRoom();
  rejoining = false;
  self = { ...msg.you };
  iceServers = Array.isArray(msg.iceServers) ? msg.iceServers : [];
  target.name = self.name; // the server's trimmed version
  target.room = msg.room ?? target.room;
  join.setValues(target); // so Leave returns to a form ready to join again
  document.body.dataset.selfId = self.id;
  applyPermissions(self.permissions);
  audience.setCount(msg.viewers);
  recordingBadge.setRecording(msg.recording === true);
  if (!viewer) {
    // A viewer is not listed, and has no picture of its own to show.
    people.upsert(self, { self: true });
    grid.upsertTile(self, { self: true });
  }
  for (const p of msg.participants ?? []) addParticipant(p);
  for (const m of msg.chat ?? []) chat.addMessage(m, self.id);

  const path = `/r/${encodeURIComponent(target.room)}`;
  // Only the path is rewritten (a deep link's query stays); ?relay=1, ?codec=, ?role=viewer and ?token= survive it
  // (the token so that a reload joins again; the share link never carries it: it is this user's).
  const query = [relayOnly ? 'relay=1' : '', videoCodec ? `codec=${encodeURIComponent(videoCodec)}` : '',
    viewer ? 'role=viewer' : '', token ? `token=${encodeURIComponent(token)}` : '']
    .filter(Boolean).join('&');
  if (location.pathname !== path) history.replaceState(null, '', query ? `${path}?${query}` : path);
  $('room-name').textContent = target.room;
  $('share-link').value = location.origin + path + (viewer ? '?role=viewer' : '');

  setState('joined');
  renderMedia();
  renderScreen();
  syncMute();
  startPeer(sig);
  $('chat-input').focus({ preventScroll: true });
}

function wire(s) {
  const on = (type, fn) => s.addEventListener(type, (e) => {
    if (s === sig && self) fn(e.detail);
  });
  on('participant-joined', (m) => addParticipant(m.participant));
  on('participant-left', (m) => removeParticipant(m.id));
  // Became (or stopped being) a moderator: its badge follows.
  on('participant-updated', (m) => {
    const p = others.get(m.participant?.id);
    if (!p) return;
    Object.assign(p, m.participant);
    people.upsert(p);
    grid.upsertTile(p);
  });
  on('permissions', (m) => {
    self.permissions = m.permissions;
    self.moderator = m.permissions?.moderate === true;
    applyPermissions(self.permissions);
    if (!viewer) {
      people.upsert(self, { self: true });
      grid.upsertTile(self, { self: true });
    }
  });
  on('chat', (m) => chat.addMessage(m, self.id));
  on('viewers', (m) => {
    audience.setCount(m.count);
    renderStatus();
  });
  on('recording', (m) => recordingBadge.setRecording(m.active === true));
  on('video-paused', (m) => {
    const paused = new Set(Array.isArray(m.mids) ? m.mids.map(String) : []);
    pausedVideos = new Set(peer?.videoLines().filter((l) => paused.has(l.mid) && l.source !== 'screen')
      .map((l) => l.participantId) ?? []);
    for (const id of others.keys()) grid.setVideoPaused(id, pausedVideos.has(id));
  });
  on('layers', (m) => peer?.setSendingLayers(String(m.mid), m.active));
  on('speaker', (m) => {
    speaker = m.id ?? null;
    grid.setSpeaker(speaker);
    layout.setSpeaker(speaker);
  });
  on('mute', (m) => {
    const p = m.id === self.id ? self : others.get(m.id);
    if (!p) return;
    if (typeof m.audioMuted === 'boolean') p.audioMuted = m.audioMuted;
    if (typeof m.videoMuted === 'boolean') p.videoMuted = m.videoMuted;
    // For ourselves the local track state is the truth; it was rendered already.
    if (p === self) return syncMute();
    people.setMute(m.id, m.audioMuted, m.videoMuted);
    grid.setTileMute(m.id, m.audioMuted, m.videoMuted);
  });
  // The server (its API) muted our mic or camera: turn it off here too, so the page, the room and the
  // server agree (unmuting it ourselves is refused with muted_by_server until the server lifts it).
  // A moderator's mute says who did it (m.by); the page says so, and keeps the toggle off until it is lifted.
  on('track-muted', (m) => {
    if (m.participantId !== self.id) return people.setServerMuted(m.participantId, m.track?.source, m.muted === true);
    moderation.showMutedNotice(m);
    const kind = { mic: 'audio', camera: 'video' }[m.track?.source];
    if (!kind) return;
    serverMuted[kind] = m.muted === true;
    if (m.muted) media.setEnabled(kind, false);
    renderMedia();
  });
  on('error', (m) => showError(m.code, m.message));
  // A node of a cluster that drains: the room goes on at another node at once (it refuses new joins).
  on('server-shutdown', (m) => { if (!(self && failOver())) showServerShutdown(m); });
  on('candidate', (m) => peer?.onCandidate(m));
  on('renegotiate', (m) => peer?.onRenegotiate(m));
  on('media-state', (m) => peer?.onMediaState(m));
  // Unsolicited "left" (no re): the server removed us, e.g. media_timeout.
  on('left', (m) => {
    sig = null;
    s.close();
    closePeer();
    const why = MEDIA_REASONS[m.reason] ?? m.reason ?? 'removed by the server';
    removedReason = m.reason ?? 'removed';
    $('disconnected').dataset.reason = removedReason;
    moderation.clearNotice(); // out of the room: what was muted no longer matters
    $('disconnected-message').textContent = m.reason === 'removed_by_moderator'
      ? 'A moderator removed you from the room. Press Rejoin to return.'
      : `You were removed from the room: ${why}. Press Rejoin to return.`;
    setState('disconnected');
  });
  on('rtt', (ms) => {
    rtt = ms;
    renderStatus();
  });
  // The socket dropped: media goes on (it does not need the socket) while the
  // connection resumes; chat and controls wait for it.
  s.addEventListener('cluster', (e) => { if (s === sig) clusterNodes = e.detail; });
  // Two connections refused in a row: the server process is gone, not the network.
  let refusals = 0;
  s.addEventListener('reconnect-failed', (e) => {
    if (s !== sig) return;
    refusals = e.detail.refused ? refusals + 1 : 0;
    if (refusals >= 2) failOver();
  });
  s.addEventListener('reconnecting', () => {
    if (s !== sig || !self) return;
    refusals = 0;
    droppedAt = performance.now();
    $('reconnecting').textContent = RECONNECTING_TEXT;
    setState('reconnecting');
  });
  s.addEventListener('resumed', (e) => {
    if (s !== sig || !self) return;
    const m = e.detail;
    resumes.push({ ms: Math.round(performance.now() - (droppedAt ?? performance.now())), attempts: m.attempts });
    droppedAt = null;
    if (m.you?.id === self.id) Object.assign(self, m.you);
    setState('joined');
    syncMute();
  });
  s.addEventListener('close', (e) => {
    const state = document.body.dataset.state;
    if (s !== sig || (state !== 'joined' && state !== 'reconnecting')) return;
    sig = null;
    closePeer();
    if (e.detail.resumeRefused) {
      // The server no longer has us (grace period over, too much missed): join afresh, as Rejoin does.
      console.info('chorus: resume refused, joining again:', e.detail.message);
      rejoining = true;
      joinRoom(target);
      return;
    }
    // Gone or shutting down (1001): another node of a cluster takes over.
    if ((e.detail.unreachable || e.detail.code === 1001) && failOver()) return;
    if (e.detail.unreachable) {
      rejoinWhenReachable(e.detail.message);
      return;
    }
    showDisconnected(`${e.detail.message} Your camera stays on; press Rejoin to return to the room.`);
  });
}

function showDisconnected(message) {
  $('disconnected-message').textContent = message;
  setState('disconnected');
  $('rejoin-button').focus({ preventScroll: true });
}

// No server answered for the whole grace period: it has dropped us by now. Wait for one
// (rejoin.js) and join afresh; show Rejoin if none comes back.
let rejoinLoop = 0; // bumped to end a running wait (Leave, Rejoin, a newer wait)
const RECONNECTING_TEXT = $('reconnecting').textContent; // the resume's, while media goes on

async function rejoinWhenReachable(message) {
  const loop = ++rejoinLoop;
  $('reconnecting').textContent = 'The server is not answering. You rejoin the room as soon as it is back…';
  setState('reconnecting');
  if (await waitForServer(() => loop === rejoinLoop)) {
    console.info('chorus: the server answers again, joining afresh');
    rejoining = true;
    joinRoom(target);
  } else if (loop === rejoinLoop) {
    showDisconnected(`${message} The server could not be reached for ${GIVE_UP_AFTER_MS / 60000} minutes; press Rejoin to try again.`);
  }
}

async function joinRoom(values) {
  target = { ...values };
  clearError();
  setState('connecting');
  if (!media.getLocalStream() && !receiveOnly) startMedia();

  const s = new Signaling();
  sig = s;
  try {
    await s.connect();
    if (s !== sig) return s.close();
    wire(s);
    s.addEventListener('queued', (e) => { if (s === sig) { queuePosition = e.detail.position; renderStatus(); } });
    queuePosition = 0;
    const joined = await s.request({
      type: 'join', room: target.room, name: target.name, ...(viewer ? { role: 'viewer' } : {}), ...(token ? { token } : {}),
      ...(redirectsOf(location.search) ? { redirects: redirectsOf(location.search) } : {}),
    });
    if (s !== sig) return s.close();
    queuePosition = 0;
    if (joined.type === 'redirect') return followRedirect(joined);
    onJoined(joined);
  } catch (err) {
    if (s !== sig) return;
    s.close();
    sig = null;
    rejoining = false;
    showError(err.code, err.message);
    setState('error');
    if (err.field === 'name') $('name-input').focus();
    else if (err.field === 'room') $('room-input').focus();
    else join.focusJoin();
  }
}

// Cluster mode: another node serves this room. The page moves there with its
// link options and the name given, and joins again (cluster.js).
function followRedirect(msg) {
  const to = redirectTarget(msg, target.room, target.name, location.search);
  if (to.error) {
    const s = sig;
    sig = null; // the server closes this socket now: expected
    s?.close();
    showError('redirect_failed', to.error);
    setState('error');
    return;
  }
  moveTo(to.url);
}

// Cluster mode: this page's node is gone (refuses connections) or shutting
// down; another node of the cluster takes the room from here. False when the
// server is not part of a cluster or knows no other node.
let clusterNodes = null; // the last "cluster" message
function failOver() {
  const url = failoverTarget(clusterNodes, location.origin, target.room, target.name, location.search);
  if (!url) return false;
  console.info('chorus: this server is gone, moving to', url);
  moveTo(url);
  return true;
}

// Leaves this node's connection (expected closes, no rejoin) and loads the room's page at `url`.
function moveTo(url) {
  const s = sig;
  sig = null;
  s?.close();
  closePeer();
  setState('connecting');
  location.assign(url);
}

function leave() {
  rejoinLoop++; // no rejoining behind the user's back
  closePeer(); // first, so stopping the devices below does not trigger a re-offer
  const s = sig;
  sig = null; // its close is expected now
  if (s) {
    // Wait briefly for "left" so the others see reason "left", not "disconnected".
    s.request({ type: 'leave' }, 3000).catch(() => {}).finally(() => s.close());
  }
  media.stop();
  screen.stop();
  mediaSettled = receiveOnly; // receive-only has no devices to wait for
  resetRoom();
  rejoining = false;
  clearError();
  join.setMediaError(null);
  setState('left');
  join.focusJoin();
}

function rejoin() {
  rejoinLoop++;
  closePeer();
  rejoining = true;
  joinRoom(target);
}

// ---- start --------------------------------------------------------------------

function init() {
  const { room, name: typed, receiveOnly: listenOnly, viewer: watching, token: given, claims } = join.parseLocation();
  token = given;
  // The token's perms, read only to leave out what the server would refuse.
  const perms = claims?.perms && typeof claims.perms === 'object' ? claims.perms : {};
  const publish = Array.isArray(perms.publish) ? perms.publish : ['audio', 'video', 'screen'];
  viewer = watching || perms.hidden === true;
  receiveOnly = listenOnly || viewer || (!publish.includes('audio') && !publish.includes('video'));
  mayShareScreen = publish.includes('screen');
  media.limitTo({ audio: publish.includes('audio'), video: publish.includes('video') });
  // The token's name is the one the server uses.
  const name = typeof claims?.name === 'string' && claims.name.trim() ? claims.name.trim() : typed;
  join.initJoin({ room, name, onJoin: joinRoom });
  chat.initChat({
    onSend: (text) => Boolean(sig?.send({ type: 'chat', text })),
  });
  moderation.initModeration({ onRequest: (message) => Boolean(sig?.send(message)) });
  recordingBadge.initRecording({ onRequest: (message) => Boolean(sig?.send(message)) });
  $('toggle-audio').addEventListener('click', () => media.toggle('audio'));
  $('toggle-video').addEventListener('click', () => media.toggle('video'));
  $('toggle-screen').addEventListener('click', toggleScreen);
  $('leave-button').addEventListener('click', leave);
  reactions.init();
  $('rejoin-button').addEventListener('click', rejoin);
  $('copy-link').addEventListener('click', copyShareLink);
  $('error-dismiss').addEventListener('click', clearError);
  $('share-link').addEventListener('focus', (e) => e.target.select());
  layout.initLayout({ onChange: () => viewReports?.now() });
  initDevices();
  // A closed tab leaves now. Its close frame (1001) would say so too, but a tab whose renderer is
  // ended without running its page sends none, and the server then holds the participant for a
  // resume (chorus.resume.grace) while the others still see it.
  window.addEventListener('pagehide', () => {
    const s = sig;
    if (!s) return;
    sig = null;
    s.send({ type: 'leave' });
    s.close();
  });
  // Back from the back/forward cache: the session above is gone, so start again.
  window.addEventListener('pageshow', (ev) => { if (ev.persisted) window.location.reload(); });

  setState('join');
  if (receiveOnly) {
    // Known at once: no devices, so the server is told both are muted.
    mediaSettled = true;
    $('devices').hidden = true; // nothing to choose
    join.setMediaError(viewer ? 'Watching (role=viewer): you see and hear the presenters; camera and microphone are not used.'
      : listenOnly ? 'Receive-only (publish=0): camera and microphone are not used.'
        : 'Receive-only: your link does not let you send audio or video; camera and microphone are not used.');
  } else {
    startMedia();
  }
  renderMedia();
  audience.initViewerPage(viewer);

  // /r/<room>?name=<name> joins without a click; otherwise wait for the form.
  if (room && name) {
    const values = join.readForm();
    if (values) joinRoom(values);
  } else {
    join.focusJoin();
  }
}

// For the media plane and for debugging from the console.
window.chorus = {
  get state() { return document.body.dataset.state; },
  get selfId() { return self?.id ?? null; },
  get signaling() { return sig; },
  getLocalStream: media.getLocalStream,
  attachRemoteStream: grid.attachRemoteStream,
  detachRemoteStream: grid.detachRemoteStream,
  // The RTCPeerConnection to the SFU while joined, else null.
  get pc() { return peer?.pc ?? null; },
  // The room data relay (data.js RoomData) while joined, else null.
  get data() { return peer?.data ?? null; },
  get joinedAt() { return joinedAt; },
  // Each resume after a dropped connection: {ms from the drop to "resumed", attempts}.
  get resumes() { return resumes.map((r) => ({ ...r })); },
  get receiveOnly() { return receiveOnly; },
  get viewer() { return viewer; },
  get viewerCount() { return audience.getCount(); },
  // ?relay=1 given, and the ICE server list of the last "joined".
  get relayOnly() { return relayOnly; },
  get iceServers() { return iceServers; },
  // Promise of {connectionState, inbound: [{kind, mid, participantId, source,
  // packetsReceived, framesDecoded, bytesReceived, ...}], outbound: [...], tracks,
  // timeline: {firstOffer, firstAnswer, connected} in performance.now() ms}.
  mediaStats: () => (peer ? peer.stats() : Promise.resolve(null)),
};

init();
