// Local camera and microphone. Failures never block joining: the caller gets
// a (possibly empty) stream plus a human-readable message to show.

const VIDEO = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } };

let stream = null;
let starting = null; // in-flight start(), so a preview and a Join click share one prompt
let generation = 0; // bumped by stop(), so a start() that finishes after it is discarded
const listeners = new Set();

export function onChange(fn) {
  listeners.add(fn);
}

function notify() {
  for (const fn of listeners) fn(getState());
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

async function doStart() {
  const gen = generation;
  if (!navigator.mediaDevices?.getUserMedia) {
    // Browsers hide mediaDevices on insecure pages (http other than localhost).
    const name = window.isSecureContext ? 'NotSupportedError' : 'InsecureContext';
    const err = { name, message: 'navigator.mediaDevices is not available in this browser.' };
    return { stream: null, message: describeMediaError(err) };
  }

  let result = await tryGet({ audio: true, video: VIDEO });
  let message = null;
  if (result.error && result.error.name !== 'NotAllowedError' && result.error.name !== 'SecurityError') {
    // One missing or busy device should not cost the user the other one.
    const audio = await tryGet({ audio: true });
    const video = await tryGet({ video: VIDEO });
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
  for (const track of stream.getTracks()) {
    // A device unplugged mid-call ends its track; reflect that as muted.
    track.addEventListener('ended', () => {
      stream?.removeTrack(track);
      notify();
    });
  }
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
