// Connection quality on each tile, from getStats() every INTERVAL_MS:
// - a remote tile: what arrives from that participant (its camera's and mic's
//   inbound-rtp): packet loss, jitter, and for a video on screen the frames per
//   second decoded and freezes;
// - our own tile: our uplink, from the SFU's receiver reports about what we send
//   (remote-inbound-rtp: loss and round-trip time) and whether the browser holds
//   our video back for bandwidth.
// Each reads good / fair / poor (tile .quality[data-quality]): three bars for the
// eye, and the words with the figures for screen readers and as a tooltip.
// Thresholds (the worst figure decides): loss 3 % fair, 10 % poor; audio jitter
// 50 ms fair, 150 ms poor; a video on screen below 8 fps fair, below 3 poor, one
// freeze in the interval fair, more poor; uplink round trip 250 ms fair, 500 ms
// poor, video held back for bandwidth at least fair.

const INTERVAL_MS = 2000;
const LABEL = { good: 'good', fair: 'fair', poor: 'poor' };

let timer = null;
let previous = new Map(); // inbound-rtp / outbound-rtp id -> last counters
let expected = new Map(); // participant id -> looks in a row at which its video was meant to flow

// Where a figure falls: 0 good, 1 fair, 2 poor (higher is worse).
const grade = (value, fair, poor) => (value >= poor ? 2 : value >= fair ? 1 : 0);

function badgeOf(tile) {
  let badge = tile.querySelector(':scope > .tile-name > .quality');
  if (!badge) {
    badge = document.createElement('span');
    badge.className = 'quality';
    badge.setAttribute('role', 'img');
    for (let i = 0; i < 3; i++) badge.append(document.createElement('i'));
    tile.querySelector(':scope > .tile-name')?.querySelector('.tile-name-text')?.after(badge);
  }
  return badge;
}

function show(tile, level, details, prefix) {
  if (!tile) return;
  const badge = badgeOf(tile);
  const quality = ['good', 'fair', 'poor'][level];
  const text = `${prefix}: ${LABEL[quality]}${details.length ? ` (${details.join(', ')})` : ''}`;
  badge.dataset.quality = quality;
  tile.dataset.quality = quality;
  badge.setAttribute('aria-label', text);
  badge.title = text;
}

function cameraTile(id) {
  return document.querySelector(`#grid > .tile[data-participant-id="${CSS.escape(id)}"]:not([data-source])`);
}

const pct = (x) => `${Math.round(x * 1000) / 10} % loss`;

// One remote participant's streams since the last look: {level, details}.
function judgeRemote(streams, tile, seconds) {
  let level = 0;
  let lost = 0;
  let got = 0;
  let jitter = 0;
  let fps = null;
  let freezes = 0;
  for (const { now, before } of streams) {
    if (!before) continue;
    lost += Math.max(0, now.packetsLost - before.packetsLost);
    got += Math.max(0, now.packetsReceived - before.packetsReceived);
    // Audio's jitter only: a video frame's packets leave in a burst, so its jitter
    // grows with the frame size rather than with the network's trouble.
    if (now.kind === 'audio') jitter = Math.max(jitter, now.jitter ?? 0);
    if (now.kind === 'video') {
      fps = (now.framesDecoded - before.framesDecoded) / seconds;
      freezes += Math.max(0, (now.freezeCount ?? 0) - (before.freezeCount ?? 0));
    }
  }
  const loss = lost + got > 0 ? lost / (lost + got) : 0;
  const details = [pct(loss), `${Math.round(jitter * 1000)} ms jitter`];
  level = Math.max(level, grade(loss, 0.03, 0.1), grade(jitter, 0.05, 0.15));
  // Frames only count for a video meant to flow: not muted, not paused by the server
  // (last-N, or a tile on another page), its tile on screen.
  // And only once it has flowed for a whole interval since it (re)started: a video
  // paged in a second ago has not had the time, and its restart counts as a freeze.
  const videoExpected = tile && tile.dataset.videoMuted !== 'true' && tile.dataset.videoPaused !== 'true'
    && tile.dataset.shown !== 'false';
  const id = tile?.dataset.participantId;
  const looks = videoExpected ? (expected.get(id) ?? 0) + 1 : 0;
  expected.set(id, looks);
  if (looks > 2 && fps !== null) {
    details.push(`${Math.round(fps)} fps`);
    if (freezes > 0) details.push(`${freezes} freeze${freezes > 1 ? 's' : ''}`);
    level = Math.max(level, fps < 3 ? 2 : fps < 8 ? 1 : 0, freezes > 1 ? 2 : freezes > 0 ? 1 : 0);
  }
  return { level, details };
}

// Our uplink: {level, details}.
function judgeUplink(remoteInbound, limitedByBandwidth) {
  let loss = 0;
  let rtt = null;
  for (const r of remoteInbound) {
    loss = Math.max(loss, r.fractionLost ?? 0);
    if (typeof r.roundTripTime === 'number') rtt = Math.max(rtt ?? 0, r.roundTripTime);
  }
  const details = [pct(loss)];
  let level = grade(loss, 0.03, 0.1);
  if (rtt !== null) {
    details.push(`${Math.round(rtt * 1000)} ms round trip`);
    level = Math.max(level, grade(rtt, 0.25, 0.5));
  }
  if (limitedByBandwidth) {
    details.push('video limited by bandwidth');
    level = Math.max(level, 1);
  }
  return { level, details };
}

async function look(peer) {
  const pc = peer.pc;
  if (!pc || pc.connectionState === 'closed') return;
  const summary = await peer.stats();
  const report = await pc.getStats();
  const seconds = INTERVAL_MS / 1000;
  const next = new Map();
  const byParticipant = new Map(); // id -> [{now, before}]
  for (const s of summary.inbound) {
    if (!s.participantId || s.source === 'screen') continue;
    const key = `in:${s.ssrc}`;
    next.set(key, s);
    const list = byParticipant.get(s.participantId) ?? [];
    list.push({ now: s, before: previous.get(key) });
    byParticipant.set(s.participantId, list);
  }
  for (const [id, streams] of byParticipant) {
    const tile = cameraTile(id);
    if (!tile || !streams.some((x) => x.before)) continue;
    const { level, details } = judgeRemote(streams, tile, seconds);
    show(tile, level, details, 'Connection');
  }
  const remoteInbound = [];
  report.forEach((r) => {
    if (r.type === 'remote-inbound-rtp') remoteInbound.push(r);
  });
  const sending = summary.outbound.some((o) => o.active && o.packetsSent > 0);
  const self = document.querySelector('#grid > .tile[data-self="true"]');
  if (sending && self) {
    const limited = summary.outbound.some((o) => o.kind === 'video' && o.active && o.qualityLimitationReason === 'bandwidth');
    const { level, details } = judgeUplink(remoteInbound, limited);
    show(self, level, details, 'Your connection');
  }
  previous = next;
}

// Starts the indicator for a session's Peer; returns a function that stops it.
export function startQuality(peer) {
  stopQuality();
  let running = false;
  timer = setInterval(() => {
    if (running) return; // a slow getStats must not pile up
    running = true;
    look(peer).catch((err) => console.warn('chorus: quality', err)).finally(() => { running = false; });
  }, INTERVAL_MS);
  return stopQuality;
}

// Stops it and takes the indicators down: without a connection they would only say
// how it was.
export function stopQuality() {
  if (timer) clearInterval(timer);
  timer = null;
  previous = new Map();
  expected = new Map();
  for (const badge of document.querySelectorAll('#grid .quality')) badge.remove();
  for (const tile of document.querySelectorAll('#grid > .tile[data-quality]')) delete tile.dataset.quality;
}
