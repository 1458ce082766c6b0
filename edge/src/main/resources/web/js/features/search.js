import { $, el, time } from '../dom.js';

// Search (DESIGN 7.2, README "Search"): GET /v1/search over every conversation of the user, or
// /v1/conversations/{id}/search in the open one; a hit opens its conversation at that message.
let app = null;
let results = null;
let lastQuery = null;

/**
 * The server's highlight is the body HTML-escaped with <mark> around matches. It is still not
 * parsed as HTML here: split on the two tags, unescape the five entities the encoder writes, and
 * build text nodes and <mark> elements, so nothing from the server can become markup.
 */
export function highlighted(highlight) {
  const out = [];
  const parts = String(highlight).split(/(<mark>|<\/mark>)/);
  let marked = false;
  for (const part of parts) {
    if (part === '<mark>') { marked = true; continue; }
    if (part === '</mark>') { marked = false; continue; }
    if (part === '') continue;
    const text = unescape(part);
    out.push(marked ? el('mark', {}, text) : document.createTextNode(text));
  }
  return out;
}

function unescape(s) {
  return s.replace(/&(lt|gt|quot|#x27|#39|amp);/g, (all, name) => ({
    lt: '<', gt: '>', quot: '"', '#x27': "'", '#39': "'", amp: '&',
  })[name]);
}

async function run(query, inOpen) {
  const c = app.openConversation;
  const path = inOpen && c
    ? '/conversations/' + encodeURIComponent(c.id) + '/search?q=' + encodeURIComponent(query)
    : '/search?q=' + encodeURIComponent(query);
  lastQuery = query;
  results.hidden = false;
  results.replaceChildren(el('li', { class: 'muted' }, 'Searching…'));
  let page;
  try {
    page = await app.api.request('GET', path);
  } catch (err) {
    if (lastQuery === query) {
      results.replaceChildren(el('li', { class: 'error' },
        err.status === 503 ? 'Search is unavailable right now' : (err.message || 'search failed')));
    }
    return;
  }
  if (lastQuery !== query) return; // a newer search was typed meanwhile
  const hits = page.results || [];
  if (hits.length === 0) {
    results.replaceChildren(el('li', { class: 'muted' }, 'No messages found'));
    return;
  }
  results.replaceChildren(...hits.map((hit) => {
    const conv = app.conversations.get(hit.conversation_id);
    const where = conv ? conv.title(app.me.user_id) : '';
    const who = conv ? (conv.displayName(hit.sender) || '') : '';
    return el('li', {
      class: 'search-hit', dataset: { conversation: hit.conversation_id, seq: String(hit.seq) },
      onclick: () => { results.hidden = true; app.jumpTo(hit.conversation_id, hit.seq); },
    },
    el('div', { class: 'hit-where muted' }, [where, who, time(hit.ts)].filter(Boolean).join(' · ')),
    el('div', { class: 'hit-text' }, highlighted(hit.highlight || hit.body || '')));
  }));
}

export default {
  name: 'search',
  install(a) {
    app = a;
    const input = el('input', { id: 'search-input', type: 'search', placeholder: 'Search messages',
      'aria-label': 'Search messages', maxlength: 256 });
    const here = el('input', { id: 'search-here', type: 'checkbox' });
    const form = el('form', { id: 'search-form', class: 'inline search' }, input,
      el('label', { class: 'small-text muted', title: 'Only in the open conversation' }, here, 'here'));
    results = el('ul', { id: 'search-results', class: 'search-results', hidden: true, 'aria-label': 'Search results' });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const q = input.value.trim();
      if (q) run(q, here.checked); else results.hidden = true;
    });
    input.addEventListener('keydown', (e) => { if (e.key === 'Escape') { results.hidden = true; input.value = ''; } });
    // in the sidebar, above the list: search spans every conversation
    $('direct-form').before(form, results);
  },
};
