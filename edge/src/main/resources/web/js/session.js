// The access token lives in sessionStorage: it survives a reload of this tab, not the tab's end,
// and is never put in a URL except the WebSocket upgrade (browsers cannot set headers there).
const KEY = 'parley.session';

export function load() {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY));
    if (s && s.token && s.expires_at > Date.now()) return s;
  } catch (e) {
    // a damaged entry is the same as none
  }
  sessionStorage.removeItem(KEY);
  return null;
}

export function save(session) {
  sessionStorage.setItem(KEY, JSON.stringify(session));
}

export function clearSession() {
  sessionStorage.removeItem(KEY);
}
