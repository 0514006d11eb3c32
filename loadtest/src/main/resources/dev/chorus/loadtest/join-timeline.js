// Installed by the join-time harness (JoinTimes.java) into every document before the page's own scripts
// (CDP Page.addScriptToEvaluateOnNewDocument). It changes nothing the page does: it wraps the browser APIs a
// WebRTC client joins through (getUserMedia, WebSocket, RTCPeerConnection, a video element's srcObject) and
// notes, in performance.now() milliseconds since the navigation started, the first time each join stage
// happened. So it times any web client the same way, ours or another SFU's. Read with
// JSON.stringify(window.__chorusJoin).
(() => {
  if (window.__chorusJoin) return;
  // marks: the first time of each stage; remoteFrames: each remote video's first frame; detail: what
  // explains the stages (offers sent, when each offer was created and applied, when each remote video track
  // arrived), for reading one page's join in join.json.
  const t = (window.__chorusJoin = { marks: {}, remoteFrames: [], detail: { offers: [], renegotiate: [], remoteVideoTracks: [] } });
  const now = () => Math.round(performance.now() * 10) / 10;
  const mark = (name) => {
    if (!(name in t.marks)) t.marks[name] = now();
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
        if (type === 'answer') t.detail.offers.filter((o) => o.answer === undefined).forEach((o) => { o.answer = now(); });
        if (type === 'renegotiate') t.detail.renegotiate.push(now());
      });
    }
    send(data) {
      const type = typeOf(data);
      if (type === 'join') mark('joinSent');
      if (type === 'offer') {
        mark('offerSent');
        t.detail.offers.push({ sent: now() });
      }
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
      this.addEventListener('track', (e) => {
        if (e.track.kind !== 'video') return;
        mark('remoteVideoTrack');
        t.detail.remoteVideoTracks.push(now());
      });
    }
    async createOffer(...args) {
      const asked = now();
      const offer = await super.createOffer(...args);
      t.detail.offersCreated = t.detail.offersCreated ?? [];
      t.detail.offersCreated.push([asked, now()]);
      return offer;
    }
    async setLocalDescription(...args) {
      const asked = now();
      await super.setLocalDescription(...args);
      t.detail.localDescriptions = t.detail.localDescriptions ?? [];
      t.detail.localDescriptions.push([asked, now()]);
    }
    async setRemoteDescription(...args) {
      const asked = now();
      await super.setRemoteDescription(...args);
      t.detail.remoteDescriptions = t.detail.remoteDescriptions ?? [];
      t.detail.remoteDescriptions.push([asked, now()]);
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
        t.remoteFrames.push(now());
      });
    },
  });
})();
