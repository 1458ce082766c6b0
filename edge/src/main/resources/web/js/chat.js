import { el, time } from './dom.js';

export const EMOJI = ['👍', '❤️', '😂', '😮', '😢', '🙏'];
// A body longer than this shows its start and "Read more" (64 KiB of text is pages of scrolling)
export const FOLD_CHARS = 3000;
const TICKS = { pending: '🕓', sent: '✓', delivered: '✓✓', read: '✓✓', failed: '!' };

// The messages of the open conversation in seq order, with those shown before their commit (`early`,
// others' only: a send of mine shows as pending until its `sent`), then the sends still waiting.
export function renderMessages(container, conv, me, actions, hooks, early = []) {
  const items = [];
  if (conv.loaded && conv.olderCursor === null) {
    items.push(el('li', { class: 'history-start' }, 'Beginning of the conversation'));
  }
  const tentative = early.filter((m) => m.sender !== me && !conv.messages.has(m.seq));
  const shown = tentative.length === 0 ? conv.sorted() : [...conv.sorted(), ...tentative].sort((a, b) => a.seq - b.seq);
  for (const m of shown) {
    items.push(m.tentative ? tentativeItem(conv, m) : messageItem(conv, m, me, actions, hooks));
  }
  for (const p of conv.pending.values()) {
    items.push(messageItem(conv, { ...p, sender: me, seq: null }, me, actions, hooks, p.failed ? 'failed' : 'pending'));
  }
  container.replaceChildren(...items);
}

// A message not committed yet: its body and time, no actions (a reply or a reaction needs it committed)
function tentativeItem(conv, m) {
  const li = el('li', { class: 'message tentative', dataset: { seq: String(m.seq), tentative: '1' } });
  if (conv.type === 'group') li.append(el('div', { class: 'sender' }, conv.displayName(m.sender) || m.sender));
  const folded = typeof m.body === 'string' && m.body.length > FOLD_CHARS;
  li.append(el('div', { class: 'body' }, folded ? start(m.body) + '…' : m.body));
  li.append(el('div', { class: 'meta' }, el('span', { class: 'time' }, time(m.ts))));
  return li;
}

function messageItem(conv, m, me, actions, hooks, state) {
  const mine = m.sender === me;
  const tick = mine ? (state || conv.tick(m.seq, me)) : null;
  const li = el('li', {
    class: 'message' + (mine ? ' mine' : ''),
    dataset: m.seq === null ? { clientId: m.id } : { seq: String(m.seq) },
  });
  if (conv.type === 'group' && !mine) {
    li.append(el('div', { class: 'sender' }, conv.displayName(m.sender) || m.sender));
  }
  if (m.reply_to) {
    const target = conv.messages.get(m.reply_to);
    const label = target
      ? (target.sender === me ? 'You' : (conv.displayName(target.sender) || target.sender)) + ': ' + target.body
      : 'message #' + m.reply_to;
    li.append(el('div', { class: 'quote', dataset: { replyTo: String(m.reply_to) },
      onclick: () => actions.jumpTo(m.reply_to) }, '↩ ' + label));
  }
  const folded = typeof m.body === 'string' && m.body.length > FOLD_CHARS && m.seq !== null
    && !conv.unfolded.has(m.seq);
  li.append(el('div', { class: 'body' }, folded ? start(m.body) + '…' : m.body));
  if (folded) {
    li.append(el('button', { type: 'button', class: 'secondary small more', onclick: () => actions.unfold(m.seq) },
      'Read more'));
  }
  for (const extra of hooks.messageExtras) {
    const node = extra(m, conv);
    if (node) li.append(node);
  }
  const byEmoji = m.seq === null ? null : conv.reactions.get(m.seq);
  if (byEmoji && byEmoji.size > 0) {
    li.append(el('div', { class: 'reactions' }, [...byEmoji.entries()].map(([emoji, users]) => el('button', {
      type: 'button',
      class: users.has(me) ? 'mine' : '',
      title: [...users].map((u) => conv.displayName(u) || u).join(', '),
      onclick: () => actions.react(m.seq, emoji, users.has(me) ? 'remove' : 'add'),
    }, emoji + ' ' + users.size))));
  }
  const meta = el('div', { class: 'meta' }, el('span', { class: 'time' }, time(m.ts)));
  if (tick) {
    meta.append(el('span', {
      class: 'tick ' + tick, dataset: { tick }, title: state === 'failed' ? (m.error || 'not sent') : tick,
    }, TICKS[tick]));
  }
  li.append(meta);
  if (m.seq !== null) {
    const picker = el('span', { class: 'picker', hidden: true }, EMOJI.map((emoji) => el('button', {
      type: 'button', 'aria-label': 'React ' + emoji,
      onclick: () => { picker.hidden = true; actions.react(m.seq, emoji, 'add'); },
    }, emoji)));
    const bar = el('div', { class: 'actions' },
      el('button', { type: 'button', class: 'reply', onclick: () => actions.reply(m.seq) }, 'Reply'),
      el('button', { type: 'button', class: 'react', onclick: () => { picker.hidden = !picker.hidden; } }, 'React'),
      picker);
    for (const action of hooks.messageActions) {
      const node = action(m, conv);
      if (node) bar.append(node);
    }
    li.append(bar);
  } else if (state === 'failed') {
    li.append(el('div', { class: 'actions' },
      el('button', { type: 'button', onclick: () => actions.retry(m.id) }, 'Retry')));
  }
  // last: a feature may rework what was built (an edit's label, a deleted message's tombstone)
  for (const decorate of hooks.messageDecorators) decorate(li, m, conv);
  return li;
}

export function presenceText(presence) {
  if (!presence) return '';
  if (presence.status === 'online') return 'online';
  return presence.last_seen ? 'last seen ' + time(presence.last_seen) : 'offline';
}

/** The first FOLD_CHARS UTF-16 units, never ending in half a surrogate pair. */
function start(body) {
  const cut = body.slice(0, FOLD_CHARS);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}
