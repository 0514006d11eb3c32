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
// on the selected pair (7-8 s here), and for seconds at a time when the page is
// starved of CPU: a restart waits this long for it to come back by itself. A
// path that dies under a flowing call is caught sooner, by its silence (STALL_MS).
const DISCONNECTED_GRACE_MS = 3000;
// The transport's bytesReceived is sampled this often (getStats) ...
const SAMPLE_MS = 500;
// ... and after STEADY_SAMPLES samples in a row that received something, this
// long without a byte means the path is gone.
const STALL_MS = 1500;
const STEADY_SAMPLES = 4;
// A page starved of CPU (many pages in one browser on a busy machine, or a
// background tab, whose timers the browser slows to one a second) stops
// reading its sockets for a while, and that looks like a dead path: a sample
// that comes this late, or from a hidden page, says nothing about the path
// (Chrome's own "disconnected" still catches a dead one). And a stall is a false
// alarm when the old path delivers again before the new one takes over: each
// false alarm in the last FALSE_ALARM_MEMORY_MS doubles the silence the next
// restart needs (up to 8x), so a page that keeps stalling does not keep
// restarting (one did every 5 s for a whole call), while a path that really
// breaks, however often, is still replaced after STALL_MS.
const LATE_SAMPLE_MS = 1.5 * SAMPLE_MS;
const FALSE_ALARM_MEMORY_MS = 60000;
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
  #falseAlarms = []; // performance.now() of recent stalls after which the old path delivered again
  #stallRestart = false; // the restart in progress began with a stall, and its answer has not come
  #falseAlarmCount = 0;
  #selectedPair = null; // the transport's selected candidate pair as last sampled (Chrome only)
  #pairAtRestart = null; // ... when the last restart began
  #bytesWhenDisconnected = null; // the transport's bytesReceived when the browser last said "disconnected"
  #heldBack = 0; // restarts not made: "disconnected", but media still arrived
  #lastSampleAt = null; // performance.now() when the previous sample was taken
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
      this.#bytesWhenDisconnected = this.#received.bytes;
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
    const at = performance.now();
    const late = document.hidden || (this.#lastSampleAt != null && at - this.#lastSampleAt > LATE_SAMPLE_MS);
    this.#lastSampleAt = at;
    try {
      // Everything the transport receives, on any pair: the browser may switch its selected pair while
      // the server still sends on the one it nominated first.
      const report = await this.#pc.getStats();
      let bytes = 0;
      let found = false;
      let pair = null;
      report.forEach((s) => {
        if (s.type === 'transport') {
          bytes += s.bytesReceived ?? 0;
          found = true;
          pair ??= s.selectedCandidatePairId ?? null;
        }
      });
      if (!found) { // Firefox has no transport stats
        report.forEach((s) => { if (s.type === 'candidate-pair') bytes += s.bytesReceived ?? 0; });
      }
      const now = performance.now();
      // Stats that took long to come are as stale as a late sample.
      this.#check(bytes, pair, now, late || now - at > LATE_SAMPLE_MS);
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

  // pair: the transport's selected candidate pair (Chrome), or null.
  #check(bytes, pair, now, late) {
    const r = this.#received;
    this.#selectedPair = pair;
    if (bytes !== r.bytes) { // more, or fewer when an old pair's stats went away
      const answered = this.#remoteUfrag() !== this.#ufragAtRestart;
      // Still on the pair it had when it restarted (where the browser names it; else: the answer not yet in).
      const oldPath = pair != null && this.#pairAtRestart != null ? pair === this.#pairAtRestart : !answered;
      if (this.#stallRestart && this.#tries > 0 && oldPath && bytes > r.bytes) {
        this.#falseAlarms.push(now);
        this.#falseAlarmCount++;
        console.info('chorus: the media server was heard again on the old path: that stall was a false alarm');
      }
      this.#stallRestart = false;
      if (this.#tries > 0 && answered) this.#recovered();
      r.bytes = bytes;
      r.changedAt = now;
      r.steady = Math.min(r.steady + 1, STEADY_SAMPLES);
    } else if (late) {
      r.changedAt = now; // the page was not running: the silence so far proves nothing
    } else if (this.#timer == null && r.steady >= STEADY_SAMPLES && now - r.changedAt >= this.#stallLimit(now)) {
      this.#stalls++;
      console.info(`chorus: nothing received from the media server for ${Math.round(now - r.changedAt)} ms`);
      this.#schedule(0);
      this.#stallRestart = this.#timer != null;
    }
  }

  // STALL_MS, doubled for each recent false alarm (see FALSE_ALARM_MEMORY_MS).
  #stallLimit(now) {
    this.#falseAlarms = this.#falseAlarms.filter((t) => now - t < FALSE_ALARM_MEMORY_MS);
    return STALL_MS * 2 ** Math.min(this.#falseAlarms.length, 3);
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
    if (state === 'disconnected' && this.#bytesWhenDisconnected != null
        && this.#received.bytes !== this.#bytesWhenDisconnected) {
      // Chrome says "disconnected" when its selected pair has heard nothing for a couple of seconds: a page
      // starved of CPU, or media arriving on another pair. What still arrives says the path works, and a
      // restart would only disturb it (one page restarted every 5 s for a whole call): look again later.
      this.#heldBack++;
      this.#bytesWhenDisconnected = this.#received.bytes;
      this.#timer = setTimeout(() => this.#fire(), DISCONNECTED_GRACE_MS);
      return;
    }
    this.#tries++;
    this.#restarts++;
    this.#lastRestartAt = performance.now();
    this.#ufragAtRestart = this.#remoteUfrag();
    this.#pairAtRestart = this.#selectedPair;
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

  // For stats(): restarts so far, stalls and false alarms among them, restarts
  // held back while media still arrived, when the last one began (performance.now()) and how long it took to connect again.
  summary() {
    return { restarts: this.#restarts, stalls: this.#stalls, falseAlarms: this.#falseAlarmCount,
      heldBack: this.#heldBack, lastRestartAt: this.#lastRestartAt, lastRecoveryMs: this.#lastRecoveryMs };
  }
}
