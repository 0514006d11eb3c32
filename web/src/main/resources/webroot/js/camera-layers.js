// The camera's simulcast layers (sfu/CODECS.md) and which of them are on: pure
// functions, so peer.js keeps to the offer/answer and the transceivers.

// Layers lowest first, as the SFU expects. How many depends on the camera's
// height, as Chromium's own limits do (fewer lines than this and the browser
// would not send the extra layers anyway).
const SIMULCAST_LAYERS = [
  { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'f', scaleResolutionDownBy: 1, maxBitrate: 1_500_000 },
];

// `height`: the camera's, or for a camera still starting the height asked of it.
export function simulcastEncodings(track, height = track?.getSettings?.().height ?? 0) {
  const layers = height >= 540 ? 3 : height >= 270 ? 2 : 1;
  return layers > 1 ? SIMULCAST_LAYERS.slice(3 - layers).map((e) => ({ ...e })) : null;
}

// Which of `layers` camera layers are on: those the server wants (`wanted[i]`,
// lowest first; null: all), and below simulcastFrom (`roomLarge` false) only the
// highest of them: one stream, as large as anybody wants.
export function cameraActivity(layers, wanted, roomLarge) {
  const on = Array.from({ length: layers }, (_, i) => wanted?.[i] !== false);
  if (roomLarge) return on;
  const top = Math.max(0, on.lastIndexOf(true));
  return on.map((_, i) => i === top);
}
