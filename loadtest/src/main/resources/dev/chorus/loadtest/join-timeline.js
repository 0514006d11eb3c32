// Installed by the join-time harness (JoinTimes.java) into every document before the page's own scripts
// (CDP Page.addScriptToEvaluateOnNewDocument). It changes nothing the page does: it wraps the browser APIs a
// WebRTC client joins through (getUserMedia, WebSocket, RTCPeerConnection, a video element's srcObject) and
// notes, in performance.now() milliseconds since the navigation started, the first time each join stage
// happened. So it times any web client the same way, ours or another SFU's. Read with
// JSON.stringify(window.__chorusJoin).
(() => {
  if (window.__chorusJoin) return;
  const t = (window.__chorusJoin = { marks: {}, remoteFrames: [] });
  const mark = (name) => {
    if (!(name in t.marks)) t.marks[name] = Math.round(performance.now() * 10) / 10;
  };
  const localTracks = new WeakSet();

  const md = navigator.mediaDevices;
  if (md && md.getUserMedia) {
    const getUserMedia = md.getUserMedia.bind(md);
    md.getUserMedia = async (constraints) => {
      mark('cameraAsked');
      const stream = await getUserMedia(constraints);
      stream.getTracks().forEach((track) => localTracks.add(track));
      mark('camera');
      return stream;
    };
  }

  const typeOf = (data) => {
    try {
      return typeof data === 'string' ? JSON.parse(data).type : null;
    } catch (e) {
      return null;
    }
  };
  const NativeWebSocket = window.WebSocket;
  class TimedWebSocket extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      mark('wsCreated');
      this.addEventListener('open', () => mark('wsOpen'));
      this.addEventListener('message', (e) => {
        const type = typeOf(e.data);
        if (type === 'joined' || type === 'answer') mark(type);
      });
    }
    send(data) {
      const type = typeOf(data);
      if (type === 'join') mark('joinSent');
      if (type === 'offer') mark('offerSent');
      return super.send(data);
    }
  }
  window.WebSocket = TimedWebSocket;

  const NativePeerConnection = window.RTCPeerConnection;
  class TimedPeerConnection extends NativePeerConnection {
    constructor(...args) {
      super(...args);
      mark('peerConnection');
      this.addEventListener('icecandidate', (e) => { if (e.candidate) mark('firstLocalCandidate'); });
      this.addEventListener('iceconnectionstatechange', () => {
        if (this.iceConnectionState === 'connected' || this.iceConnectionState === 'completed') mark('iceConnected');
      });
      this.addEventListener('connectionstatechange', () => {
        if (this.connectionState === 'connected') mark('dtlsConnected');
      });
      this.addEventListener('track', (e) => { if (e.track.kind === 'video') mark('remoteVideoTrack'); });
    }
  }
  window.RTCPeerConnection = TimedPeerConnection;

  // A video element given a stream with a video track that getUserMedia did not make shows a remote video:
  // the first presented frame of each such element goes into remoteFrames, the earliest is firstRemoteFrame.
  const srcObject = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'srcObject');
  const watched = new WeakSet();
  Object.defineProperty(HTMLMediaElement.prototype, 'srcObject', {
    configurable: true,
    enumerable: srcObject.enumerable,
    get() {
      return srcObject.get.call(this);
    },
    set(stream) {
      srcObject.set.call(this, stream);
      const remote = stream && stream.getVideoTracks && stream.getVideoTracks().some((tr) => !localTracks.has(tr));
      if (!(this instanceof HTMLVideoElement) || !remote || watched.has(this)) return;
      watched.add(this);
      this.requestVideoFrameCallback(() => {
        mark('firstRemoteFrame');
        t.remoteFrames.push(Math.round(performance.now() * 10) / 10);
      });
    },
  });
})();
