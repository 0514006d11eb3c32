// Installed into every page by the load test's Chromium bots (ChromiumBots.java) right after the page
// loaded; arguments[0] is how many remote videos this page should receive. It polls the page's own
// window.chorus.mediaStats() (a summary of RTCPeerConnection.getStats(), js/peer.js) and keeps the latest
// cumulative counters plus, per remote video, the wall-clock time of the first poll that saw a decoded
// frame. It polls every 100 ms until every expected remote video has decoded a frame (so join-to-first-
// frame has 100 ms resolution), then every 500 ms. The load test reads snapshot() once a second.
(function (expectedVideos) {
  if (window.__chorusLoad) return;
  const FAST_MS = 100;
  const SLOW_MS = 500; // twice per read, so every once-a-second read finds a fresh reading
  const now = () => performance.timeOrigin + performance.now();
  const s = { polls: 0, errors: 0, lastError: null, latest: null, at: 0, firstFrame: {} };
  const keyOf = (r) => `${r.mid}/${r.participantId}`;

  async function poll() {
    let fast = true;
    try {
      const st = window.chorus ? await window.chorus.mediaStats() : null;
      if (st) {
        const at = now();
        s.polls++;
        s.latest = st;
        s.at = at;
        for (const r of st.inbound) {
          if (r.kind === 'video' && r.participantId && r.framesDecoded > 0 && !(keyOf(r) in s.firstFrame)) {
            s.firstFrame[keyOf(r)] = at;
          }
        }
        fast = Object.keys(s.firstFrame).length < expectedVideos;
      }
    } catch (e) {
      s.errors++;
      s.lastError = String(e);
    }
    setTimeout(poll, fast ? FAST_MS : SLOW_MS);
  }

  window.__chorusLoad = {
    snapshot() {
      const c = window.chorus;
      const st = s.latest;
      return {
        state: c ? c.state : null,
        selfId: c ? c.selfId : null,
        joinedAt: c && c.joinedAt != null ? performance.timeOrigin + c.joinedAt : null,
        at: s.at,
        polls: s.polls,
        errors: s.errors,
        lastError: s.lastError,
        connectionState: st ? st.connectionState : null,
        serverState: st && st.server ? st.server.state : null,
        serverReason: st && st.server ? st.server.reason : null,
        inbound: (st ? st.inbound : []).filter((r) => r.participantId).map((r) => ({
          key: keyOf(r), kind: r.kind, participantId: r.participantId,
          packetsReceived: r.packetsReceived, packetsLost: r.packetsLost, framesDecoded: r.framesDecoded,
          freezeCount: r.freezeCount, totalFreezesDuration: r.totalFreezesDuration, jitter: r.jitter,
          nackCount: r.nackCount, pliCount: r.pliCount, retransmittedPacketsReceived: r.retransmittedPacketsReceived,
          jitterBufferDelay: r.jitterBufferDelay, jitterBufferEmittedCount: r.jitterBufferEmittedCount,
          totalSamplesReceived: r.totalSamplesReceived, concealedSamples: r.concealedSamples,
          firstFrameAt: s.firstFrame[keyOf(r)] ?? null,
        })),
        outbound: (st ? st.outbound : []).filter((o) => o.active).map((o) => ({
          kind: o.kind, packetsSent: o.packetsSent, framesEncoded: o.framesEncoded,
        })),
      };
    },
  };
  poll();
})(arguments[0]);
