// WebSocket client for the Chorus signaling protocol (signaling/PROTOCOL.md).
// Emits one DOM event per server message type (e.g. "chat", "participant-joined")
// plus "rtt" and "close". It never reconnects on its own: the UI decides when.

const REQUEST_TIMEOUT_MS = 10000;
const DEFAULT_KEEPALIVE_MS = 10000;

const CLOSE_REASONS = {
  1000: 'The server closed the connection.',
  1001: 'The server is going away (restart or shutdown).',
  1006: 'The connection to the server was lost.',
  1008: 'The server dropped this connection because it fell behind.',
  1009: 'A message was too large for the server.',
  4000: 'The connection timed out (no keepalive).',
};

export function describeClose(code, reason) {
  const text = CLOSE_REASONS[code] || 'The connection to the server closed.';
  return reason ? `${text} (${code}: ${reason})` : `${text} (code ${code})`;
}

export function signalingUrl(loc = window.location) {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}/ws`;
}

export class SignalingError extends Error {
  constructor(code, message, field) {
    super(message);
    this.code = code;
    this.field = field;
  }
}

export class Signaling extends EventTarget {
  #ws = null;
  #nextId = 1;
  #pending = new Map(); // id -> {resolve, reject, timer}
  #pingTimer = null;
  #closedByUs = false;
  welcome = null;

  // Resolves with the welcome message; rejects if the socket closes first.
  connect(url = signalingUrl()) {
    return new Promise((resolve, reject) => {
      let ws;
      try {
        ws = new WebSocket(url);
      } catch (err) {
        reject(new SignalingError('connect_failed', `Cannot open ${url}: ${err.message}`));
        return;
      }
      this.#ws = ws;
      let welcomed = false;

      ws.addEventListener('message', (ev) => {
        let msg;
        try {
          msg = JSON.parse(ev.data);
        } catch {
          console.warn('chorus: ignoring non-JSON frame', ev.data);
          return;
        }
        if (!msg || typeof msg.type !== 'string') return;
        if (msg.type === 'welcome' && !welcomed) {
          welcomed = true;
          this.welcome = msg;
          if (msg.protocol !== 1) console.warn('chorus: server speaks protocol', msg.protocol);
          this.#startPing(msg.keepaliveIntervalMs);
          resolve(msg);
          return;
        }
        this.#dispatch(msg);
      });

      ws.addEventListener('close', (ev) => {
        this.#stopPing();
        const err = new SignalingError('closed', describeClose(ev.code, ev.reason));
        for (const p of this.#pending.values()) {
          clearTimeout(p.timer);
          p.reject(err);
        }
        this.#pending.clear();
        if (!welcomed) {
          reject(new SignalingError('connect_failed', `Could not reach the Chorus server (close code ${ev.code}). Check that it is running and try again.`));
          return;
        }
        this.dispatchEvent(new CustomEvent('close', {
          detail: { code: ev.code, reason: ev.reason, byUs: this.#closedByUs, message: err.message },
        }));
      });
    });
  }

  get open() {
    return this.#ws !== null && this.#ws.readyState === WebSocket.OPEN;
  }

  // Fire-and-forget (chat, mute). Errors come back as an "error" event.
  send(msg) {
    if (!this.open) return false;
    this.#ws.send(JSON.stringify(msg));
    return true;
  }

  // For messages with a direct answer (join, leave, ping): resolves with it,
  // rejects with a SignalingError when the answer is `error`.
  request(msg, timeoutMs = REQUEST_TIMEOUT_MS) {
    if (!this.open) {
      return Promise.reject(new SignalingError('closed', 'Not connected to the server.'));
    }
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new SignalingError('timeout', `No answer to "${msg.type}" from the server.`));
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      this.#ws.send(JSON.stringify({ ...msg, id }));
    });
  }

  close() {
    this.#stopPing();
    if (this.#ws && this.#ws.readyState <= WebSocket.OPEN) {
      this.#closedByUs = true;
      this.#ws.close(1000, 'bye');
    }
  }

  #dispatch(msg) {
    if (msg.re !== undefined && this.#pending.has(msg.re)) {
      const p = this.#pending.get(msg.re);
      this.#pending.delete(msg.re);
      clearTimeout(p.timer);
      if (msg.type === 'error') p.reject(new SignalingError(msg.code, msg.message, msg.field));
      else p.resolve(msg);
      return;
    }
    this.dispatchEvent(new CustomEvent(msg.type, { detail: msg }));
  }

  // The server already pings at the WebSocket level; this app-level ping only
  // measures round-trip time so the status line can show connection quality.
  #startPing(intervalMs) {
    this.#stopPing();
    const every = Number.isFinite(intervalMs) && intervalMs > 0 ? intervalMs : DEFAULT_KEEPALIVE_MS;
    this.#pingTimer = setInterval(() => {
      const ts = Date.now();
      this.request({ type: 'ping', ts }, every).then(
        (pong) => this.dispatchEvent(new CustomEvent('rtt', { detail: Date.now() - (pong.ts ?? ts) })),
        () => {}, // a missed pong is not fatal; the server's timeout decides
      );
    }, every);
  }

  #stopPing() {
    clearInterval(this.#pingTimer);
    this.#pingTimer = null;
  }
}
