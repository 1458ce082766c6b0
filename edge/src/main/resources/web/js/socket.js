// The WebSocket half of protocol v1, kept alive: reconnects with capped exponential backoff and
// jitter, and resends every send the server has not acknowledged, under its original id, so a
// retry after a dropped socket can never make a second message (the server answers it with the
// original seq). Frames go to `onFrame`; `onState` hears 'online' / 'offline' / 'reconnected'.
const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 15000;
const PING_EVERY_MS = 20000;
const PONG_WITHIN_MS = 10000;

export class Connection {
  constructor(token, onFrame, onState, onUnauthorized) {
    this.token = token;
    this.onFrame = onFrame;
    this.onState = onState;
    this.onUnauthorized = onUnauthorized;
    this.ws = null;
    this.attempt = 0;
    this.opened = false;
    this.stopped = false;
    this.timer = null;
    this.pingTimer = null;
    this.pongDeadline = null;
    this.outbox = new Map(); // client id -> send frame, in insertion (send) order
    this.watched = new Set(); // users whose presence this page shows
    this.onNetworkBack = () => this.reconnectNow();
    window.addEventListener('online', this.onNetworkBack);
  }

  get isOpen() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  start() {
    this.stopped = false;
    this.open();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.pingTimer);
    window.removeEventListener('online', this.onNetworkBack);
    if (this.ws) this.ws.close(1000, 'signed out');
    this.ws = null;
  }

  open() {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    // early=1: messages come before their commit too, flagged tentative, each settled later (early.js)
    const ws = new WebSocket(scheme + '://' + location.host + '/v1/ws?early=1&access_token='
      + encodeURIComponent(this.token));
    this.ws = ws;
    ws.onopen = () => {
      const again = this.opened;
      this.opened = true;
      this.attempt = 0;
      this.onState('online');
      if (this.watched.size > 0) this.raw({ type: 'presence.subscribe', users: [...this.watched] });
      for (const frame of this.outbox.values()) this.raw(frame);
      this.pingTimer = setInterval(() => this.ping(), PING_EVERY_MS);
      if (again) this.onState('reconnected');
    };
    ws.onmessage = (event) => {
      let frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame.type === 'pong') { this.pongDeadline = null; return; }
      if (frame.id && this.outbox.has(frame.id) && (frame.type === 'sent' || frame.type === 'error')) {
        if (frame.type === 'sent' || !retryable(frame.code)) this.outbox.delete(frame.id);
        else this.retryLater(frame.id);
      }
      this.onFrame(frame);
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      clearInterval(this.pingTimer);
      this.ws = null;
      if (this.stopped) return;
      if (event.code === 1008) { // the token expired or was refused: signing in again is the only way
        this.onUnauthorized();
        return;
      }
      this.onState('offline', this.scheduleReconnect());
    };
    ws.onerror = () => {}; // onclose follows and handles it
  }

  /** Milliseconds until the next attempt. */
  scheduleReconnect() {
    const cap = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** this.attempt);
    const delay = Math.round(cap / 2 + Math.random() * cap / 2);
    this.attempt++;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.open(), delay);
    return delay;
  }

  reconnectNow() {
    if (this.stopped || this.isOpen) return;
    clearTimeout(this.timer);
    if (this.ws) this.ws.close();
    this.ws = null;
    this.open();
  }

  /** Drops the socket as a network failure would; it comes back by itself (for the console and tests). */
  drop() {
    if (this.ws) this.ws.close(4000, 'dropped');
  }

  ping() {
    if (!this.isOpen) return;
    if (this.pongDeadline !== null && Date.now() > this.pongDeadline) {
      this.ws.close(4001, 'no pong'); // a half-open connection after a laptop sleep: start over
      return;
    }
    if (this.pongDeadline === null) this.pongDeadline = Date.now() + PONG_WITHIN_MS;
    this.raw({ type: 'ping' });
  }

  retryLater(id) {
    setTimeout(() => {
      const frame = this.outbox.get(id);
      if (frame) this.raw(frame);
    }, 1000 + Math.random() * 1000);
  }

  /** A message send: kept until the server acknowledges it, resent after every reconnect. */
  send(frame) {
    this.outbox.set(frame.id, frame);
    this.raw(frame);
  }

  /** Frames that are worthless later (typing, receipts, reactions): sent only while open. */
  raw(frame) {
    if (this.isOpen) this.ws.send(JSON.stringify(frame));
    return this.isOpen;
  }

  /** Presence of `users` from now on; `again` asks even for watched ones (answered once visible). */
  watch(users, again = false) {
    const fresh = users.filter((u) => again || !this.watched.has(u));
    fresh.forEach((u) => this.watched.add(u));
    if (fresh.length > 0) this.raw({ type: 'presence.subscribe', users: fresh });
  }
}

function retryable(code) {
  return code === 'rate_limited' || code === 'unavailable';
}
