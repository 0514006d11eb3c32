// The room data relay over WebRTC data channels (signaling/PROTOCOL.md "Data channels").
// Two channels on the SFU connection, opened before the first offer so it carries the
// data-channel line: "chorus" (reliable, ordered) and "chorus-unreliable" (unordered, no
// retransmission: for what is stale once late, e.g. cursors). A message goes out as
// {to?: [ids], data} and arrives at the others as {from, data} on the channel of the same label;
// the SFU answers a message it cannot relay with {error}.
//
// Events: 'message' {detail: {from, data, reliable}}, 'error' {detail: {message}}, 'open'.

export const RELIABLE_LABEL = 'chorus';
export const UNRELIABLE_LABEL = 'chorus-unreliable';

export class RoomData extends EventTarget {
  #reliable;
  #unreliable;

  constructor(pc) {
    super();
    this.#reliable = this.#wire(pc.createDataChannel(RELIABLE_LABEL));
    this.#unreliable = this.#wire(pc.createDataChannel(UNRELIABLE_LABEL, { ordered: false, maxRetransmits: 0 }));
  }

  #wire(channel) {
    channel.addEventListener('open', () => this.dispatchEvent(new CustomEvent('open', { detail: { label: channel.label } })));
    channel.addEventListener('message', (e) => this.#receive(channel, e.data));
    channel.addEventListener('error', (e) => {
      this.dispatchEvent(new CustomEvent('error', { detail: { message: `${channel.label}: ${e.error?.message ?? 'error'}` } }));
    });
    return channel;
  }

  #receive(channel, raw) {
    let msg;
    try {
      msg = JSON.parse(raw);
    } catch {
      console.warn('chorus: data channel message is not JSON', channel.label);
      return;
    }
    if (msg && typeof msg.error === 'string') {
      console.warn('chorus: the server refused a data message:', msg.error);
      this.dispatchEvent(new CustomEvent('error', { detail: { message: msg.error } }));
      return;
    }
    if (!msg || typeof msg.from !== 'string') return;
    this.dispatchEvent(new CustomEvent('message', {
      detail: { from: msg.from, data: msg.data, reliable: channel.label === RELIABLE_LABEL },
    }));
  }

  // True when both channels are open.
  get open() {
    return this.#reliable.readyState === 'open' && this.#unreliable.readyState === 'open';
  }

  // Sends `data` (anything JSON) to everyone else in the room, or only to the ids in `to`.
  // Returns false when the channel is not open yet; throws what RTCDataChannel.send throws
  // (e.g. a message above the SFU's a=max-message-size).
  send(data, { to = null, reliable = true } = {}) {
    const channel = reliable ? this.#reliable : this.#unreliable;
    if (channel.readyState !== 'open') return false;
    channel.send(JSON.stringify(to ? { to, data } : { data }));
    return true;
  }

  // Bytes queued in the browser, per channel.
  get bufferedAmount() {
    return { reliable: this.#reliable.bufferedAmount, unreliable: this.#unreliable.bufferedAmount };
  }

  close() {
    this.#reliable.close();
    this.#unreliable.close();
  }
}
