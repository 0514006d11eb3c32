// The media plane of one joined session: one RTCPeerConnection to the SFU
// (signaling/PROTOCOL.md, "offer" .. "media-state"). The client always offers
// and the server always answers, so this module only has to keep at most one
// offer in flight and queue the next one. It publishes mic, camera and screen
// on sendonly transceivers and receives everyone else's tracks on recvonly
// transceivers whose meaning (mid -> participant/source) each answer restates.
//
// It knows nothing about the DOM: remote streams go out through callbacks
// (onStreams), the connection state through onState.

import { IceRestarter } from './ice-restart.js';
import { RoomData } from './data.js';
import { cameraEncodings, preferCodecs, videoCodecNames, withDtx } from './codecs.js';

// How long an offer may wait for its answer before media is given up. Offers are answered one at a
// time per server: a crowd joining a starved server queues them (six pages on two loaded cores
// waited over 15 s once), and a server that is gone closes the socket long before this.
const ANSWER_TIMEOUT_MS = 30000;

// Camera simulcast (sfu/CODECS.md): layers lowest first, as the SFU expects. How
// many depends on the camera's height, as Chromium's own limits do (fewer lines
// than this and the browser would not send the extra layers anyway).
const SIMULCAST_LAYERS = [
  { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'f', scaleResolutionDownBy: 1, maxBitrate: 1_500_000 },
];

export function simulcastEncodings(track) {
  const height = track?.getSettings?.().height ?? 0;
  const layers = height >= 540 ? 3 : height >= 270 ? 2 : 1;
  return layers > 1 ? SIMULCAST_LAYERS.slice(3 - layers).map((e) => ({ ...e })) : null;
}

// The m= section of `mid` in an SDP, or '' (enough to read one attribute).
function section(sdp, mid) {
  return sdp.split(/\r\n(?=m=)/).find((m) => m.includes(`\r\na=mid:${mid}\r\n`)) ?? '';
}


export class Peer {
  #sig;
  #pc;
  #onStreams;
  #onState;
  #closed = false;
  #offering = false; // an offer is in flight
  #again = false; // another offer is wanted once it is answered
  #offerSent = false; // our candidates may only follow the first offer
  #pendingLocal = []; // our candidates gathered before that
  #pendingRemote = []; // server candidates that arrived before its answer
  #senders = { mic: null, camera: null, screen: null }; // source -> transceiver
  #tracks = new Map(); // mid -> {participantId, kind, source} from the last answer
  #streams = new Map(); // participantId -> {media: MediaStream, screen: MediaStream}
  #departed = new Set(); // participants who left; an answer already in flight may still list them
  #serverState = null; // {state, reason} from the last media-state
  #localFailure = null; // {state: 'failed', reason, message} found by this browser (relay-only mode)
  #relayOnly = false;
  #red = true; // offer Opus RED (?red=0: not)
  #videoCodecs = videoCodecNames(); // the video codecs offered (?codec=h264: that one only)
  #dtx = false; // offer Opus DTX (?dtx=1)
  #codec = null; // ?codec= as given (vp9, av1: the camera as one scalable encoding), null: none
  #turnUrls = []; // the TURN URLs of the ICE server list, for messages
  #candidateErrors = []; // icecandidateerror details: {url, errorCode, errorText}
  #gathered = { host: 0, srflx: 0, prflx: 0, relay: 0 }; // local candidates by type
  #timeline = {}; // performance.now() of the first offer, answer and connection, for stats()
  #simulcastFrom = 0; // room size from which the camera goes out as simulcast (0: never)
  #simulcastWanted = false; // the room reached that size (never undone)
  #simulcastRefused = false; // the server answered a simulcast offer without simulcast
  #cameraLayers = 1; // encodings of the camera transceiver
  #iceRestarter;
  #data; // RoomData: the room's data channels (data.js)

  // sig: a joined Signaling. onStreams(participantId, {media, screen}) is called
  // whenever that participant's streams change (null members when there is none).
  // onState({pc, server, local}) on every connection state change; `local` is a
  // failure this browser found itself (relay-only mode without a usable relay).
  // iceServers: the list from "joined" (STUN, and TURN with per-participant
  // credentials); empty when the SFU's own address is enough.
  // relayOnly: iceTransportPolicy 'relay', for diagnosing TURN (?relay=1).
  // simulcastFrom: from the server's welcome (media.simulcastFrom).
  // red: offer Opus RED (false for ?red=0). dtx: offer Opus DTX (true for ?dtx=1).
  // codec: the one video codec to offer (?codec=h264 / vp8 / vp9 / av1: with vp9 or av1 the camera goes
  // out as one L3T3_KEY encoding); null offers the default ones.
  constructor(sig, { onStreams = () => {}, onState = () => {}, iceServers = [], relayOnly = false, simulcastFrom = 0, red = true, dtx = false, codec = null } = {}) {
    this.#sig = sig;
    this.#codec = typeof codec === 'string' ? codec : null;
    this.#red = red !== false;
    this.#videoCodecs = videoCodecNames(codec);
    this.#dtx = dtx === true;
    this.#simulcastFrom = Number.isInteger(simulcastFrom) && simulcastFrom > 0 ? simulcastFrom : 0;
    this.#onStreams = onStreams;
    this.#onState = onState;
    this.#relayOnly = relayOnly;
    const servers = Array.isArray(iceServers) ? iceServers : [];
    this.#turnUrls = servers.flatMap((s) => [s.urls].flat()).filter((u) => /^turns?:/.test(String(u)));
    this.#pc = new RTCPeerConnection({
      bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require', iceServers: servers,
      iceTransportPolicy: relayOnly ? 'relay' : 'all',
    });
    // Before any offer: the first one then carries the data-channel line.
    this.#data = new RoomData(this.#pc);
    this.#iceRestarter = new IceRestarter(this.#pc, () => {
      if (this.#closed) return;
      this.#pc.restartIce(); // the next offer carries new ICE credentials
      this.negotiate();
    });
    this.#pc.addEventListener('icecandidate', (e) => this.#localCandidate(e.candidate));
    this.#pc.addEventListener('icecandidateerror', (e) => {
      this.#candidateErrors.push({ url: e.url ?? null, errorCode: e.errorCode ?? null, errorText: e.errorText ?? '' });
    });
    this.#pc.addEventListener('icegatheringstatechange', () => {
      if (this.#pc.iceGatheringState === 'complete') this.#checkRelay();
    });
    this.#pc.addEventListener('connectionstatechange', () => {
      if (this.#pc.connectionState === 'connected') this.#timeline.connected ??= performance.now();
      if (this.#pc.connectionState === 'failed') this.#checkRelay(true);
      this.#emitState();
    });
    if (relayOnly && this.#turnUrls.length === 0) {
      this.#localFailure = { state: 'failed', reason: 'relay_unavailable',
        message: 'this server hands out no TURN relay (chorus.ice.turn-urls is empty)' };
    }
  }

  // Relay-only mode: gathering over without a relay candidate (or ICE failed)
  // means the TURN server refused or could not be reached; say which and why.
  #checkRelay(iceFailed = false) {
    if (!this.#relayOnly || this.#closed || this.#localFailure) return;
    if (this.#gathered.relay > 0 && !iceFailed) return;
    const unauthorized = this.#candidateErrors.find((e) => e.errorCode === 401);
    let message;
    if (unauthorized) {
      message = `${unauthorized.url ?? 'the TURN server'} refused the credentials (401 ${unauthorized.errorText || 'Unauthorized'}): `
        + 'the server\'s TURN secret does not match the TURN server\'s, or the credentials expired';
    } else if (this.#candidateErrors.length) {
      const e = this.#candidateErrors[this.#candidateErrors.length - 1];
      message = `${e.url ?? 'the TURN server'} answered ${e.errorCode ?? '?'} ${e.errorText || ''}`.trim();
    } else if (this.#gathered.relay === 0) {
      message = `no relay address from ${this.#turnUrls.join(', ') || 'any TURN server'} (unreachable?)`;
    } else {
      message = 'the relayed path to the media server failed';
    }
    this.#localFailure = { state: 'failed', reason: 'relay_failed', message };
    console.warn('chorus: relay-only media failed:', message, this.#candidateErrors);
    this.#emitState();
  }

  get pc() {
    return this.#pc;
  }

  // The room data relay (data.js).
  get data() {
    return this.#data;
  }

  // The first offer. `tracks` is {mic, camera} (either may be null);
  // `expected` the number of other participants, so the first offer already
  // has room for their mic and camera and a late joiner needs no second round.
  start(tracks, expected = 0) {
    this.#ensureReceivers(expected, expected);
    this.#publishLocal(tracks); // no negotiate() yet: one offer carries everything
    // A lone participant without devices still offers one line of each kind,
    // so its transport (ICE/DTLS) is up before anyone else arrives.
    this.#ensureReceivers(this.#senderCount() ? 0 : 1, this.#senderCount() ? 0 : 1);
    this.negotiate();
  }

  close() {
    if (this.#closed) return;
    this.#closed = true;
    this.#iceRestarter.stop();
    // The local tracks belong to media.js / screen.js: closing stops sending, not the camera.
    this.#pc.close();
    for (const id of [...this.#streams.keys()]) this.#drop(id);
    this.#tracks.clear();
  }

  // ---- publishing ---------------------------------------------------------

  // Publishes (or unpublishes, when null) the mic and camera tracks.
  setLocalTracks(tracks) {
    if (this.#publishLocal(tracks)) this.negotiate();
  }

  #publishLocal({ mic = null, camera = null } = {}) {
    const a = this.#publish('mic', 'audio', mic);
    const b = this.#publish('camera', 'video', camera);
    return a || b;
  }

  // The room now has `count` participants (us included). From simulcastFrom on,
  // the camera is sent as simulcast layers: a transceiver's encodings are fixed
  // once negotiated, so a camera already sent as one stream moves to a new
  // transceiver (the old line is stopped; the room sees a new camera track).
  setRoomSize(count) {
    if (this.#closed || this.#simulcastWanted || !this.#simulcastFrom || count < this.#simulcastFrom) return;
    this.#simulcastWanted = true;
    if (this.#resendCamera()) this.negotiate();
  }

  // Re-creates the camera transceiver when the layers it should have changed.
  #resendCamera() {
    const t = this.#senders.camera;
    const track = t?.sender.track;
    if (!t || !track || t.direction !== 'sendonly') return false;
    const layers = this.#encodingsFor(track)?.length ?? 1;
    if (layers === this.#cameraLayers) return false;
    t.sender.replaceTrack(null).catch(() => {});
    if (this.#pc.getTransceivers()[0] === t) {
      // The first m= line tags the BUNDLE group: stopped, Chrome moves the group to a new transport
      // with new ICE credentials, which the server refuses (a camera-only page hit this). It stays,
      // as a line that receives someone else's video.
      t.direction = 'recvonly';
    } else {
      t.stop();
    }
    this.#senders.camera = null;
    return this.#publish('camera', 'video', track);
  }

  // Dynacast: the server says which of the simulcast layers we send on line
  // `mid` anybody wants (active[i] for layer i, lowest first); the others stop
  // being encoded, which saves our CPU and uplink, until it says otherwise.
  async setSendingLayers(mid, active) {
    const t = Object.values(this.#senders).find((x) => x?.mid === mid);
    if (this.#closed || !t || !Array.isArray(active)) return;
    const params = t.sender.getParameters();
    if (!params.encodings || params.encodings.length !== active.length) return;
    let changed = false;
    params.encodings.forEach((e, i) => {
      const on = active[i] !== false;
      if (e.active !== on) { e.active = on; changed = true; }
    });
    if (!changed) return;
    try {
      await t.sender.setParameters(params);
    } catch (err) {
      console.warn('chorus: could not change the layers sent', err);
    }
  }

  #encodingsFor(track) {
    // A scalable codec carries every layer in one encoding: no simulcast.
    const scalable = cameraEncodings(this.#codec);
    if (scalable) return scalable;
    return this.#simulcastWanted && !this.#simulcastRefused ? simulcastEncodings(track) : null;
  }

  // Screen share: a track starts it, null stops it. The transceiver is kept
  // (inactive) and reused by the next share, so m= lines do not pile up.
  setScreenTrack(track) {
    if (this.#publish('screen', 'video', track)) this.negotiate();
  }

  // Returns true when the offer must change (direction or a new m= line).
  #publish(source, kind, track) {
    if (this.#closed) return false;
    let t = this.#senders[source];
    if (!t) {
      if (!track) return false;
      const init = { direction: 'sendonly' };
      const encodings = source === 'camera' ? this.#encodingsFor(track) : null;
      if (encodings) init.sendEncodings = encodings;
      this.#senders[source] = preferCodecs(this.#pc.addTransceiver(track, init), this.#red, this.#videoCodecs);
      if (source === 'camera') this.#cameraLayers = encodings?.length ?? 1;
      return true;
    }
    if (t.sender.track !== track) t.sender.replaceTrack(track).catch((err) => console.warn('chorus: replaceTrack', err));
    const direction = track ? 'sendonly' : 'inactive';
    if (t.direction === direction) return false;
    t.direction = direction;
    return true;
  }

  #senderCount() {
    return Object.values(this.#senders).filter((t) => t && t.direction === 'sendonly').length;
  }

  #isSender(t) {
    return Object.values(this.#senders).includes(t);
  }

  // ---- offer / answer -----------------------------------------------------

  // Server's "renegotiate": make room for that many remote tracks, then offer.
  onRenegotiate({ audio = 0, video = 0 }) {
    this.#ensureReceivers(audio, video);
    this.negotiate();
  }

  #ensureReceivers(audio, video) {
    if (this.#closed) return;
    const have = { audio: 0, video: 0 };
    for (const t of this.#pc.getTransceivers()) {
      if (!this.#isSender(t) && !t.stopped) have[t.receiver.track.kind]++;
    }
    for (let i = have.audio; i < audio; i++) preferCodecs(this.#pc.addTransceiver('audio', { direction: 'recvonly' }), this.#red, this.#videoCodecs);
    for (let i = have.video; i < video; i++) preferCodecs(this.#pc.addTransceiver('video', { direction: 'recvonly' }), this.#red, this.#videoCodecs);
  }

  // Sends an offer now, or right after the one in flight is answered.
  async negotiate() {
    if (this.#closed) return;
    if (this.#offering) {
      this.#again = true;
      return;
    }
    this.#offering = true;
    try {
      do {
        this.#again = false;
        await this.#offerOnce();
      } while (this.#again && !this.#closed);
    } catch (err) {
      if (!this.#closed) {
        console.warn('chorus: negotiation failed', err);
        // Back to "stable", so a later offer (e.g. on the next renegotiate) can still go out.
        if (this.#pc.signalingState === 'have-local-offer') {
          this.#pc.setLocalDescription({ type: 'rollback' }).catch(() => {});
        }
        this.#serverState = { state: 'failed', reason: err.code ?? err.name ?? 'negotiation_failed', message: err.message };
        this.#emitState();
      }
    } finally {
      this.#offering = false;
    }
  }

  async #offerOnce() {
    const created = await this.#pc.createOffer();
    const offer = this.#dtx ? { type: 'offer', sdp: withDtx(created.sdp) } : created;
    await this.#pc.setLocalDescription(offer);
    if (this.#closed) return;
    // mids exist only once the offer is applied.
    const sources = {};
    for (const [source, t] of Object.entries(this.#senders)) {
      if (t?.mid != null && t.direction === 'sendonly') sources[t.mid] = source;
    }
    this.#timeline.firstOffer ??= performance.now();
    const answering = this.#sig.request({ type: 'offer', sdp: offer.sdp, sources }, ANSWER_TIMEOUT_MS);
    if (!this.#offerSent) {
      this.#offerSent = true;
      for (const c of this.#pendingLocal.splice(0)) this.#sendCandidate(c);
    }
    const answer = await answering;
    this.#timeline.firstAnswer ??= performance.now();
    if (this.#closed) return;
    await this.#pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    for (const c of this.#pendingRemote.splice(0)) await this.#addRemote(c);
    this.#applyTracks(answer.tracks ?? []);
    this.#checkSimulcastAnswer(answer.sdp);
  }

  // A server that declines simulcast gets only our first (lowest) layer: send
  // the camera as one full-size stream instead.
  #checkSimulcastAnswer(sdp) {
    const t = this.#senders.camera;
    if (this.#cameraLayers < 2 || !t?.mid || section(sdp, t.mid).includes('\r\na=simulcast:')) return;
    console.warn('chorus: the server declined simulcast; sending the camera as one stream');
    this.#simulcastRefused = true;
    if (this.#resendCamera()) this.#again = true;
  }

  // The receiving lines that carry video now: [{mid, participantId, source}].
  videoLines() {
    return [...this.#tracks.entries()]
      .filter(([, t]) => t.kind === 'video')
      .map(([mid, t]) => ({ mid, participantId: t.participantId, source: t.source }));
  }

  // ---- ICE candidates -----------------------------------------------------

  #localCandidate(c) {
    if (this.#closed) return;
    if (c?.type && c.type in this.#gathered) this.#gathered[c.type]++;
    // Chrome's per-m-line "" end marker is redundant with the final null.
    if (c && !c.candidate) return;
    if (!this.#offerSent) this.#pendingLocal.push(c);
    else this.#sendCandidate(c);
  }

  #sendCandidate(c) {
    this.#sig.send(c
      ? { type: 'candidate', candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex }
      : { type: 'candidate', candidate: null });
  }

  // Server's "candidate"; null/"" candidate is its end-of-candidates marker.
  onCandidate(msg) {
    if (this.#closed) return;
    const c = msg.candidate ? { candidate: msg.candidate, sdpMid: msg.sdpMid ?? null, sdpMLineIndex: msg.sdpMLineIndex ?? null } : null;
    if (!this.#pc.remoteDescription) this.#pendingRemote.push(c);
    else this.#addRemote(c);
  }

  async #addRemote(c) {
    try {
      // With BUNDLE every m= line shares one transport, so a candidate whose
      // mid we do not know (e.g. "0" when our first line has another mid)
      // still belongs to it: fall back to the first m= line.
      if (c && c.sdpMid != null && !this.#pc.getTransceivers().some((t) => t.mid === c.sdpMid)) {
        c = { candidate: c.candidate, sdpMLineIndex: 0 };
      }
      await this.#pc.addIceCandidate(c ?? undefined);
    } catch (err) {
      console.warn('chorus: addIceCandidate', c, err);
    }
  }

  // ---- remote tracks ------------------------------------------------------

  // answer.tracks says which remote track each receiving mid carries now;
  // unlisted receiving mids carry nothing. Rebuild every participant's streams
  // from that, keeping the MediaStream objects so <video> elements do not reload.
  #applyTracks(list) {
    this.#tracks = new Map();
    for (const t of list) {
      if (t && t.mid != null && t.participantId && !this.#departed.has(t.participantId)) {
        this.#tracks.set(String(t.mid), t);
      }
    }
    const want = new Map(); // participantId -> {media: [tracks], screen: [tracks]}
    for (const tr of this.#pc.getTransceivers()) {
      const info = tr.mid != null ? this.#tracks.get(tr.mid) : null;
      if (!info || this.#isSender(tr)) continue;
      const w = want.get(info.participantId) ?? { media: [], screen: [] };
      (info.source === 'screen' ? w.screen : w.media).push(tr.receiver.track);
      want.set(info.participantId, w);
    }
    for (const id of [...this.#streams.keys()]) if (!want.has(id)) this.#drop(id);
    for (const [id, w] of want) {
      const s = this.#streams.get(id) ?? { media: null, screen: null };
      const changed = sync(s, 'media', w.media) | sync(s, 'screen', w.screen); // both must run: no ||
      this.#streams.set(id, s);
      if (changed) this.#onStreams(id, { ...s });
    }
  }

  #drop(id) {
    if (!this.#streams.delete(id)) return;
    this.#onStreams(id, { media: null, screen: null });
  }

  // A participant came (back): in a room across cluster nodes one that was lost with its node returns under the
  // same id once the node is reachable again, and its tracks must count again.
  participantReturned(id) {
    this.#departed.delete(id);
  }

  // A participant left: forget its tracks now rather than at the next answer.
  forgetParticipant(id) {
    this.#departed.add(id); // until it returns (participantReturned): an answer in flight may still list it
    for (const [mid, t] of this.#tracks) if (t.participantId === id) this.#tracks.delete(mid);
    this.#drop(id);
  }

  // The current streams of a participant (for a tile created after they arrived).
  streamsOf(id) {
    const s = this.#streams.get(id);
    return s ? { ...s } : { media: null, screen: null };
  }

  // ---- state and stats ----------------------------------------------------

  // Server's "media-state".
  onMediaState(msg) {
    this.#serverState = { state: msg.state, reason: msg.reason ?? null, message: msg.message ?? null };
    this.#emitState();
  }

  // {pc, server, local} as onState receives it.
  currentState() {
    return { pc: this.#pc.connectionState, server: this.#serverState, local: this.#localFailure };
  }

  #emitState() {
    if (this.#closed) return;
    this.#onState(this.currentState());
  }

  // A JSON-able summary of getStats() for tests and debugging.
  async stats() {
    const byTrack = new Map(); // track id -> transceiver
    for (const t of this.#pc.getTransceivers()) {
      if (t.receiver.track) byTrack.set(t.receiver.track.id, t);
    }
    const sourceOf = (t) => Object.entries(this.#senders).find(([, s]) => s === t)?.[0] ?? null;
    const report = await this.#pc.getStats();
    const inbound = [];
    const outbound = [];
    let candidatePair = null;
    const candidates = new Map(); // id -> local-candidate / remote-candidate
    const pairs = new Map();
    report.forEach((r) => {
      if (r.type === 'inbound-rtp') {
        const t = byTrack.get(r.trackIdentifier);
        const mid = r.mid ?? t?.mid ?? null;
        const info = mid != null ? this.#tracks.get(mid) : null;
        inbound.push({
          kind: r.kind, mid, ssrc: r.ssrc,
          participantId: info?.participantId ?? null, source: info?.source ?? null,
          packetsReceived: r.packetsReceived ?? 0, bytesReceived: r.bytesReceived ?? 0,
          framesDecoded: r.framesDecoded ?? 0,
          frameWidth: r.frameWidth ?? null, frameHeight: r.frameHeight ?? null,
          // For telling a stall's cause: loss, missing keyframes, or nothing sent.
          packetsLost: r.packetsLost ?? 0, keyFramesDecoded: r.keyFramesDecoded ?? 0,
          framesDropped: r.framesDropped ?? 0, pliCount: r.pliCount ?? 0, nackCount: r.nackCount ?? 0,
          // Packets that arrived as retransmissions (RTX): Chrome counts their originals in packetsLost.
          retransmittedPacketsReceived: r.retransmittedPacketsReceived ?? null,
          freezeCount: r.freezeCount ?? 0, totalFreezesDuration: r.totalFreezesDuration ?? 0,
          // Seconds; jitterBufferDelay / jitterBufferEmittedCount is the mean buffering delay.
          jitter: r.jitter ?? null, jitterBufferDelay: r.jitterBufferDelay ?? 0,
          jitterBufferEmittedCount: r.jitterBufferEmittedCount ?? 0,
          // Audio: samples played out, and those the decoder had to make up (loss concealment; the
          // silent ones while nothing came at all, e.g. DTX or a mute).
          totalSamplesReceived: r.totalSamplesReceived ?? null, concealedSamples: r.concealedSamples ?? null,
          silentConcealedSamples: r.silentConcealedSamples ?? null,
        });
      } else if (r.type === 'outbound-rtp') {
        const t = this.#pc.getTransceivers().find((x) => x.mid === r.mid);
        outbound.push({
          kind: r.kind, mid: r.mid ?? null, ssrc: r.ssrc, rid: r.rid ?? null, source: t ? sourceOf(t) : null,
          active: t ? t.direction === 'sendonly' : null,
          packetsSent: r.packetsSent ?? 0, bytesSent: r.bytesSent ?? 0,
          framesEncoded: r.framesEncoded ?? 0,
          frameWidth: r.frameWidth ?? null, frameHeight: r.frameHeight ?? null,
          keyFramesEncoded: r.keyFramesEncoded ?? 0, pliCount: r.pliCount ?? 0, nackCount: r.nackCount ?? 0,
          qualityLimitationReason: r.qualityLimitationReason ?? null,
        });
      } else if (r.type === 'transport' && r.selectedCandidatePairId) {
        candidatePair = r.selectedCandidatePairId;
      } else if (r.type === 'local-candidate' || r.type === 'remote-candidate') {
        candidates.set(r.id, r);
      } else if (r.type === 'candidate-pair') {
        pairs.set(r.id, r);
      }
    });
    // The pair media flows on: whose candidates (host, srflx, prflx, relay) over what.
    let selectedPair = null;
    const pair = candidatePair ? pairs.get(candidatePair) : null;
    if (pair) {
      const l = candidates.get(pair.localCandidateId) ?? {};
      const rc = candidates.get(pair.remoteCandidateId) ?? {};
      selectedPair = {
        state: pair.state ?? null, nominated: pair.nominated ?? null,
        bytesSent: pair.bytesSent ?? 0, bytesReceived: pair.bytesReceived ?? 0,
        local: { candidateType: l.candidateType ?? null, protocol: l.protocol ?? null, address: l.address ?? null,
          port: l.port ?? null, relayProtocol: l.relayProtocol ?? null, url: l.url ?? null },
        remote: { candidateType: rc.candidateType ?? null, protocol: rc.protocol ?? null,
          address: rc.address ?? null, port: rc.port ?? null },
      };
    }
    return {
      connectionState: this.#pc.connectionState,
      iceConnectionState: this.#pc.iceConnectionState,
      server: this.#serverState,
      selectedCandidatePair: candidatePair,
      selectedPair,
      relayOnly: this.#relayOnly,
      gathered: { ...this.#gathered },
      candidateErrors: [...this.#candidateErrors],
      localFailure: this.#localFailure,
      timeline: { ...this.#timeline },
      iceRestart: this.#iceRestarter.summary(),
      inbound,
      outbound,
      tracks: [...this.#tracks.values()],
    };
  }
}

// Makes s[key] hold exactly `tracks` (null when none), reusing the stream.
function sync(s, key, tracks) {
  if (tracks.length === 0) {
    if (!s[key]) return false;
    s[key] = null;
    return true;
  }
  if (!s[key]) {
    s[key] = new MediaStream(tracks);
    return true;
  }
  let changed = false;
  for (const old of s[key].getTracks()) {
    if (!tracks.includes(old)) {
      s[key].removeTrack(old);
      changed = true;
    }
  }
  for (const t of tracks) {
    if (!s[key].getTracks().includes(t)) {
      s[key].addTrack(t);
      changed = true;
    }
  }
  return changed;
}
