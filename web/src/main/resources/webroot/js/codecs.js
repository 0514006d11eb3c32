// Which codecs this page offers the SFU, and the SDP edits the browser has no API for.

// The SFU answers Opus (with RED, RFC 2198, when offered) and VP8 only
// (sfu/CODECS.md). Offering just those (plus VP8's retransmission format) keeps
// each m= line near 1 KB instead of 3-5 KB, which matters: every remote track is
// an m= line, and the whole offer must fit in one signaling message
// (limits.maxMessageBytes). RED repeats each audio frame in the next packet (the
// SFU repeats more towards receivers), so voice survives packet loss; ?red=0
// leaves it out of this page's offers (plain Opus both ways), to compare.
const WANTED_CODECS = { audio: ['audio/opus', 'audio/red'], video: ['video/vp8', 'video/rtx'] };

// ?codec=<name>: the video codecs a page offers instead (with retransmission).
// VP9 is offered in profile 0 only (8-bit 4:2:0, what the SFU answers) and
// carries the camera as one scalable encoding (cameraEncodings).
const VIDEO_CODECS = {
  vp8: ['video/vp8', 'video/rtx'],
  vp9: ['video/vp9', 'video/rtx'],
};

// VP9 SVC (sfu/CODECS.md): three spatial layers (each half the size of the next)
// and three temporal layers in one encoding; KEY: the upper spatial layers
// depend on the lower ones only at keyframes, so the SFU can forward any lower
// spatial layer alone to a subscriber.
const VP9_SCALABILITY_MODE = 'L3T3_KEY';

// The camera's sendEncodings for `codec` when it is sent as one scalable
// encoding, else null (VP8: one stream, or simulcast layers).
export function cameraEncodings(codec) {
  return codec === 'vp9' ? [{ scalabilityMode: VP9_SCALABILITY_MODE }] : null;
}

// Whether a codec capability is one this page offers for `codec`.
function wantedVideo(c, codec) {
  const mime = c.mimeType.toLowerCase();
  if (!(VIDEO_CODECS[codec] ?? WANTED_CODECS.video).includes(mime)) return false;
  return mime !== 'video/vp9' || /(^|;)\s*profile-id=0(;|$)/.test(c.sdpFmtpLine ?? 'profile-id=0');
}

// The offer with usedtx=1 added to every Opus fmtp (Opus DTX, RFC 7587): the SFU
// answers it back, and the browser then sends one packet per 400 ms while the
// microphone is silent instead of 50. Chrome has no API for it but the SDP.
export function withDtx(sdp) {
  const opus = new Set([...sdp.matchAll(/^a=rtpmap:(\d+) opus\/48000/gim)].map((m) => m[1]));
  return sdp.replace(/^(a=fmtp:(\d+) )(.*)$/gm, (line, head, pt, params) =>
    opus.has(pt) && !/(^|;)\s*usedtx=/.test(params) ? `${head}${params};usedtx=1` : line);
}

// The transceiver, its offered codecs cut down to WANTED_CODECS (without RED when `red` is false;
// video: the codec `codec` names, see VIDEO_CODECS, when it names one).
export function preferCodecs(transceiver, red = true, codec = null) {
  const kind = transceiver.receiver.track.kind;
  try {
    const codecs = (RTCRtpReceiver.getCapabilities?.(kind)?.codecs ?? [])
      .filter((c) => (kind === 'video' ? wantedVideo(c, codec) : WANTED_CODECS[kind].includes(c.mimeType.toLowerCase())))
      .filter((c) => red || c.mimeType.toLowerCase() !== 'audio/red');
    if (codecs.length) transceiver.setCodecPreferences(codecs);
  } catch (err) {
    // Older browsers: the full list is still answerable, only larger.
    console.warn('chorus: setCodecPreferences', err);
  }
  return transceiver;
}
