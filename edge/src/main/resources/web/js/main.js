import { $, el } from './dom.js';
import { Api, ApiError } from './api.js';
import * as session from './session.js';
import { Connection } from './socket.js';
import { Conversation } from './store.js';
import { EarlyMessages } from './early.js';
import { renderList } from './list.js';
import { renderMessages, presenceText } from './chat.js';
import * as notifications from './notify.js';
import * as push from './push.js';
import { features } from './features.js';
import { newId } from './ids.js';

// The page's controller: one signed-in user, their conversations, the open chat. It speaks only the
// public API (api.js, socket.js), so it is also the reference client of protocol v1.
const PAGE = 50;
const TYPING_SEND_EVERY_MS = 3000;
const TYPING_IDLE_MS = 4000;
const TYPING_SHOWN_MS = 6000;

let me = null; // {token, user_id, username, expires_at}
let api = null;
let socket = null;
let conversations = new Map();
let openId = null;
let replyTo = null;
let typingSentAt = 0;
let typingStopTimer = null;
let featuresInstalled = false; // a sign out and in again keeps the controls added once
const presence = new Map();
const early = new EarlyMessages(); // messages shown before their commit, until settled
const reactions = new Map(); // client id of a react frame -> what it asked, until its `ok`
const app = {
  hooks: { messageActions: [], messageExtras: [], messageDecorators: [], frames: {}, oks: [] },
  slots: { composer: $('composer-tools'), header: $('header-tools') },
  get api() { return api; },
  get me() { return me; },
  get conversations() { return conversations; },
  get openConversation() { return openId ? conversations.get(openId) : null; },
  render: () => { renderSidebar(); renderChat(); },
};

window.parley = app; // a handle for the console and the browser tests (parley.connection.drop())

function show(screen) {
  $('signin').hidden = screen !== 'signin';
  $('app').hidden = screen !== 'app';
}

function start() {
  me = session.load();
  api = new Api(() => (me ? me.token : null), signOut);
  if (me) enter(); else show('signin');
}

// ---- sign in / sign up -------------------------------------------------------------------------

$('signin-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  await signIn();
});

$('signup-button').addEventListener('click', async () => {
  const form = $('signin-form');
  if (!form.reportValidity()) return;
  try {
    await api.signUp($('signin-username').value.trim(), $('signin-password').value, $('signin-display').value.trim());
    await signIn();
  } catch (err) {
    $('signin-error').textContent = message(err);
  }
});

async function signIn() {
  $('signin-error').textContent = '';
  try {
    const t = await api.signIn($('signin-username').value.trim(), $('signin-password').value);
    me = { token: t.access_token, user_id: t.user_id, username: $('signin-username').value.trim(),
      expires_at: Date.now() + t.expires_in * 1000 };
    session.save(me);
    $('signin-password').value = '';
    enter();
  } catch (err) {
    $('signin-error').textContent = message(err);
  }
}

function signOut() {
  if (me) {
    const token = me.token; // the removal runs after `me` is gone
    push.unregister(new Api(() => token, null)).catch(() => {});
  }
  if (socket) socket.stop();
  socket = null;
  early.clear();
  app.connection = null;
  session.clearSession();
  me = null;
  conversations = new Map();
  presence.clear();
  openId = null;
  history.replaceState(null, '', location.pathname);
  $('offline').hidden = true;
  show('signin');
}

$('signout-button').addEventListener('click', signOut);

async function enter() {
  show('app');
  $('me').textContent = me.username;
  $('notify-button').hidden = !notifications.needsPermission();
  if (!featuresInstalled) { for (const f of features) f.install(app); featuresInstalled = true; }
  app.push = push.registerWorker().then(async () => {
    // a subscription made in an earlier sign-in: registered again, for whoever signed in now
    if (notifications.granted()) await push.subscribe(api, { ask: false }).catch(() => {});
    await refreshNotifyButton();
  });
  socket = new Connection(me.token, onFrame, onSocketState, signOut);
  app.connection = socket;
  socket.start();
  await refreshConversations();
  const wanted = new URLSearchParams(location.hash.slice(1)).get('c');
  if (wanted && conversations.has(wanted)) openConversation(wanted);
}

/** Offered while permission is undecided, or granted but this browser not yet subscribed to Web Push. */
async function refreshNotifyButton() {
  const offer = notifications.needsPermission()
    || (notifications.granted() && !(await push.subscribed()) && (await push.available(api)));
  $('notify-button').hidden = !offer;
}

$('notify-button').addEventListener('click', async () => {
  $('sidebar-error').textContent = '';
  await notifications.askPermission();
  if (notifications.granted()) {
    try {
      await push.subscribe(api, { ask: true });
    } catch (err) {
      // e.g. Chromium without its push service: "Registration failed - push service error"
      $('sidebar-error').textContent = 'Web Push is unavailable here (' + (err.message || err.name)
        + '): notifications only while this tab is open';
    }
  }
  await refreshNotifyButton();
});

// a click on a Web Push notification while a tab of the page is open (sw.js)
push.onOpenRequest((id, seq) => {
  if (!me || !conversations.has(id)) return;
  if (seq) app.jumpTo(id, seq); else openConversation(id);
});

// ---- conversations -----------------------------------------------------------------------------

function conversation(id) {
  let c = conversations.get(id);
  if (!c) { c = new Conversation(id); conversations.set(id, c); }
  return c;
}

async function refreshConversations() {
  let list;
  try {
    list = await api.conversations();
  } catch (err) {
    $('sidebar-error').textContent = message(err);
    return;
  }
  $('sidebar-error').textContent = '';
  const stale = [];
  for (const s of list.conversations) {
    const c = conversation(s.conversation_id);
    c.type = s.type || c.type;
    c.name = s.name ?? c.name;
    if (s.last_activity) c.lastActivity = Math.max(c.lastActivity, s.last_activity);
    c.read = Math.max(c.read, s.read || 0);
    if (s.last_seq > c.lastSeq || !c.preview) stale.push(c);
    c.lastSeq = Math.max(c.lastSeq, s.last_seq);
    if (c.id !== openId) c.unread = Math.max(0, c.lastSeq - c.read);
  }
  renderSidebar();
  await eachLimited([...conversations.values()], 4, async (c) => {
    if (!c.detailsLoaded) await loadDetails(c);
    if (stale.includes(c) && !c.loaded) await loadPreview(c);
  });
  for (const c of conversations.values()) if (c.hasGap()) fillGap(c);
  renderSidebar();
  renderChat();
}

async function loadDetails(c, tries = 1) {
  try {
    c.setDetails(await api.members(c.id));
    // asked again now that the membership is stored: presence is shown only to those who share a chat
    const peer = c.peer(me.user_id);
    if (peer && socket) socket.watch([peer], true);
  } catch (err) {
    // a conversation created a moment ago may not be in the history tables yet (the sink's lag)
    if (tries < 4 && err.status === 403) {
      setTimeout(() => loadDetails(c, tries + 1).then(app.render), 500 * tries);
    }
  }
}

async function loadPreview(c) {
  try {
    const page = await api.messages(c.id, {}, 1);
    for (const m of page.messages) c.noteLast(m);
  } catch (err) {
    // the preview is decoration: the list still works without it
  }
}

async function eachLimited(items, limit, fn) {
  const queue = [...items];
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, async () => {
    while (queue.length > 0) await fn(queue.shift());
  }));
}

function renderSidebar() {
  if (!me) return;
  renderList($('conversations'), conversations, me.user_id, openId, openConversation);
}

async function findUsers(names) {
  const users = [];
  for (const name of names) {
    try {
      users.push(await api.findUser(name));
    } catch (err) {
      if (err.status === 404) throw new ApiError(404, 'not_found', 'no user named ' + name);
      throw err;
    }
  }
  return users;
}

$('direct-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('sidebar-error').textContent = '';
  try {
    const [user] = await findUsers([$('direct-username').value.trim()]);
    const created = await api.createDirect(user.user_id);
    const c = conversation(created.conversation_id);
    c.type = 'direct';
    c.members.set(user.user_id, user);
    c.members.set(me.user_id, { user_id: me.user_id, username: me.username });
    c.lastActivity = c.lastActivity || Date.now();
    $('direct-username').value = '';
    openConversation(c.id);
  } catch (err) {
    $('sidebar-error').textContent = message(err);
  }
});

$('group-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('sidebar-error').textContent = '';
  try {
    const names = $('group-members').value.split(',').map((s) => s.trim()).filter(Boolean);
    const users = await findUsers(names);
    const name = $('group-name').value.trim();
    const created = await api.createGroup(name, users.map((u) => u.user_id));
    const c = conversation(created.conversation_id);
    c.type = 'group';
    // a retried create that had made the group is answered 200 with the group as it is now; from a
    // topology older than schema v7 (a rolling upgrade) with its id alone: then what was asked for
    c.name = 'name' in created ? created.name : (name || null);
    c.admins = new Set(created.admins || [me.user_id]);
    for (const u of users) c.members.set(u.user_id, u);
    c.members.set(me.user_id, { user_id: me.user_id, username: me.username });
    c.lastActivity = Date.now();
    $('group-name').value = '';
    $('group-members').value = '';
    $('group-box').open = false;
    openConversation(c.id);
  } catch (err) {
    $('sidebar-error').textContent = message(err);
  }
});

// ---- the open conversation ---------------------------------------------------------------------

async function openConversation(id) {
  openId = id;
  replyTo = null;
  history.replaceState(null, '', '#c=' + encodeURIComponent(id));
  $('app').classList.add('show-chat');
  $('members-panel').hidden = true;
  const c = conversation(id);
  renderSidebar();
  renderChat(true);
  if (!c.detailsLoaded) await loadDetails(c);
  if (!c.loaded) {
    try {
      c.startAt(await api.messages(id, {}, PAGE));
      ackDelivered(c);
    } catch (err) {
      $('chat-error').textContent = message(err);
    }
  }
  if (c.hasGap()) await fillGap(c);
  if (openId !== id) return;
  renderChat(true);
  markRead(c);
  $('composer-input').focus();
}

$('back-button').addEventListener('click', () => {
  $('app').classList.remove('show-chat');
  openId = null;
  history.replaceState(null, '', location.pathname);
  renderSidebar();
});

function renderChat(toBottom = false) {
  const c = app.openConversation;
  $('chat-empty').hidden = c !== null;
  $('chat-pane').hidden = c === null;
  if (!c) return;
  $('chat-title').textContent = c.title(me.user_id);
  renderStatus(c);
  const list = $('messages');
  const fromBottom = list.scrollHeight - list.scrollTop - list.clientHeight;
  renderMessages(list, c, me.user_id, messageActions, app.hooks, early.of(c.id));
  // stay at the bottom when there already; otherwise keep what the reader looks at where it was
  if (toBottom || fromBottom < 40) list.scrollTop = list.scrollHeight;
  else list.scrollTop = list.scrollHeight - list.clientHeight - fromBottom;
  $('members-button').hidden = c.type !== 'group';
  if (!$('members-panel').hidden) renderMembers(c);
  $('reply-bar').hidden = replyTo === null;
  if (replyTo !== null) {
    const target = c.messages.get(replyTo);
    $('reply-text').textContent = 'Replying to ' + (target
      ? (c.displayName(target.sender) || 'message') + ': ' + target.body : 'message #' + replyTo);
  }
  if (c.loaded && c.olderCursor !== null && list.scrollHeight <= list.clientHeight) loadOlder(c);
}

function renderStatus(c) {
  const typers = [...c.typing.keys()].filter((u) => u !== me.user_id);
  let status = '';
  if (typers.length > 0) {
    status = (c.type === 'group' ? typers.map((u) => c.displayName(u) || 'someone').join(', ') + ' ' : '')
      + (typers.length > 1 ? 'are typing…' : 'typing…');
  } else if (c.type === 'direct') {
    status = presenceText(presence.get(c.peer(me.user_id)));
  } else if (c.type === 'group') {
    status = c.members.size + ' members';
  }
  $('chat-status').textContent = status;
  $('typing').textContent = typers.length > 0 ? status : '';
}

const messageActions = {
  reply(seq) {
    replyTo = seq;
    renderChat();
    $('composer-input').focus();
  },
  react(seq, emoji, op) {
    const c = app.openConversation;
    const id = newId();
    if (socket.raw({ type: 'react', id, conversation_id: c.id, seq, emoji, op })) {
      // the server sends `reaction` to the other sockets; this one learns it took effect from `ok`
      reactions.set(id, { conversation: c.id, seq, emoji, op });
    } else {
      $('chat-error').textContent = 'offline: the reaction was not sent';
    }
  },
  unfold(seq) {
    app.openConversation.unfolded.add(seq);
    renderChat();
  },
  retry(clientId) {
    const c = app.openConversation;
    const p = c.pending.get(clientId);
    if (!p) return;
    p.failed = false;
    socket.send(sendFrame(c.id, p));
    renderChat();
  },
  async jumpTo(seq) {
    const c = app.openConversation;
    while (!c.messages.has(seq) && c.olderCursor !== null) await loadOlder(c);
    const node = $('messages').querySelector('[data-seq="' + seq + '"]');
    if (node) {
      node.scrollIntoView({ block: 'center' });
      node.classList.add('highlight');
      setTimeout(() => node.classList.remove('highlight'), 1500);
    }
  },
};

/** Opens a conversation at a message (a search hit, a notification): older pages load until it is held. */
app.jumpTo = async (conversationId, seq) => {
  await openConversation(conversationId);
  await messageActions.jumpTo(seq);
};

let loadingOlder = null;

function loadOlder(c) {
  if (loadingOlder || c.olderCursor === null) return loadingOlder;
  loadingOlder = (async () => {
    try {
      const page = await api.messages(c.id, { before: c.olderCursor }, PAGE);
      page.messages.forEach((m) => c.add(m));
      c.olderCursor = page.next;
    } catch (err) {
      $('chat-error').textContent = message(err);
    } finally {
      loadingOlder = null;
    }
    if (c.id === openId) renderChat();
  })();
  return loadingOlder;
}

$('messages').addEventListener('scroll', () => {
  const c = app.openConversation;
  if (c && $('messages').scrollTop < 80) loadOlder(c);
});

/** Reads every message after the last one held without a hole, page by page, by seq. */
const filling = new Map();
function fillGap(c, tries = 1) {
  if (filling.has(c.id)) return filling.get(c.id);
  const run = (async () => {
    try {
      let cursor = c.contiguousTo;
      for (;;) {
        const page = await api.messages(c.id, { after: cursor }, PAGE);
        page.messages.forEach((m) => c.add(m));
        if (page.next === null || page.next === undefined) break;
        cursor = page.next;
      }
      ackDelivered(c);
    } catch (err) {
      // tried again on the next message or reconnect
    } finally {
      filling.delete(c.id);
    }
    // history trails live delivery by the sink's lag: a seq announced live may not be readable yet
    if (c.hasGap() && tries < 6) setTimeout(() => fillGap(c, tries + 1), 400 * tries);
    if (c.id === openId) { renderChat(); markRead(c); }
    renderSidebar();
  })();
  filling.set(c.id, run);
  return run;
}

function ackDelivered(c) {
  if (c.lastSeq > 0 && socket) socket.raw({ type: 'ack', conversation_id: c.id, seq: c.lastSeq });
}

function markRead(c) {
  if (document.hidden || c.id !== openId) return;
  const seq = c.contiguousTo || c.lastSeq;
  c.unread = 0;
  if (seq > c.read && socket && socket.raw({ type: 'read', conversation_id: c.id, seq })) c.read = seq;
  renderSidebar();
}

document.addEventListener('visibilitychange', () => {
  const c = app.openConversation;
  if (c && !document.hidden) markRead(c);
});

// ---- composing ---------------------------------------------------------------------------------

function sendFrame(conversationId, p) {
  const frame = { type: 'send', id: p.id, conversation_id: conversationId };
  if (p.body) frame.body = p.body; // a message of media alone has none
  if (p.reply_to) frame.reply_to = p.reply_to;
  if (p.media && p.media.length > 0) frame.media = p.media.map((d) => d.media_id);
  return frame;
}

$('composer').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = $('composer-input');
  if (input.value.trim() === '') return;
  if (app.send(input.value)) input.value = '';
});

/** Sends to the open conversation (with the reply being composed); `media` are upload descriptors. */
app.send = (body, media = []) => {
  const c = app.openConversation;
  if (!c) return false;
  const p = { id: newId(), body, reply_to: replyTo, ts: Date.now(), failed: false, media };
  c.pending.set(p.id, p);
  socket.send(sendFrame(c.id, p));
  replyTo = null;
  stopTyping(c);
  renderChat(true);
  return true;
};

$('composer-input').addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey) {
    e.preventDefault();
    $('composer').requestSubmit();
  }
});

$('composer-input').addEventListener('input', () => {
  const c = app.openConversation;
  if (!c) return;
  if (Date.now() - typingSentAt > TYPING_SEND_EVERY_MS) {
    typingSentAt = Date.now();
    socket.raw({ type: 'typing', conversation_id: c.id, state: 'start' });
  }
  clearTimeout(typingStopTimer);
  typingStopTimer = setTimeout(() => stopTyping(c), TYPING_IDLE_MS);
});

function stopTyping(c) {
  clearTimeout(typingStopTimer);
  if (typingSentAt > 0) socket.raw({ type: 'typing', conversation_id: c.id, state: 'stop' });
  typingSentAt = 0;
}

$('reply-cancel').addEventListener('click', () => { replyTo = null; renderChat(); });

// ---- members -----------------------------------------------------------------------------------

$('members-button').addEventListener('click', async () => {
  const panel = $('members-panel');
  panel.hidden = !panel.hidden;
  const c = app.openConversation;
  if (!panel.hidden && c) {
    renderMembers(c);
    await loadDetails(c);
    renderMembers(c);
  }
});

function renderMembers(c) {
  const admin = c.admins.has(me.user_id);
  $('add-member-form').hidden = !admin;
  $('members-list').replaceChildren(...[...c.members.values()].map((m) => el('li', { dataset: { user: m.user_id } },
    el('span', { class: 'who' }, (m.display_name || m.username || m.user_id) + (m.user_id === me.user_id ? ' (you)' : '')),
    c.admins.has(m.user_id) ? el('span', { class: 'badge' }, 'admin') : null,
    admin && m.user_id !== me.user_id
      ? el('button', { type: 'button', class: 'secondary small remove', onclick: () => removeMember(c, m.user_id) }, 'Remove')
      : null,
    m.user_id === me.user_id
      ? el('button', { type: 'button', class: 'secondary small leave', onclick: () => removeMember(c, m.user_id) }, 'Leave')
      : null)));
}

async function removeMember(c, userId) {
  $('members-error').textContent = '';
  try {
    await api.removeMember(c.id, userId);
    c.members.delete(userId);
    renderMembers(c);
  } catch (err) {
    $('members-error').textContent = message(err);
  }
}

$('add-member-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const c = app.openConversation;
  $('members-error').textContent = '';
  try {
    const [user] = await findUsers([$('add-member-username').value.trim()]);
    await api.addMembers(c.id, [user.user_id]);
    c.members.set(user.user_id, user);
    $('add-member-username').value = '';
    renderChat();
  } catch (err) {
    $('members-error').textContent = message(err);
  }
});

// ---- server frames -----------------------------------------------------------------------------

function onFrame(f) {
  const extra = app.hooks.frames[f.type];
  if (extra) { extra(f); return; }
  switch (f.type) {
    case 'message': return f.tentative ? onEarly(f) : onMessage(f);
    case 'confirmed': return onConfirmed(f);
    case 'retracted': {
      if (early.settle(f.conversation_id, f.seq) && f.conversation_id === openId) renderChat();
      return undefined;
    }
    case 'sent': return onSent(f);
    case 'receipt': {
      const c = conversation(f.conversation_id);
      c.receipt(f.user, f.delivered, f.read);
      if (f.user === me.user_id) {
        c.read = Math.max(c.read, f.read);
        if (c.id !== openId) c.unread = Math.max(0, c.lastSeq - c.read);
        renderSidebar();
      }
      if (c.id === openId) renderChat();
      return;
    }
    case 'typing': return onTyping(f);
    case 'reaction': {
      const c = conversation(f.conversation_id);
      c.react(f.seq, f.user, f.emoji, f.op);
      if (c.id === openId) renderChat();
      return;
    }
    case 'presence':
      presence.set(f.user, f);
      if (app.openConversation) renderStatus(app.openConversation);
      return;
    case 'member': return onMember(f);
    case 'ok': {
      const r = reactions.get(f.id);
      if (!r) { app.hooks.oks.forEach((h) => h(f)); return undefined; } // a feature's command
      reactions.delete(f.id);
      const c = conversation(r.conversation);
      c.react(r.seq, me.user_id, r.emoji, r.op);
      if (c.id === openId) renderChat();
      return undefined;
    }
    case 'resync': return catchUp();
    case 'error': return onError(f);
    default: return undefined; // frames of a newer server: ignored, as the protocol allows
  }
}

/** A message before its commit: shown in the open chat, nothing else until it is settled. */
function onEarly(f) {
  early.show(f);
  if (f.conversation_id === openId) renderChat();
}

function onConfirmed(f) {
  const m = early.confirm(f);
  if (m) { onMessage(m); return; }
  // nothing held (dropped at the cap): a committed message the page has not seen, as after a gap
  const c = conversations.get(f.conversation_id);
  if (!c) { refreshConversations().then(app.render); return; } // a new conversation: the list has it
  c.lastSeq = Math.max(c.lastSeq, f.seq);
  if (c.id !== openId || document.hidden) c.unread = Math.max(c.unread, c.lastSeq - c.read);
  if (c.loaded) fillGap(c);
  renderSidebar();
}

function onMessage(f) {
  early.settle(f.conversation_id, f.seq); // committed: it replaces whatever was shown early at its seq
  const isNew = !conversations.has(f.conversation_id);
  const c = conversation(f.conversation_id);
  if (c.loaded) c.add(f); else c.noteLast(f);
  c.lastActivity = Math.max(c.lastActivity, f.ts || Date.now());
  const timer = c.typing.get(f.sender);
  if (timer) { clearTimeout(timer); c.typing.delete(f.sender); }
  if (f.sender !== me.user_id) {
    if (socket) socket.raw({ type: 'ack', conversation_id: c.id, seq: f.seq });
    if (c.id !== openId || document.hidden) c.unread = Math.max(c.unread + 1, c.lastSeq - c.read);
    notifications.notify(c.title(me.user_id) + (c.type === 'group' ? ': ' + (c.displayName(f.sender) || '') : ''),
      f.body, c.id, () => openConversation(c.id));
  }
  if (isNew) loadDetails(c).then(app.render);
  if (c.hasGap()) fillGap(c);
  if (c.id === openId) { renderChat(); markRead(c); }
  renderSidebar();
}

function onSent(f) {
  const c = conversation(f.conversation_id);
  const p = c.pending.get(f.id);
  if (!p) return;
  c.pending.delete(f.id);
  const m = { type: 'message', conversation_id: c.id, seq: f.seq, message_id: f.message_id, sender: me.user_id,
    body: p.body, ts: f.ts, media: p.media || [] };
  if (p.reply_to) m.reply_to = p.reply_to;
  if (c.loaded) c.add(m); else c.noteLast(m);
  c.lastActivity = Math.max(c.lastActivity, f.ts);
  if (c.hasGap()) fillGap(c);
  if (c.id === openId) { renderChat(); markRead(c); }
  renderSidebar();
}

function onTyping(f) {
  if (f.user === me.user_id) return;
  const c = conversation(f.conversation_id);
  clearTimeout(c.typing.get(f.user));
  if (f.state === 'start') {
    // a stop that never comes (the typist's tab closed) must not leave "typing…" up forever
    c.typing.set(f.user, setTimeout(() => { c.typing.delete(f.user); if (c.id === openId) renderStatus(c); },
      TYPING_SHOWN_MS));
  } else {
    c.typing.delete(f.user);
  }
  if (c.id === openId) renderStatus(c);
}

function onMember(f) {
  const c = conversation(f.conversation_id);
  if (f.change === 'created') {
    c.type = f.conversation_type;
    c.name = f.name;
    c.admins = new Set(f.admins || []);
    for (const id of f.members || []) if (!c.members.has(id)) c.members.set(id, { user_id: id });
    c.lastActivity = Math.max(c.lastActivity, Date.now());
  } else if (f.change === 'changed') {
    for (const id of f.added || []) if (!c.members.has(id)) c.members.set(id, { user_id: id });
    for (const id of f.removed || []) c.members.delete(id);
    c.admins = new Set(f.admins || []);
    if ((f.removed || []).includes(me.user_id)) {
      conversations.delete(c.id);
      if (openId === c.id) { openId = null; $('app').classList.remove('show-chat'); }
      app.render();
      return;
    }
  } else if (f.change === 'updated') {
    if (f.name !== undefined) c.name = f.name;
    c.admins = new Set(f.admins || []);
  }
  // names of new members come from the history tables, which trail the event by the sink's lag
  loadDetails(c).then(app.render);
  app.render();
}

function onError(f) {
  if (f.id) reactions.delete(f.id);
  for (const c of conversations.values()) {
    const p = f.id && c.pending.get(f.id);
    if (p && f.code !== 'rate_limited' && f.code !== 'unavailable') {
      p.failed = true;
      p.error = f.message;
      if (c.id === openId) renderChat();
      return;
    }
  }
  if (f.code === 'unauthorized') { signOut(); return; }
  if (f.code !== 'rate_limited' && f.code !== 'unavailable') $('chat-error').textContent = f.message || f.code;
}

// ---- connectivity ------------------------------------------------------------------------------

let countdown = null;
function onSocketState(state, retryInMs) {
  const banner = $('offline');
  clearInterval(countdown);
  if (state === 'offline') {
    const at = Date.now() + retryInMs;
    const tell = () => {
      const s = Math.max(0, Math.ceil((at - Date.now()) / 1000));
      banner.textContent = s > 0 ? 'Offline: reconnecting in ' + s + ' s…' : 'Offline: reconnecting…';
    };
    tell();
    countdown = setInterval(tell, 1000);
    banner.hidden = false;
  } else {
    banner.hidden = true;
    if (state === 'reconnected') { early.clear(); catchUp(); }
  }
}

/** After a reconnect or a resync: new conversations, then every held conversation from its last seq. */
async function catchUp() {
  await refreshConversations();
  await Promise.all([...conversations.values()].filter((c) => c.loaded).map((c) => fillGap(c)));
}

function message(err) {
  if (err instanceof ApiError) return err.message;
  return String(err);
}

start();
