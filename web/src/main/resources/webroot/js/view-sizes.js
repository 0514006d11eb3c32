// Tells the server how large each remote video is shown ("view", signaling/
// PROTOCOL.md), so it forwards each simulcast camera in the layer that fits
// its tile. Layout changes (a window resize, tiles joining or leaving, a video
// hidden while muted) are caught by looking once a second; a message goes out
// only when a size changed, so a still layout costs nothing.

const INTERVAL_MS = 1000;

// sig: a joined Signaling; peer: its Peer; shownSize(participantId, source):
// the grid's answer, null for a video it has no tile for yet (left out of the
// report). Returns {stop(), now()}: now() reports at once (a page of tiles came
// into view, which should not wait for the next look).
export function startViewReports(sig, peer, shownSize) {
  let last = '';
  const report = () => {
    const videos = {};
    for (const line of peer.videoLines()) {
      const size = shownSize(line.participantId, line.source);
      if (size) videos[line.mid] = size;
    }
    const json = JSON.stringify(videos);
    if (json === last || json === '{}') return;
    if (sig.send({ type: 'view', videos })) last = json;
  };
  const timer = setInterval(report, INTERVAL_MS);
  return { stop: () => clearInterval(timer), now: report };
}
