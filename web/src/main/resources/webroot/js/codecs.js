// Which codecs this page offers the SFU, and the SDP edits the browser has no API for.

// The SFU answers Opus (with RED, RFC 2198, when offered) and one video codec per
// room, VP8, H264, VP9 or AV1 (sfu/CODECS.md). Offering just those (plus the retransmission
// format) keeps each m= line near 1-2 KB instead of 3-5 KB, which matters: every
// remote track is an m= line, and the whole offer must fit in one signaling message
// (limits.maxMessageBytes). RED repeats each audio frame in the next packet (the
// SFU repeats more towards receivers), so voice survives packet loss; ?red=0
// leaves it out of this page's offers (plain Opus both ways), to compare.
const WANTED_AUDIO = ['audio/opus', 'audio/red'];

// Video: the forms the SFU answers, by ?codec= name. H264 is the one form every
// H264 browser decodes: Constrained Baseline (42e01f) in packetization mode 1.
// VP9 in profile 0 only (8-bit 4:2:0, what the SFU answers), offered only when
// forced (?codec=vp9): it then carries the camera as one scalable encoding
// (cameraEncodings) instead of simulcast. AV1 likewise (?codec=av1), profile 0,
// its layers described by the Dependency Descriptor header extension.
const VIDEO_FORMS = {
  vp8: (c) => c.mimeType.toLowerCase() === 'video/vp8',
  h264: (c) => c.mimeType.toLowerCase() === 'video/h264'
    && /(^|;)\s*packetization-mode=1(;|$)/.test(c.sdpFmtpLine ?? '')
    && /(^|;)\s*profile-level-id=42e01f(;|$)/i.test(c.sdpFmtpLine ?? ''),
  vp9: (c) => c.mimeType.toLowerCase() === 'video/vp9'
    && /(^|;)\s*profile-id=0(;|$)/.test(c.sdpFmtpLine ?? 'profile-id=0'),
  av1: (c) => c.mimeType.toLowerCase() === 'video/av1'
    && /(^|;)\s*profile=0(;|$)/.test(c.sdpFmtpLine ?? 'profile=0'),
};
// What a page offers unless forced: every line stays small (VP9 or AV1 would add its own RTX too).
const DEFAULT_VIDEO = ['vp8', 'h264'];

// VP9 and AV1 SVC (sfu/CODECS.md): three spatial layers (each half the size of the next)
// and three temporal layers in one encoding; KEY: the upper spatial layers
// depend on the lower ones only at keyframes, so the SFU can forward any lower
// spatial layer alone to a subscriber.
const SVC_SCALABILITY_MODE = 'L3T3_KEY';
const SVC_CODECS = ['vp9', 'av1'];

// The camera's sendEncodings for `codec` when it is sent as one scalable
// encoding, else null (one stream, or simulcast layers).
export function cameraEncodings(codec) {
  return SVC_CODECS.includes(codec) ? [{ scalabilityMode: SVC_SCALABILITY_MODE }] : null;
}

// The video codecs this page offers: DEFAULT_VIDEO (the room then picks one every
// participant decodes), or only `forced` (?codec=h264, vp8, vp9 or av1): to
// this server the browser then decodes nothing else, so the room moves to that
// codec if everyone else can decode it, and refuses this page otherwise
// (unsupported_codec). An unknown name is ignored with a warning.
export function videoCodecNames(forced = null) {
  if (forced == null || forced === '') return DEFAULT_VIDEO;
  if (Object.keys(VIDEO_FORMS).includes(forced)) return [forced];
  console.warn(`chorus: ?codec=${forced} is not one of ${Object.keys(VIDEO_FORMS).join(', ')}; offering ${DEFAULT_VIDEO.join(', ')}`);
  return DEFAULT_VIDEO;
}

// The offer with usedtx=1 added to every Opus fmtp (Opus DTX, RFC 7587): the SFU
// answers it back, and the browser then sends one packet per 400 ms while the
// microphone is silent instead of 50. Chrome has no API for it but the SDP.
export function withDtx(sdp) {
  const opus = new Set([...sdp.matchAll(/^a=rtpmap:(\d+) opus\/48000/gim)].map((m) => m[1]));
  return sdp.replace(/^(a=fmtp:(\d+) )(.*)$/gm, (line, head, pt, params) =>
    opus.has(pt) && !/(^|;)\s*usedtx=/.test(params) ? `${head}${params};usedtx=1` : line);
}

// The transceiver, its offered codecs cut down to what the SFU answers: Opus (and
// RED unless `red` is false) for audio, the forms of `videoCodecs` (videoCodecNames)
// and RTX for video.
export function preferCodecs(transceiver, red = true, videoCodecs = videoCodecNames()) {
  const kind = transceiver.receiver.track.kind;
  const wanted = kind === 'audio'
    ? (c) => WANTED_AUDIO.includes(c.mimeType.toLowerCase()) && (red || c.mimeType.toLowerCase() !== 'audio/red')
    : (c) => c.mimeType.toLowerCase() === 'video/rtx' || videoCodecs.some((name) => VIDEO_FORMS[name](c));
  try {
    const codecs = (RTCRtpReceiver.getCapabilities?.(kind)?.codecs ?? []).filter(wanted);
    if (codecs.some((c) => c.mimeType.toLowerCase() !== 'video/rtx')) {
      transceiver.setCodecPreferences(codecs);
    } else if (kind === 'video') {
      // E.g. ?codec=h264 in a browser without that H264 form (Firefox here): it offers all it has instead.
      console.warn(`chorus: this browser cannot send or receive ${videoCodecs.join(', ')}; offering its own codecs`);
    }
  } catch (err) {
    // Older browsers: the full list is still answerable, only larger.
    console.warn('chorus: setCodecPreferences', err);
  }
  if (kind === 'video' && videoCodecs.includes('av1')) negotiateDependencyDescriptor(transceiver);
  return transceiver;
}

// AV1's layers travel in the Dependency Descriptor header extension. Chromium offers
// it on a sending line but not on a receive-only one (it is "stopped" there), and
// without it a receiver cannot place an SVC stream's frames: nothing is decoded.
const DEPENDENCY_DESCRIPTOR =
  'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension';

function negotiateDependencyDescriptor(transceiver) {
  if (!transceiver.getHeaderExtensionsToNegotiate || !transceiver.setHeaderExtensionsToNegotiate) return;
  try {
    const extensions = transceiver.getHeaderExtensionsToNegotiate().map((e) =>
      e.uri === DEPENDENCY_DESCRIPTOR && e.direction === 'stopped' ? { ...e, direction: 'sendrecv' } : e);
    transceiver.setHeaderExtensionsToNegotiate(extensions);
  } catch (err) {
    console.warn('chorus: setHeaderExtensionsToNegotiate', err);
  }
}
