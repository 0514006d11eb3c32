// ICE restart (RFC 8445 section 2.4) when the path to the media server breaks
// while signaling still works: Wi-Fi to cellular, a NAT that forgot us, a
// laptop lid. A broken path shows first as silence: on a call the transport
// receives something (media, RTCP, feedback) many times a second, so once it
// has been receiving steadily, STALL_MS without a byte restarts ICE,
// seconds before the browser's own "disconnected" (which also restarts it,
// for quiet connections). The peer connection's next offer gets new ICE credentials, the
// server answers with a new ICE session and keeps forwarding on the old path
// until the new one is up (make-before-break), so DTLS, SRTP and every track
// carry on. Only once the connection has been up: a first connection that
// fails is a different problem (UDP blocked, no relay), reported as such.

// Chrome reports "disconnected" only after several seconds without an answer
// on the selected pair (7-8 s here), and sometimes for a moment under load: a
// restart waits this long for it to come back by itself.
const DISCONNECTED_GRACE_MS = 1000;
// The transport's bytesReceived is sampled this often (getStats) ...
const SAMPLE_MS = 500;
// ... and after STEADY_SAMPLES samples in a row that received something, this
// long without a byte means the path is gone. With media flowing a second of
// silence is already far outside the normal (the sparsest stream, Opus DTX,
// sends every 400 ms), and a needless restart costs little (make-before-break);
// 1.5 s put the restart at 1.7-2.4 s after a break and video back at 1.9-2.5 s.
const STALL_MS = 1000;
const STEADY_SAMPLES = 2;
// A restart that has not connected by then is tried again ...
const RETRY_AFTER_MS = 5000;
// ... up to this many times in a row; then the server's own timeout ends the
// session and the page says so (media-state).
const MAX_TRIES = 6;

export class IceRestarter {
  #pc;
  #restart;
  #everConnected = false;
  #timer = null;
  #tries = 0;
  #restarts = 0;
  #lastRestartAt = null; // performance.now() of the last restart
  #lastRecoveryMs = null; // from that restart to connected again
  #sampler = null;
  #sampling = false;
  #received = { bytes: 0, changedAt: 0, steady: 0 }; // the transport's bytesReceived as last sampled
  #stalls = 0;
  #ufragAtRestart = null; // the server's ICE ufrag when the last restart began
  #onNetworkChange = () => this.#networkChanged();

  // restart(): make the next offer an ICE restart and send it (Peer does both).
  constructor(pc, restart) {
    this.#pc = pc;
    this.#restart = restart;
    pc.addEventListener('iceconnectionstatechange', () => this.#changed());
    // A network change may leave the old path half-working for a while: do not wait for it to fail.
    navigator.connection?.addEventListener?.('change', this.#onNetworkChange);
    window.addEventListener('online', this.#onNetworkChange);
  }

  #changed() {
    const state = this.#pc.iceConnectionState;
    if (state === 'connected' || state === 'completed') {
      this.#everConnected = true;
      this.#sampler ??= setInterval(() => this.#sample(), SAMPLE_MS);
      this.#recovered();
    } else if (state === 'disconnected') {
      this.#schedule(DISCONNECTED_GRACE_MS);
    } else if (state === 'failed') {
      this.#schedule(0);
    } else if (state === 'closed') {
      this.stop();
    }
  }

  // The peer connection is closing (close() fires no state change).
  stop() {
    this.#clear();
    clearInterval(this.#sampler);
    this.#sampler = null;
    this.#everConnected = false;
    navigator.connection?.removeEventListener?.('change', this.#onNetworkChange);
    window.removeEventListener('online', this.#onNetworkChange);
  }

  async #sample() {
    if (this.#sampling) return;
    this.#sampling = true;
    try {
      // Everything the transport receives, on any pair: the browser may switch its selected pair while
      // the server still sends on the one it nominated first.
      const report = await this.#pc.getStats();
      let bytes = 0;
      let found = false;
      report.forEach((s) => {
        if (s.type === 'transport' && typeof s.bytesReceived === 'number') { bytes += s.bytesReceived; found = true; }
      });
      if (!found) { // Firefox's transport stats carry no byte counts (firefox-esr 153): its pairs' do
        report.forEach((s) => { if (s.type === 'candidate-pair') bytes += s.bytesReceived ?? 0; });
      }
      this.#check(bytes, performance.now());
    } catch {
      // closed meanwhile
    } finally {
      this.#sampling = false;
    }
  }

  // Connected again, or (the browser may stay "connected" throughout a
  // make-before-break restart) receiving under the server's new ICE ufrag.
  #recovered() {
    if (this.#lastRestartAt != null && this.#tries > 0) {
      this.#lastRecoveryMs = Math.round(performance.now() - this.#lastRestartAt);
    }
    this.#tries = 0;
    this.#clear();
  }

  #check(bytes, now) {
    const r = this.#received;
    if (bytes !== r.bytes) { // more, or fewer when an old pair's stats went away
      if (this.#tries > 0 && this.#remoteUfrag() !== this.#ufragAtRestart) this.#recovered();
      r.bytes = bytes;
      r.changedAt = now;
      r.steady = Math.min(r.steady + 1, STEADY_SAMPLES);
    } else if (this.#timer == null && r.steady >= STEADY_SAMPLES && now - r.changedAt >= STALL_MS) {
      this.#stalls++;
      console.info(`chorus: nothing received from the media server for ${Math.round(now - r.changedAt)} ms`);
      this.#schedule(0);
    }
  }

  #networkChanged() {
    if (this.#everConnected && this.#pc.connectionState !== 'closed') this.#schedule(0);
  }

  #schedule(ms) {
    if (!this.#everConnected || this.#timer != null) return;
    this.#timer = setTimeout(() => this.#fire(), ms);
  }

  #clear() {
    if (this.#timer != null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #fire() {
    this.#timer = null;
    const state = this.#pc.iceConnectionState;
    if (state === 'closed' || this.#tries >= MAX_TRIES) return;
    this.#tries++;
    this.#restarts++;
    this.#lastRestartAt = performance.now();
    this.#ufragAtRestart = this.#remoteUfrag();
    console.info(`chorus: restarting ICE (${state}, try ${this.#tries})`);
    this.#restart();
    // Still not connected by then (the new path failed too, or the answer was lost): once more.
    this.#timer = setTimeout(() => {
      this.#timer = null;
      const now = this.#pc.iceConnectionState;
      if (now !== 'connected' && now !== 'completed') {
        this.#fire();
      } else if (this.#remoteUfrag() !== this.#ufragAtRestart) {
        // Connected on the new path and still nothing received: the call went quiet, the path is
        // fine. Silence proves nothing until a steady flow is seen again.
        this.#received.steady = 0;
        this.#recovered();
      }
    }, RETRY_AFTER_MS);
  }

  #remoteUfrag() {
    return /\r\na=ice-ufrag:(\S+)/.exec(this.#pc.remoteDescription?.sdp ?? '')?.[1] ?? null;
  }

  // For stats(): restarts so far, when the last one began (performance.now())
  // and how long it took to connect again.
  summary() {
    return { restarts: this.#restarts, stalls: this.#stalls, lastRestartAt: this.#lastRestartAt,
      lastRecoveryMs: this.#lastRecoveryMs };
  }
}
