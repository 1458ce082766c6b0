// Web Push from the page (README "Web Push"): the service worker sw.js is registered for the whole
// page; "Enable notifications" asks for permission and, when the edge publishes the push sink's
// VAPID public key (GET /v1/push/vapid-public-key), subscribes through the browser's PushManager and
// registers the subscription as a device (POST /v1/devices, platform webpush). A push then reaches a
// closed tab; the push sink sends one only to a user with no open socket, so an open tab is not
// notified twice. The device id is derived from the subscription's endpoint, so registering again
// (each sign-in) replaces the device instead of adding one; signing out removes it.
let registration = null;

export function supported() {
  return 'serviceWorker' in navigator && 'PushManager' in window;
}

/** Registers sw.js (scope: the page); null where service workers are unavailable. */
export async function registerWorker() {
  if (!('serviceWorker' in navigator)) return null;
  try {
    registration = await navigator.serviceWorker.register('sw.js', { scope: './' });
  } catch (e) {
    registration = null; // an insecure origin, or a browser that refuses: tab notifications remain
  }
  return registration;
}

/** Tabs the service worker asks to show a conversation (a notification was clicked). */
export function onOpenRequest(handler) {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.addEventListener('message', (event) => {
    const m = event.data || {};
    if (m.type === 'open' && typeof m.conversation_id === 'string') handler(m.conversation_id, m.seq || null);
  });
}

/** The VAPID public key as bytes, or null when the edge serves none (Web Push off). */
async function vapidKey(api) {
  try {
    const r = await api.request('GET', '/push/vapid-public-key');
    return base64UrlBytes(r.public_key);
  } catch (e) {
    return null;
  }
}

function base64UrlBytes(s) {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

async function deviceId(endpoint) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(endpoint));
  return 'web_' + [...new Uint8Array(digest)].slice(0, 16).map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Subscribes (or takes the existing subscription) and registers it for the signed-in user.
 * Returns 'registered', 'off' (no key served), 'unsupported', or throws the browser's or the API's
 * error (Chromium without its push service: "Registration failed - push service error").
 */
export async function subscribe(api, { ask }) {
  if (!supported() || !registration) return 'unsupported';
  const key = await vapidKey(api);
  if (!key) return 'off';
  let sub = await registration.pushManager.getSubscription();
  if (!sub) {
    if (!ask) return 'off';
    sub = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  }
  const json = sub.toJSON();
  const id = await deviceId(json.endpoint);
  await api.request('POST', '/devices', {
    platform: 'webpush', device_id: id,
    subscription: { endpoint: json.endpoint, keys: { p256dh: json.keys.p256dh, auth: json.keys.auth } },
  });
  return 'registered';
}

/** Whether this browser holds a subscription already (then the button has nothing left to offer). */
export async function subscribed() {
  if (!supported() || !registration) return false;
  return (await registration.pushManager.getSubscription()) !== null;
}

/** Whether subscribing could work here: a worker, a PushManager, and a key from the edge. */
export async function available(api) {
  return supported() && registration !== null && (await vapidKey(api)) !== null;
}

/**
 * Signing out: the device is removed and the subscription ended, so this browser gets none of that
 * user's pushes even if the removal did not get through (the push service then answers the push
 * sink 410, and the sink removes the device).
 */
export async function unregister(api) {
  if (!registration) return;
  const sub = await registration.pushManager.getSubscription();
  if (!sub) return;
  try {
    await api.request('DELETE', '/devices/' + encodeURIComponent(await deviceId(sub.endpoint)));
  } catch (e) {
    // ended below either way
  }
  await sub.unsubscribe();
}
