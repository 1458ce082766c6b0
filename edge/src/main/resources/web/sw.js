// The page's service worker (README "Web Push"), served from the root so its scope is the whole page.
// It shows a notification for each Web Push the push sink sends (the decrypted JSON
// {"title","body","conversation_id","seq","count"}; title and body are absent in a content-free
// push), and on a click focuses a tab of the page, or opens one, at that conversation.
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (e) {
    data = {}; // not ours to parse: still say something arrived, as browsers require of a push
  }
  const count = Number(data.count) || 1;
  const title = typeof data.title === 'string' && data.title ? data.title : 'Parley';
  const body = typeof data.body === 'string' && data.body ? data.body
    : (count > 1 ? count + ' new messages' : 'New message');
  event.waitUntil(self.registration.showNotification(title, {
    body,
    tag: typeof data.conversation_id === 'string' ? data.conversation_id : 'parley',
    data: { conversation_id: data.conversation_id || null, seq: Number(data.seq) || null },
  }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const { conversation_id: id, seq } = event.notification.data || {};
  event.waitUntil((async () => {
    const tabs = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const tab = tabs.find((t) => new URL(t.url).origin === self.location.origin);
    if (tab) {
      tab.postMessage({ type: 'open', conversation_id: id, seq });
      return tab.focus();
    }
    // a new tab signs in first (the token is per tab), then opens the conversation of #c=
    return self.clients.openWindow(id ? '/#c=' + encodeURIComponent(id) : '/');
  })());
});
