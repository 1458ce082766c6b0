// Desktop notifications while the tab is open but hidden (Notification API); a closed tab is reached
// by Web Push through the service worker (push.js, sw.js) when the edge serves a VAPID key.
export function supported() {
  return 'Notification' in window;
}

export function needsPermission() {
  return supported() && Notification.permission === 'default';
}

export function granted() {
  return supported() && Notification.permission === 'granted';
}

export async function askPermission() {
  if (!supported()) return 'denied';
  return Notification.requestPermission();
}

export function notify(title, body, tag, onClick) {
  if (!supported() || Notification.permission !== 'granted' || !document.hidden) return null;
  const n = new Notification(title, { body, tag });
  n.onclick = () => { window.focus(); onClick(); n.close(); };
  return n;
}
