// Local camera and microphone. Failures never block joining: the caller gets
// a (possibly empty) stream plus a human-readable message to show.

const VIDEO = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } };
// The camera and microphone chosen in this browser tab (deviceIds), kept for its session.
const CHOICE_KEY = { audio: 'chorus.mic', video: 'chorus.camera' };

let stream = null;
let starting = null; // in-flight start(), so a preview and a Join click share one prompt
let generation = 0; // bumped by stop(), so a start() that finishes after it is discarded
let kinds = { audio: true, video: true }; // what this page may publish (its join token's perms.publish)
const listeners = new Set();

export function onChange(fn) {
  listeners.add(fn);
}

function notify() {
  for (const fn of listeners) fn(getState());
}

// Only ask for the kinds this page may publish: a join token without "audio" (or
// "video") in perms.publish would have the server refuse that line. Call before start().
export function limitTo({ audio, video }) {
  kinds = { audio: Boolean(audio), video: Boolean(video) };
}

export function getLocalStream() {
  return stream;
}

export function getState() {
  const a = stream?.getAudioTracks()[0];
  const v = stream?.getVideoTracks()[0];
  return {
    hasAudio: Boolean(a),
    hasVideo: Boolean(v),
    audioMuted: !a || !a.enabled,
    videoMuted: !v || !v.enabled,
  };
}

// `what` names the device(s) that failed, so partial failures read naturally.
export function describeMediaError(err, what = 'camera or microphone') {
  switch (err?.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return `Access to your ${what} was blocked. Allow it in your browser's site settings and reload; you can still join and chat without it.`;
    case 'NotFoundError':
    case 'OverconstrainedError':
      return `No ${what} was found. You can still join, listen and chat.`;
    case 'NotReadableError':
    case 'AbortError':
      return `Your ${what} is in use by another application or failed to start. Close the other app and reload; you can still join and chat without it.`;
    case 'NotSupportedError':
      return 'This browser cannot use a camera or microphone here. You can still join, listen and chat.';
    case 'InsecureContext':
      return 'Camera and microphone need a secure page (https, or http on localhost). You can still join and chat.';
    default:
      return `Could not start your ${what} (${err?.name || 'error'}: ${err?.message || 'unknown'}). You can still join.`;
  }
}

async function tryGet(constraints) {
  try {
    return { stream: await navigator.mediaDevices.getUserMedia(constraints) };
  } catch (error) {
    return { error };
  }
}

// Resolves to {stream, message}; message is null when both devices started.
export function start() {
  if (stream) return Promise.resolve({ stream, message: null });
  if (!starting) {
    const p = doStart().finally(() => {
      if (starting === p) starting = null;
    });
    starting = p;
  }
  return starting;
}

function chosen(kind) {
  try {
    return sessionStorage.getItem(CHOICE_KEY[kind]) || null;
  } catch {
    return null; // storage off: the browser's default device
  }
}

function remember(kind, deviceId) {
  try {
    sessionStorage.setItem(CHOICE_KEY[kind], deviceId);
  } catch {
    // Storage off: the choice lasts as long as the track.
  }
}

function forgetChoices() {
  try {
    for (const key of Object.values(CHOICE_KEY)) sessionStorage.removeItem(key);
  } catch {
    // Storage off: nothing was kept.
  }
}

// Constraints for one kind, on the chosen device if there is one. Exact: as an
// ideal, the browser weighs it against the size and rate wanted and may well
// pick another device.
function constraintsFor(kind, deviceId = chosen(kind)) {
  const base = kind === 'video' ? { ...VIDEO } : {};
  if (deviceId) base.deviceId = { exact: deviceId };
  return Object.keys(base).length ? base : true;
}

function watchEnded(track) {
  // A device unplugged mid-call ends its track; reflect that as muted.
  track.addEventListener('ended', () => {
    stream?.removeTrack(track);
    notify();
  });
}

async function doStart() {
  const gen = generation;
  if (!navigator.mediaDevices?.getUserMedia) {
    // Browsers hide mediaDevices on insecure pages (http other than localhost).
    const name = window.isSecureContext ? 'NotSupportedError' : 'InsecureContext';
    const err = { name, message: 'navigator.mediaDevices is not available in this browser.' };
    return { stream: null, message: describeMediaError(err) };
  }

  const want = (kind) => (kinds[kind] ? constraintsFor(kind) : false);
  let result = await tryGet({ audio: want('audio'), video: want('video') });
  const gone = ['OverconstrainedError', 'NotFoundError'].includes(result.error?.name);
  if (gone && (chosen('audio') || chosen('video'))) {
    // A device chosen earlier in this tab is gone: back to the browser's defaults.
    forgetChoices();
    result = await tryGet({ audio: want('audio'), video: want('video') });
  }
  let message = null;
  if (result.error && kinds.audio && kinds.video
    && result.error.name !== 'NotAllowedError' && result.error.name !== 'SecurityError') {
    // One missing or busy device should not cost the user the other one.
    const audio = await tryGet({ audio: constraintsFor('audio') });
    const video = await tryGet({ video: constraintsFor('video') });
    if (audio.stream || video.stream) {
      const tracks = [...(audio.stream?.getTracks() ?? []), ...(video.stream?.getTracks() ?? [])];
      result = { stream: new MediaStream(tracks) };
      message = audio.stream
        ? describeMediaError(video.error, 'camera')
        : describeMediaError(audio.error, 'microphone');
    }
  }
  if (result.error) {
    notify();
    return { stream: null, message: describeMediaError(result.error) };
  }

  if (gen !== generation) {
    for (const track of result.stream.getTracks()) track.stop();
    return { stream: null, message: null };
  }
  stream = result.stream;
  for (const track of stream.getTracks()) watchEnded(track);
  notify();
  return { stream, message };
}

export function stop() {
  generation++;
  starting = null;
  if (!stream) return;
  for (const track of stream.getTracks()) track.stop();
  stream = null;
  notify();
}

// kind: "audio" | "video". Returns the new state.
export function toggle(kind) {
  const track = kind === 'audio' ? stream?.getAudioTracks()[0] : stream?.getVideoTracks()[0];
  if (track) {
    track.enabled = !track.enabled;
    notify();
  }
  return getState();
}

// kind: "audio" | "video": turns the local track on or off (e.g. the server muted it). Returns the new state.
export function setEnabled(kind, enabled) {
  const track = kind === 'audio' ? stream?.getAudioTracks()[0] : stream?.getVideoTracks()[0];
  if (track && track.enabled !== enabled) {
    track.enabled = enabled;
    notify();
  }
  return getState();
}

// The cameras and microphones the browser offers: {audio: [{deviceId, label}], video: [...]}.
// Labels (and often the list itself) only come once the page may use a device.
export async function listDevices() {
  const out = { audio: [], video: [] };
  let all = [];
  try {
    all = await navigator.mediaDevices?.enumerateDevices?.() ?? [];
  } catch {
    return out;
  }
  for (const d of all) {
    const kind = d.kind === 'audioinput' ? 'audio' : d.kind === 'videoinput' ? 'video' : null;
    if (kind && d.deviceId) {
      out[kind].push({ deviceId: d.deviceId, label: d.label || `${kind === 'audio' ? 'Microphone' : 'Camera'} ${out[kind].length + 1}` });
    }
  }
  return out;
}

// The deviceId of the track in use for `kind`, or null.
export function currentDevice(kind) {
  const track = kind === 'audio' ? stream?.getAudioTracks()[0] : stream?.getVideoTracks()[0];
  return track?.getSettings?.().deviceId ?? null;
}

// Switches `kind` ("audio" | "video") to another device: a new track replaces the
// old one in the same stream (listeners then hand it to the peer connection,
// which swaps it on its sender: no renegotiation). Muted stays muted. The choice is
// kept for this tab's session. Resolves to null, or a message when it failed (the
// old device then stays in use).
export async function switchDevice(kind, deviceId) {
  if (!stream || !navigator.mediaDevices?.getUserMedia) return 'Start the camera and microphone first.';
  const old = kind === 'audio' ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0];
  if (old?.getSettings?.().deviceId === deviceId) return null;
  const what = kind === 'audio' ? 'microphone' : 'camera';
  const ask = () => navigator.mediaDevices.getUserMedia({ [kind]: constraintsFor(kind, deviceId) });
  let fresh;
  try {
    fresh = await ask();
  } catch (err) {
    // Some systems (phones) open one camera at a time: free the old one and try again.
    if (!old || (err?.name !== 'NotReadableError' && err?.name !== 'AbortError')) return describeMediaError(err, what);
    old.stop();
    try {
      fresh = await ask();
    } catch (again) {
      stream.removeTrack(old);
      notify();
      return describeMediaError(again, what);
    }
  }
  const track = fresh.getTracks()[0];
  if (!stream) {
    track.stop(); // stopped meanwhile
    return null;
  }
  if (old) {
    track.enabled = old.enabled;
    stream.removeTrack(old);
    old.stop();
  }
  stream.addTrack(track);
  watchEnded(track);
  remember(kind, deviceId);
  notify();
  return null;
}
