import { el, time } from './dom.js';

// The conversation list: most recent first, name, last message preview, unread count.
export function renderList(container, conversations, me, activeId, onOpen) {
  const sorted = [...conversations.values()].sort((a, b) => b.lastActivity - a.lastActivity);
  container.replaceChildren(...sorted.map((c) => {
    const preview = c.preview
      ? (c.preview.sender === me ? 'You: ' : (c.type === 'group' && c.displayName(c.preview.sender)
          ? c.displayName(c.preview.sender) + ': ' : '')) + c.preview.body
      : (c.type === 'group' ? 'Group created' : 'No messages yet');
    return el('li', {
      class: 'conversation' + (c.id === activeId ? ' active' : ''),
      dataset: { id: c.id },
      tabindex: '0',
      onclick: () => onOpen(c.id),
      onkeydown: (e) => { if (e.key === 'Enter') onOpen(c.id); },
    },
    el('span', { class: 'name' }, c.title(me)),
    el('span', { class: 'time' }, time(c.lastActivity)),
    el('span', { class: 'preview' }, preview),
    el('span', { class: 'unread', 'aria-label': 'unread messages' }, c.unread > 0 ? String(c.unread) : ''));
  }));
}
