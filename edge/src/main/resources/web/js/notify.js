// Desktop notifications while the tab is hidden (Notification API). Web Push through a service
// worker needs the push sink's VAPID public key from the edge, which the API does not publish yet:
// until it does, a closed tab gets no notification (README "The web chat page").
export function supported() {
  return 'Notification' in window;
}

export function needsPermission() {
  return supported() && Notification.permission === 'default';
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
