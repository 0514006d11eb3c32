// WebSocket client for the Chorus signaling protocol (signaling/PROTOCOL.md).
// Emits one DOM event per server message type (e.g. "chat", "participant-joined")
// plus "rtt", "reconnecting", "reconnect-failed", "resumed" and "close".
//
// Once joined it survives a dropped socket: it keeps the resume token from
// "joined", and when the socket drops unexpectedly it says "reconnecting",
// opens new sockets with backoff within the server's grace period and sends
// "resume" with the msgSeq of the last message it processed. The server then
// answers "resumed" and replays what this client missed, in order; an offer
// still waiting for its answer is sent again. Listeners see one continuous
// stream of events. Only when that fails does "close" fire, with
// detail.resumeRefused set when the server refused the resume (the caller
// then joins afresh), or detail.unreachable when no server answered within
// the grace period (the caller may keep trying to join afresh).

const REQUEST_TIMEOUT_MS = 10000;
const DEFAULT_KEEPALIVE_MS = 10000;
const CONNECT_TIMEOUT_MS = 30000;
// A reconnect attempt whose socket is not welcomed within this is given up for the next one.
const RECONNECT_ATTEMPT_MS = 5000;
// How long to wait for "resumed". Generous: giving up on a resume the server did carry out
// spends the token, and the next attempt is refused (resume_used) and joins afresh.
const RESUME_ANSWER_MS = 10000;
// Delays before each reconnect attempt (then the last one again), jittered by
// +-20% so that many clients dropped at once do not come back in lockstep.
const RECONNECT_DELAYS_MS = [0, 500, 1000, 2000, 4000];
// A connection that fails this fast was refused: no server listens there now.
const REFUSED_WITHIN_MS = 300;
// Close codes after which resuming is pointless: the server is going away
// (its participants leave at once), or another socket took this participant.
const NO_RESUME_CODES = new Set([1001, 4001]);

const CLOSE_REASONS = {
  1000: 'The server closed the connection.',
  1001: 'The server is going away (restart or shutdown).',
  1006: 'The connection to the server was lost.',
  1008: 'The server dropped this connection because it fell behind.',
  1009: 'A message was too large for the server.',
  4000: 'The connection timed out (no keepalive).',
  4001: 'This session continued in another connection.',
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

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

function parse(data) {
  try {
    const msg = JSON.parse(data);
    return msg && typeof msg.type === 'string' ? msg : null;
  } catch {
    console.warn('chorus: ignoring non-JSON frame', data);
    return null;
  }
}

export class Signaling extends EventTarget {
  #conn = null; // {ws, welcome, queue, adopted, onQueued} of the socket in use
  #url = null;
  #nextId = 1;
  #pending = new Map(); // id -> {msg, resolve, reject, timer, timeoutMs}
  #pingTimer = null;
  #closedByUs = false;
  #resume = null; // {token, graceMs} from the last "joined" or "resumed"
  #lastMsgSeq = 0; // msgSeq of the last numbered message processed
  #reconnecting = false;
  #outbox = []; // candidates and the last view report, sent while reconnecting: they go out after the resume
  welcome = null;

  // Resolves with the welcome message; rejects if the socket closes first.
  async connect(url = signalingUrl()) {
    this.#url = url;
    let conn;
    try {
      conn = await this.#open(url, CONNECT_TIMEOUT_MS);
    } catch (err) {
      throw err.code === 'connect_failed' ? err : new SignalingError('connect_failed', err.message);
    }
    this.welcome = conn.welcome;
    if (conn.welcome.protocol !== 1) console.warn('chorus: server speaks protocol', conn.welcome.protocol);
    this.#adopt(conn);
    return conn.welcome;
  }

  get open() {
    return !this.#reconnecting && this.#conn !== null && this.#conn.ws.readyState === WebSocket.OPEN;
  }

  get reconnecting() {
    return this.#reconnecting;
  }

  // Fire-and-forget (chat, mute). Errors come back as an "error" event. While
  // reconnecting, ICE candidates and the latest view report wait for the resume;
  // anything else is not sent (returns false).
  send(msg) {
    if (this.#reconnecting && (msg.type === 'candidate' || msg.type === 'view')) {
      if (msg.type === 'view') this.#outbox = this.#outbox.filter((m) => m.type !== 'view');
      this.#outbox.push(msg);
      return true;
    }
    if (!this.open) return false;
    this.#conn.ws.send(JSON.stringify(msg));
    return true;
  }

  // For messages with a direct answer (join, leave, ping, offer): resolves with
  // it, rejects with a SignalingError when the answer is `error`. An offer
  // survives a resume (it is sent again); the others fail when the socket drops.
  request(msg, timeoutMs = REQUEST_TIMEOUT_MS) {
    const waits = this.#reconnecting && msg.type === 'offer'; // sent once resumed
    if (!this.open && !waits) {
      return Promise.reject(new SignalingError('closed', 'Not connected to the server.'));
    }
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const p = { msg, resolve, reject, timer: null, timeoutMs };
      this.#pending.set(id, p);
      if (!waits) this.#sendPending(id, p);
    });
  }

  close() {
    this.#stopPing();
    this.#closedByUs = true;
    const ws = this.#conn?.ws;
    if (ws && ws.readyState <= WebSocket.OPEN) ws.close(1000, 'bye');
    if (this.#reconnecting) {
      this.#reconnecting = false;
      this.#rejectPending(() => true, new SignalingError('closed', 'Left while reconnecting.'));
    }
  }

  #sendPending(id, p) {
    this.#armTimeout(id, p, p.timeoutMs);
    this.#conn.ws.send(JSON.stringify({ ...p.msg, id }));
  }

  #armTimeout(id, p, ms) {
    clearTimeout(p.timer);
    p.timer = setTimeout(() => {
      this.#pending.delete(id);
      p.reject(new SignalingError('timeout', `No answer to "${p.msg.type}" from the server.`));
    }, ms);
  }

  #rejectPending(which, err) {
    for (const [id, p] of [...this.#pending]) {
      if (!which(p)) continue;
      clearTimeout(p.timer);
      this.#pending.delete(id);
      p.reject(err);
    }
  }

  // Opens one socket; resolves with its connection once welcomed. Until it is
  // adopted, its messages wait in conn.queue.
  #open(url, timeoutMs) {
    return new Promise((resolve, reject) => {
      let ws;
      try {
        ws = new WebSocket(url);
      } catch (err) {
        reject(new SignalingError('connect_failed', `Cannot open ${url}: ${err.message}`));
        return;
      }
      const conn = { ws, welcome: null, queue: [], adopted: false, onQueued: null };
      const timer = setTimeout(() => {
        ws.close();
        reject(new SignalingError('connect_failed', 'The Chorus server did not answer in time.'));
      }, timeoutMs);
      ws.addEventListener('message', (ev) => {
        const msg = parse(ev.data);
        if (!msg) return;
        if (!conn.welcome) {
          if (msg.type !== 'welcome') return;
          conn.welcome = msg;
          clearTimeout(timer);
          resolve(conn);
          return;
        }
        if (conn.adopted) {
          this.#onMessage(msg);
        } else {
          conn.queue.push(msg);
          conn.onQueued?.();
        }
      });
      ws.addEventListener('close', (ev) => {
        clearTimeout(timer);
        if (!conn.welcome) {
          reject(new SignalingError('connect_failed', `Could not reach the Chorus server (close code ${ev.code}). Check that it is running and try again.`));
        } else if (conn.adopted && this.#conn === conn) {
          this.#onClose(ev);
        } else {
          conn.onQueued?.();
        }
      });
    });
  }

  #adopt(conn) {
    this.#conn = conn;
    conn.adopted = true;
    this.#startPing(conn.welcome.keepaliveIntervalMs);
    for (const msg of conn.queue.splice(0)) this.#onMessage(msg);
  }

  #onMessage(msg) {
    if (typeof msg.msgSeq === 'number') {
      if (msg.msgSeq <= this.#lastMsgSeq) return; // already processed before a resume
      this.#lastMsgSeq = msg.msgSeq;
    }
    if (msg.type === 'joined') this.#resume = msg.resume ?? null;
    if (msg.type === 'left' && msg.re === undefined) this.#resume = null; // removed: nothing to resume
    this.#dispatch(msg);
  }

  #onClose(ev) {
    this.#stopPing();
    const message = describeClose(ev.code, ev.reason);
    if (!this.#closedByUs && this.#resume && !NO_RESUME_CODES.has(ev.code)) {
      // Offers wait for the resume (and are sent again); other requests fail now.
      this.#rejectPending((p) => p.msg.type !== 'offer', new SignalingError('closed', message));
      for (const p of this.#pending.values()) clearTimeout(p.timer);
      this.#reconnecting = true;
      this.dispatchEvent(new CustomEvent('reconnecting', { detail: { code: ev.code, reason: ev.reason, message } }));
      this.#reconnect(message);
      return;
    }
    this.#end({ code: ev.code, reason: ev.reason, byUs: this.#closedByUs, message });
  }

  // The session is over: fail what waits and say "close".
  #end(detail) {
    this.#reconnecting = false;
    this.#outbox = [];
    this.#rejectPending(() => true, new SignalingError('closed', detail.message));
    this.dispatchEvent(new CustomEvent('close', { detail }));
  }

  async #reconnect(message) {
    const startedAt = performance.now();
    const deadline = Date.now() + (Number.isFinite(this.#resume.graceMs) ? this.#resume.graceMs : 20000);
    for (let attempt = 0; ; attempt++) {
      const base = RECONNECT_DELAYS_MS[Math.min(attempt, RECONNECT_DELAYS_MS.length - 1)];
      const delay = base * (0.8 + 0.4 * Math.random());
      if (Date.now() + delay >= deadline) break;
      await sleep(delay);
      if (this.#closedByUs) return;
      let conn;
      const tried = performance.now();
      try {
        conn = await this.#open(this.#url, Math.min(RECONNECT_ATTEMPT_MS, Math.max(1, deadline - Date.now())));
      } catch {
        // Refused at once (no process on the port) or not reached in time (the network).
        const refused = performance.now() - tried < REFUSED_WITHIN_MS;
        this.dispatchEvent(new CustomEvent('reconnect-failed', { detail: { attempt, refused } }));
        if (this.#closedByUs) return;
        continue; // unreachable for now: try again
      }
      if (this.#closedByUs) {
        conn.ws.close(1000, 'bye');
        return;
      }
      let answer;
      try {
        answer = await this.#resumeOn(conn);
      } catch (err) {
        conn.ws.close(1000, 'resume failed');
        if (err.code === 'closed' || err.code === 'timeout') continue; // this socket failed too
        this.#end({ code: null, reason: err.code, byUs: false, resumeRefused: true, resumeCode: err.code,
          message: `${message} Could not resume: ${err.message}` });
        return;
      }
      this.#resume = answer.resume ?? null;
      this.#reconnecting = false;
      this.welcome = conn.welcome;
      this.dispatchEvent(new CustomEvent('resumed', {
        detail: { ...answer, attempts: attempt + 1, millis: performance.now() - startedAt },
      }));
      this.#adopt(conn); // replays what was missed, in order
      for (const [id, p] of this.#pending) this.#sendPending(id, p); // offers whose answers were lost
      for (const m of this.#outbox.splice(0)) this.send(m);
      return;
    }
    this.#end({ code: 1006, reason: '', byUs: false, resumeRefused: false, unreachable: true,
      message: `${message} Could not reconnect within the grace period.` });
  }

  // Sends "resume" on a welcomed socket; resolves with "resumed", rejects with
  // the server's error (resume_*) or when the socket fails first.
  #resumeOn(conn) {
    const id = this.#nextId++;
    conn.ws.send(JSON.stringify({ type: 'resume', id, token: this.#resume.token, lastMsgSeq: this.#lastMsgSeq }));
    return new Promise((resolve, reject) => {
      const done = (fn, value) => {
        clearTimeout(timer);
        conn.onQueued = null;
        fn(value);
      };
      const timer = setTimeout(() => done(reject, new SignalingError('timeout', 'No answer to "resume".')),
        RESUME_ANSWER_MS);
      conn.onQueued = () => {
        const i = conn.queue.findIndex((m) => m.re === id);
        if (i >= 0) {
          const m = conn.queue.splice(i, 1)[0];
          if (m.type === 'error') done(reject, new SignalingError(m.code, m.message, m.field));
          else done(resolve, m);
        } else if (conn.ws.readyState >= WebSocket.CLOSING) {
          done(reject, new SignalingError('closed', 'The connection closed during the resume.'));
        }
      };
      conn.onQueued(); // it may have closed already
    });
  }

  #dispatch(msg) {
    if (msg.type === 'queued' && this.#pending.has(msg.re)) {
      // A busy server lets joins in at its own pace: this one waits its turn, as long again as usual on top.
      this.#armTimeout(msg.re, this.#pending.get(msg.re), REQUEST_TIMEOUT_MS + (Number(msg.waitMs) || 0));
      this.dispatchEvent(new CustomEvent('queued', { detail: msg }));
      return;
    }
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
