// The HTTP half of protocol v1 (README "Protocol v1 as built"): JSON with its Content-Type, the
// token in the Authorization header, errors as {code, message}.
import { newId } from './ids.js';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code || ('HTTP ' + status));
    this.status = status;
    this.code = code;
  }
}

export class Api {
  constructor(tokenSource, onUnauthorized) {
    this.token = tokenSource;
    this.onUnauthorized = onUnauthorized;
  }

  /**
   * One request; a GET answered 429 (the reads bucket, `rate.limit.reads.*`: a page opening in many
   * conversations at once reads a lot) is sent again after its Retry-After, up to 5 times. Commands
   * are not: their 429 is the user's to see.
   */
  async request(method, path, body) {
    for (let tries = 1; ; tries++) {
      try {
        return await this.requestOnce(method, path, body);
      } catch (err) {
        if (method !== 'GET' || !(err instanceof ApiError) || err.status !== 429 || tries >= 5) throw err;
        await new Promise((resolve) => setTimeout(resolve, 1000 * Math.min(err.retryAfter || 1, 10)));
      }
    }
  }

  async requestOnce(method, path, body) {
    const headers = {};
    const token = this.token();
    if (token) headers.Authorization = 'Bearer ' + token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch('/v1' + path, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store',
      });
    } catch (e) {
      throw new ApiError(0, 'offline', 'cannot reach the server');
    }
    const text = await response.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
    if (!response.ok) {
      if (response.status === 401 && token && this.onUnauthorized) this.onUnauthorized();
      const error = new ApiError(response.status, data && data.code, data && data.message);
      error.retryAfter = Number(response.headers.get('Retry-After')) || 0;
      throw error;
    }
    return data;
  }

  /** `call` again after 0.5, 1 and 2 s while it fails with 503 or without an answer (status 0). */
  async retried(call) {
    for (let delay = 500; ; delay *= 2) {
      try {
        return await call();
      } catch (err) {
        if (!(err instanceof ApiError) || (err.status !== 503 && err.status !== 0) || delay > 2000) throw err;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  signUp(username, password, displayName) {
    const body = { username, password };
    if (displayName) body.display_name = displayName;
    return this.request('POST', '/users', body);
  }
  signIn(username, password) { return this.request('POST', '/tokens', { username, password }); }
  findUser(username) { return this.request('GET', '/users?username=' + encodeURIComponent(username)); }
  conversations() { return this.request('GET', '/conversations'); }
  members(id) { return this.request('GET', '/conversations/' + encodeURIComponent(id) + '/members'); }
  // A create that got 503 (the edge had no answer in time) or no answer at all may have happened:
  // it is sent again, a few times, with the same body. A direct conversation's id is its two
  // members', and a group's is derived from its creator and the `id` drawn here once per create, so
  // a repeat answers 200 with the conversation the first one made instead of making a second.
  createDirect(userId) {
    return this.retried(() => this.request('POST', '/conversations', { type: 'direct', members: [userId] }));
  }
  createGroup(name, userIds) {
    const id = newId();
    return this.retried(() => this.request('POST', '/conversations', { type: 'group', name, members: userIds, id }));
  }
  addMembers(id, userIds) {
    return this.request('POST', '/conversations/' + encodeURIComponent(id) + '/members', { members: userIds });
  }
  removeMember(id, userId) {
    return this.request('DELETE',
      '/conversations/' + encodeURIComponent(id) + '/members/' + encodeURIComponent(userId));
  }
  /** One page: {messages (ascending seq), next}; `cursor` is {after: N} or {before: N} or nothing (newest). */
  messages(id, cursor = {}, limit = 50) {
    const q = new URLSearchParams({ limit: String(limit) });
    if (cursor.after !== undefined) q.set('after', String(cursor.after));
    if (cursor.before !== undefined) q.set('before', String(cursor.before));
    return this.request('GET', '/conversations/' + encodeURIComponent(id) + '/messages?' + q);
  }
}
