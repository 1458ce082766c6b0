import { $, el, time } from '../dom.js';
import { newId } from '../ids.js';

// Edit and delete for everyone (DESIGN 7.3, README "Edit, delete, disappearing messages"): the
// `edit` and `delete` frames for one's own messages, and what every member sees of them, live
// (`message.edited`, `message.deleted`) and in history (`edited_at`, `deleted: true`).
const DELETED_TEXT = 'This message was deleted';

let app = null;
let editing = null; // {conversation, seq} while the edit bar is open
let confirming = null; // "conversationId:seq" whose Delete asks to be clicked again
// this socket's own edits and deletes until their `ok`: the server sends message.edited/deleted to
// the other sockets, this one learns from `ok` that it took effect (as for reactions)
const sent = new Map(); // client id -> the frame

/** Applies a change to the held copy; history brings it to a copy not held yet. */
function change(frame, apply) {
  const c = app.conversations.get(frame.conversation_id);
  const held = c ? c.messages.get(frame.seq) : null;
  if (held) apply(held);
  if (c && c.preview && frame.seq === c.lastSeq) {
    c.preview = { sender: c.preview.sender, body: frame.deleted ? DELETED_TEXT : frame.body };
  }
  if (editing && editing.conversation === frame.conversation_id && editing.seq === frame.seq && frame.deleted) {
    closeEditor();
  }
  app.render();
}

function onEdited(f) {
  change(f, (m) => { m.body = f.body; m.edited_at = f.edited_at; m.version = f.version; });
}

function onDeleted(f) {
  change(f, (m) => {
    m.deleted = true;
    m.version = f.version;
    for (const key of ['body', 'media', 'edited_at']) delete m[key];
  });
}

function command(frame) {
  if (!app.connection.raw(frame)) return false;
  sent.set(frame.id, frame);
  return true;
}

function onOk(f) {
  const frame = sent.get(f.id);
  if (!frame) return;
  sent.delete(f.id);
  const target = { conversation_id: frame.conversation_id, seq: frame.seq, version: f.version };
  if (frame.type === 'edit') onEdited({ ...target, body: frame.body, edited_at: Date.now() });
  else onDeleted({ ...target, deleted: true });
}

function mine(m) {
  return app.me && m.sender === app.me.user_id && m.seq !== null && !m.deleted;
}

function editButton(m, conv) {
  if (!mine(m)) return null;
  return el('button', { type: 'button', class: 'edit', onclick: () => openEditor(conv, m) }, 'Edit');
}

function deleteButton(m, conv) {
  if (!mine(m)) return null;
  const key = conv.id + ':' + m.seq;
  const asking = confirming === key;
  return el('button', {
    type: 'button', class: 'delete' + (asking ? ' confirm' : ''),
    onclick: () => {
      if (!asking) { confirming = key; app.render(); return; } // a second click, so a slip deletes nothing
      confirming = null;
      if (!command({ type: 'delete', id: newId(), conversation_id: conv.id, seq: m.seq })) {
        $('chat-error').textContent = 'offline: the message was not deleted';
      }
      app.render();
    },
  }, asking ? 'Delete for everyone?' : 'Delete');
}

/** Rewrites a rendered message: the tombstone of a deleted one, the label of an edited one, quotes of deleted ones. */
function decorate(li, m, conv) {
  if (m.deleted) {
    li.classList.add('deleted');
    const body = li.querySelector('.body');
    if (body) body.replaceChildren(DELETED_TEXT);
    for (const node of li.querySelectorAll('.actions, .reactions, .media')) node.remove();
  } else if (m.edited_at) {
    const meta = li.querySelector('.meta');
    if (meta) meta.prepend(el('span', { class: 'edited', title: 'edited ' + time(m.edited_at) }, 'edited'));
  }
  const quote = li.querySelector('.quote');
  if (quote && m.reply_to) {
    const target = conv.messages.get(m.reply_to);
    if (target && target.deleted) quote.textContent = '↩ ' + 'deleted message';
  }
}

// ---- the edit bar (outside the message list, so re-rendering the list keeps what is typed) -------

let bar = null;

function openEditor(conv, m) {
  editing = { conversation: conv.id, seq: m.seq };
  bar.hidden = false;
  bar.querySelector('input').value = m.body || '';
  bar.querySelector('input').focus();
}

function closeEditor() {
  editing = null;
  if (bar) bar.hidden = true;
}

function buildBar() {
  const input = el('input', { id: 'edit-input', 'aria-label': 'Edited message', required: true });
  bar = el('form', { id: 'edit-form', class: 'inline edit-bar', hidden: true },
    el('span', { class: 'muted' }, 'Edit:'), input,
    el('button', { type: 'submit' }, 'Save'),
    el('button', { type: 'button', class: 'secondary', onclick: closeEditor }, 'Cancel'));
  bar.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!editing || input.value.trim() === '') return;
    const frame = { type: 'edit', id: newId(), conversation_id: editing.conversation, seq: editing.seq, body: input.value };
    if (command(frame)) closeEditor();
    else $('chat-error').textContent = 'offline: the edit was not sent';
  });
  input.addEventListener('keydown', (e) => { if (e.key === 'Escape') closeEditor(); });
  $('composer').before(bar);
}

export default {
  name: 'edits',
  install(a) {
    app = a;
    buildBar();
    app.hooks.messageActions.push(editButton, deleteButton);
    app.hooks.messageDecorators.push(decorate);
    app.hooks.frames['message.edited'] = onEdited;
    app.hooks.frames['message.deleted'] = onDeleted;
    app.hooks.oks.push(onOk);
  },
};
