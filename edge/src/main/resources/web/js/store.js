// What the page knows of one conversation. Messages are held by seq, so a message seen twice (live
// and again from history, or a resend answered with its original seq) is one message, and a hole
// between the held seqs is visible: `contiguousTo` is the highest seq up to which nothing is
// missing, and everything after it is fetched from history by seq.
export class Conversation {
  constructor(id) {
    this.id = id;
    this.type = null;
    this.name = null;
    this.members = new Map(); // user id -> {user_id, username, display_name}
    this.admins = new Set();
    this.receipts = new Map(); // user id -> {delivered, read}
    this.messages = new Map(); // seq -> message frame
    this.pending = new Map(); // client id -> {id, body, reply_to, ts, failed}
    this.reactions = new Map(); // seq -> Map(emoji -> Set(user))
    this.typing = new Map(); // user id -> expiry timer
    this.unfolded = new Set(); // seqs of long messages the reader opened with "Read more"
    this.loaded = false; // the newest page has been read
    this.lowest = null; // lowest seq held
    this.contiguousTo = 0;
    this.olderCursor = null; // `before` cursor of the next older page, null when none
    this.lastSeq = 0;
    this.lastActivity = 0;
    this.unread = 0;
    this.read = 0; // my read watermark
    this.preview = null; // {sender, body}
    this.detailsLoaded = false;
  }

  /** Adds a message; true if it is new. */
  add(message) {
    if (this.messages.has(message.seq)) return false;
    this.messages.set(message.seq, message);
    if (message.reactions && !this.reactions.has(message.seq)) { // history carries them; live frames do not
      this.reactions.set(message.seq,
        new Map(message.reactions.map(({ emoji, users }) => [emoji, new Set(users)])));
    }
    if (this.lowest === null || message.seq < this.lowest) this.lowest = message.seq;
    while (this.messages.has(this.contiguousTo + 1)) this.contiguousTo++;
    this.noteLast(message);
    return true;
  }

  noteLast(message) {
    if (message.seq >= this.lastSeq) {
      this.lastSeq = message.seq;
      this.preview = { sender: message.sender, body: previewText(message) };
      if (message.ts) this.lastActivity = Math.max(this.lastActivity, message.ts);
    }
  }

  /** A page read as the newest: the held range starts at its first seq. */
  startAt(page) {
    const first = page.messages.length > 0 ? page.messages[0].seq : null;
    if (first !== null) this.contiguousTo = Math.max(this.contiguousTo, first - 1);
    page.messages.forEach((m) => this.add(m));
    this.olderCursor = page.next;
    this.loaded = true;
  }

  hasGap() {
    return this.loaded && this.lastSeq > this.contiguousTo;
  }

  sorted() {
    return [...this.messages.values()].sort((a, b) => a.seq - b.seq);
  }

  displayName(userId) {
    const m = this.members.get(userId);
    return m ? (m.display_name || m.username) : null;
  }

  title(me) {
    if (this.type === 'group' || this.name) return this.name || 'Group';
    const peer = this.peer(me);
    return (peer && this.displayName(peer)) || 'Direct chat';
  }

  peer(me) {
    if (this.type !== 'direct') return null;
    for (const id of this.members.keys()) if (id !== me) return id;
    return null;
  }

  setDetails(details) {
    this.type = details.type || this.type;
    this.name = details.name ?? this.name;
    this.admins = new Set(details.admins || []);
    this.members = new Map((details.members || []).map((m) => [m.user_id, m]));
    for (const m of details.members || []) {
      if (m.delivered !== undefined) this.receipt(m.user_id, m.delivered, m.read);
    }
    this.detailsLoaded = true;
  }

  receipt(user, delivered, read) {
    const old = this.receipts.get(user) || { delivered: 0, read: 0 };
    this.receipts.set(user, { delivered: Math.max(old.delivered, delivered || 0), read: Math.max(old.read, read || 0) });
  }

  /** 'read' once every other member read it, 'delivered' once every other member's device has it. */
  tick(seq, me) {
    const others = [...this.members.keys()].filter((u) => u !== me);
    const ids = others.length > 0 ? others : [...this.receipts.keys()].filter((u) => u !== me);
    if (ids.length === 0) return 'sent';
    const marks = ids.map((u) => this.receipts.get(u) || { delivered: 0, read: 0 });
    if (marks.every((r) => r.read >= seq)) return 'read';
    if (marks.every((r) => Math.max(r.delivered, r.read) >= seq)) return 'delivered';
    return 'sent';
  }

  react(seq, user, emoji, op) {
    let byEmoji = this.reactions.get(seq);
    if (!byEmoji) { byEmoji = new Map(); this.reactions.set(seq, byEmoji); }
    let users = byEmoji.get(emoji);
    if (!users) { users = new Set(); byEmoji.set(emoji, users); }
    if (op === 'remove') users.delete(user); else users.add(user);
    if (users.size === 0) byEmoji.delete(emoji);
  }
}

function previewText(m) {
  if (m.deleted) return 'This message was deleted';
  if (m.body) return m.body;
  return m.media && m.media.length > 0 ? '📎 ' + (m.media[0].filename || 'attachment') : '';
}
