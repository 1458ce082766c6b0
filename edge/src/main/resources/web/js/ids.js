// Client ids (a message's `id`, a create's `id`): the server drops a repeat of one, so a retry must
// carry the id of its first try. crypto.randomUUID exists only in secure contexts (https, localhost);
// a page served over plain http elsewhere falls back to time and randomness, unique enough per user.
export function newId() {
  return crypto.randomUUID ? crypto.randomUUID()
    : Date.now().toString(36) + '-' + Math.random().toString(36).slice(2);
}
