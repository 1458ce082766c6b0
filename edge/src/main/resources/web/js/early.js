// Messages shown before their commit. The page's socket asks for them (`/v1/ws?early=1`, README
// "Early delivery"): a `message` frame flagged `tentative` is shown at once, and the server later
// settles every one it sent, on the same socket: `confirmed` (the committed message is this one), a
// committed `message` at that seq (it replaces this one), or `retracted` (it was never committed).
// Until then it is only shown: not acknowledged, not notified, not counted unread, not replied to.
// The server holds at most `delivery.early.max.pending` (4,096 by default) unsettled early frames for
// all its sockets together, so MAX_HELD, the same number, only bounds a page talking to a server set
// higher. A frame dropped at the cap is not lost: its `confirmed` finds nothing held, and the page
// fetches what it missed as after any gap (main.js onConfirmed).
export const MAX_HELD = 4096;

export class EarlyMessages {
  constructor() {
    this.held = new Map(); // "conversation \n seq" -> tentative frame, oldest first
  }

  /** Holds a tentative `message` frame until it is settled. */
  show(frame) {
    const k = key(frame.conversation_id, frame.seq);
    this.held.delete(k); // a second early frame at a seq (a replay) takes the first one's place
    this.held.set(k, frame);
    while (this.held.size > MAX_HELD) this.held.delete(this.held.keys().next().value);
  }

  /**
   * A `confirmed` frame: the held message, as a committed `message` frame, or null when nothing
   * with that id is held at that seq.
   */
  confirm(f) {
    const k = key(f.conversation_id, f.seq);
    const m = this.held.get(k);
    this.held.delete(k);
    if (!m || m.message_id !== f.message_id) return null;
    const { tentative, ...committed } = m;
    return committed;
  }

  /** A committed `message` at that seq, or `retracted`: whatever was shown early there goes. */
  settle(conversationId, seq) {
    return this.held.delete(key(conversationId, seq));
  }

  /** What is shown early in one conversation, by seq. */
  of(conversationId) {
    return [...this.held.values()].filter((m) => m.conversation_id === conversationId).sort((a, b) => a.seq - b.seq);
  }

  /** A new socket: the old one's early frames will never be settled; history has their commits. */
  clear() {
    this.held.clear();
  }
}

function key(conversationId, seq) {
  return conversationId + '\n' + seq;
}
