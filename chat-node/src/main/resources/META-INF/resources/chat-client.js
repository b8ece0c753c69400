// chat-client.js: the chat contract for JavaScript, with no DOM dependency (docs/client.md).
//
//   ChatApi    the HTTP side: accounts, sign-in, user search, presence, conversations and history.
//   ChatClient the socket side: one reconnecting WebSocket that carries the token in
//              Sec-WebSocket-Protocol, an outbox that retries every message with the same ID until
//              the server acks it, an ack for every received message, duplicates dropped by ID across
//              reconnects, exponential backoff with jitter, and an application-level heartbeat.
//
// Works in browsers and in any runtime with WebSocket and fetch (pass them in where they are not
// globals). Everything is plain ES2020.

/** Defaults of ChatClient; every one can be overridden in its options. */
export const DEFAULTS = Object.freeze({
  retryIntervalMs: 5000, // resend an unacked message this often (the same ID every time)
  giveUpAfterMs: 60000, // then mark it 'failed' (retry(id) sends it again, same ID)
  heartbeatIntervalMs: 3000, // send {"type":"ping"} this often while the socket is open
  heartbeatTimeoutMs: 4000, // no frame at all for interval + timeout: the path is dead, reconnect
  connectTimeoutMs: 10000, // an upgrade not answered by then is abandoned (a frozen node accepts TCP)
  reconnectInitialMs: 1000, // first reconnect delay (before jitter)
  reconnectMaxMs: 15000, // the delay doubles per failed attempt up to this
  seenLimit: 5000, // received message IDs remembered for dropping duplicates
  maxBodyChars: 4000, // the server's limit on a body (UTF-16 units, like String.length)
  typingIntervalMs: 2000, // typing(…) sends at most one notice per conversation this often
  renewBeforeMs: 60000, // with a renew option: get a fresh token this long before exp (or at half the time left)
  renewRetryMs: 5000, // a renewal that failed for the network is tried again this often, until exp
});

const ID_RULE = /^[A-Za-z0-9._:-]{1,64}$/;
const TYPING_SERVER_GAP_MS = 1100; // the server takes one typing notice a second per socket

/** A fresh message ID: a UUID (36 characters of [0-9a-f-]). */
export function newMessageId() {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') {
    return c.randomUUID();
  }
  const bytes = new Uint8Array(16);
  if (c && typeof c.getRandomValues === 'function') {
    c.getRandomValues(bytes);
  } else {
    for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  }
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The two subprotocols that carry a bearer token through a browser's WebSocket upgrade. */
export function tokenSubprotocols(token) {
  return ['bearer-token-carrier', encodeURIComponent('quarkus-http-upgrade#Authorization#Bearer ' + token)];
}

/** The socket URL for a page served from the same origin: ws(s)://host/ws/chat. */
export function defaultSocketUrl(base) {
  const origin = base || (globalThis.location && globalThis.location.origin);
  if (!origin) throw new Error('no base URL: pass url to ChatClient');
  const u = new URL('/ws/chat', origin);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.toString();
}

/** Whether a session that expires at epoch second expiresAt is over (with a margin for clock skew). */
export function isExpired(expiresAt, nowMs = Date.now(), marginMs = 5000) {
  return typeof expiresAt === 'number' && expiresAt * 1000 <= nowMs + marginMs;
}

/** An HTTP error of the API: status, the JSON body's error code and message, and Retry-After in seconds. */
export class ApiError extends Error {
  constructor(status, code, message, retryAfter = null) {
    super(message || code || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

/** A 503 the account service answers when it is busy hashing passwords: retried this many times at most. */
const BUSY_RETRIES = 3;
/** A Retry-After longer than this is not waited for: the caller gets the error. */
const BUSY_WAIT_MAX_S = 30;

/**
 * The HTTP side of the contract. All paths are on one origin (HAProxy); `base` defaults to the page's.
 * Every method returns a promise and rejects with ApiError (status 0 when the server was unreachable).
 */
export class ChatApi {
  constructor({ base = '', token = null, fetch: fetchImpl } = {}) {
    this.base = base.replace(/\/$/, '');
    this.token = token;
    this.fetch = fetchImpl || globalThis.fetch.bind(globalThis);
  }

  /** Creates an account: {id, username}. Errors: invalid_username, invalid_password, username_taken. */
  signUp(username, password) {
    return this.whenNotBusy(() => this.request('POST', '/api/users', { username, password }, false));
  }

  /**
   * Signs in: {token, expiresAt (epoch seconds)}; remembers the token for the other calls. The server also sets
   * the session's refresh token in an HttpOnly cookie, which this code never sees (refresh() uses it).
   */
  async signIn(username, password) {
    const r = await this.whenNotBusy(() => this.request('POST', '/api/auth/login', { username, password }, false));
    this.token = r.token;
    return r;
  }

  /**
   * A fresh access token for the session of the refresh cookie: {token, expiresAt}; remembers it. The cookie
   * rotates on every use, so pages of one browser take turns (a Web Lock where there is one): two refreshes
   * racing with the same cookie would look like a stolen token and end the session. Fails with ApiError 401
   * (invalid_refresh) when the session is over.
   */
  async refresh() {
    const run = () => this.whenNotBusy(() => this.request('POST', '/api/auth/refresh', undefined, false));
    const locks = globalThis.navigator && globalThis.navigator.locks;
    const r = locks ? await locks.request('chat-refresh', run) : await run();
    this.token = r.token;
    return r;
  }

  /** Signs this device out: its session's refresh token is revoked and the cookie cleared. */
  signOut() {
    return this.request('POST', '/api/auth/logout', undefined, false);
  }

  /** Signs every device of the account out (this token's account): every session is revoked. */
  signOutEverywhere() {
    return this.request('POST', '/api/auth/logout-all');
  }

  /** Extension: the caller's own account, {id, username, displayName?, avatar?} (avatar: a URL). */
  me() {
    return this.request('GET', '/api/users/me');
  }

  /** Extension: sets the display name (null or blank removes it); answers the account as me() does. */
  updateProfile(displayName) {
    return this.request('PATCH', '/api/users/me', { displayName });
  }

  /** Extension: a PNG or JPEG (a Blob or File, at most 64 KiB) as the avatar; answers the account as me() does. */
  setAvatar(image) {
    return this.request('PUT', '/api/users/me/avatar', image);
  }

  /** Extension: removes the avatar. */
  removeAvatar() {
    return this.request('DELETE', '/api/users/me/avatar');
  }

  /**
   * Extension: a new password; every other session of the account is signed out, this one stays. Errors:
   * wrong_password (403), invalid_password.
   */
  changePassword(currentPassword, newPassword) {
    return this.whenNotBusy(() => this.request('POST', '/api/auth/password', { currentPassword, newPassword }));
  }

  /**
   * Extension: deletes the account for good (its chats move to its key ~ID, then its name may be registered again);
   * the password is asked again.
   */
  deleteAccount(password) {
    return this.whenNotBusy(() => this.request('DELETE', '/api/users/me', { password }));
  }

  /**
   * Extension: another person's public profile, {id, username, displayName, avatar} (null when unset; avatar: a
   * URL); 404 when there is no such account.
   */
  user(username) {
    return this.request('GET', `/api/users/${encodeURIComponent(username)}`);
  }

  /** Users whose name starts with prefix: [{id, username}]. */
  searchUsers(prefix, limit = 10) {
    return this.request('GET', `/api/users?query=${encodeURIComponent(prefix)}&limit=${limit}`);
  }

  /** {name: {online, sockets}} for up to 200 names. */
  presence(names) {
    if (!names.length) return Promise.resolve({});
    return this.request('GET', `/api/presence?users=${names.map(encodeURIComponent).join(',')}`);
  }

  /** The caller's conversations, newest first: [{with, last: {id, seq, from, to, body, ts, delivered}, unread}]. */
  conversations(limit = 50) {
    return this.request('GET', `/api/conversations?limit=${limit}`);
  }

  /** One page of history with peer, newest first; pass the smallest seq seen as `before` for older ones. */
  history(peer, { before, limit = 30 } = {}) {
    const q = before ? `before=${before}&limit=${limit}` : `limit=${limit}`;
    return this.request('GET', `/api/conversations/${encodeURIComponent(peer)}/messages?${q}`);
  }

  /** Marks everything peer sent up to ts (epoch ms) as read. */
  markRead(peer, ts) {
    return this.request('PUT', `/api/conversations/${encodeURIComponent(peer)}/read`, { ts });
  }

  /** The caller's groups, newest first: [{id, name, role, members: N, last: MESSAGE|null, unread}]. */
  groups() {
    return this.request('GET', '/api/groups');
  }

  /** One group with its members: {id, name, role, members: [{username, role}]}. */
  group(id) {
    return this.request('GET', `/api/groups/${encodeURIComponent(id)}`);
  }

  /** Creates a group with the caller as owner: {id, name, role, members: [{username, role}]}. */
  createGroup(name, members = []) {
    return this.request('POST', '/api/groups', { name, members });
  }

  /** Adds username to the group (owner, admin). */
  addMember(id, username) {
    return this.request('POST', `/api/groups/${encodeURIComponent(id)}/members`, { username });
  }

  /** Removes username from the group; the caller's own name leaves it. */
  removeMember(id, username) {
    return this.request('DELETE', `/api/groups/${encodeURIComponent(id)}/members/${encodeURIComponent(username)}`);
  }

  /** A new invite code for the group (owner, admin): {code}; it replaces the previous one. */
  invite(id) {
    return this.request('POST', `/api/groups/${encodeURIComponent(id)}/invite`);
  }

  /** Joins the group of an invite code: the group, as GET /api/groups/{id} answers it. */
  joinGroup(code) {
    return this.request('POST', '/api/groups/join', { code });
  }

  /** One page of a group's history (from the caller's joining), newest first; `before` as for history. */
  groupHistory(id, { before, limit = 30 } = {}) {
    const q = before ? `before=${before}&limit=${limit}` : `limit=${limit}`;
    return this.request('GET', `/api/groups/${encodeURIComponent(id)}/messages?${q}`);
  }

  /** Marks the group's messages up to ts (epoch ms) as read. */
  markGroupRead(id, ts) {
    return this.request('PUT', `/api/groups/${encodeURIComponent(id)}/read`, { ts });
  }

  /** Who has read group message `seq`: {count, names (at most 100)}. */
  groupSeen(id, seq) {
    return this.request('GET', `/api/groups/${encodeURIComponent(id)}/messages/${encodeURIComponent(seq)}/seen`);
  }

  /** Whether the server still accepts the token (false on 401): tells a refused upgrade from a dead node. */
  async tokenAccepted() {
    try {
      await this.request('GET', '/api/conversations?limit=1');
      return true;
    } catch (e) {
      if (e.status === 401) return false;
      throw e;
    }
  }

  /**
   * Runs call, and again after Retry-After while it fails with 503 (the account service's hashing queue is
   * full, or no instance is up: nothing was done), at most BUSY_RETRIES times and only for short waits.
   */
  async whenNotBusy(call) {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (e) {
        const wait = e instanceof ApiError && e.status === 503 ? (e.retryAfter || 1) : null;
        if (wait === null || wait > BUSY_WAIT_MAX_S || attempt >= BUSY_RETRIES) throw e;
        await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      }
    }
  }

  async request(method, path, body, auth = true) {
    const headers = { Accept: 'application/json' };
    // A Blob (an avatar) goes as it is; anything else as JSON.
    const raw = typeof Blob !== 'undefined' && body instanceof Blob;
    if (body !== undefined) headers['Content-Type'] = raw ? (body.type || 'application/octet-stream') : 'application/json';
    if (auth && this.token) headers.Authorization = 'Bearer ' + this.token;
    let res;
    try {
      res = await this.fetch(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
        cache: 'no-store',
      });
    } catch (e) {
      throw new ApiError(0, 'unreachable', 'the server could not be reached');
    }
    const text = await res.text();
    let json = null;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch (e) {
        json = null;
      }
    }
    if (!res.ok) {
      const after = Number.parseInt((res.headers && res.headers.get && res.headers.get('Retry-After')) || '', 10);
      throw new ApiError(res.status, json && json.error, json && json.message, Number.isFinite(after) ? after : null);
    }
    return json;
  }
}

/**
 * One person's connection to the chat: see docs/client.md.
 *
 * Events (subscribe with on(type, fn), which returns an unsubscribe function):
 *   'message'      {id, from, to, body, ts, group?}  a received message, once per (from, id); already acked
 *   'status'       {id, to|group, body, state, error?} an outgoing message changed state:
 *                                                     'sending' → 'sent' (stored) → 'delivered' (the recipient
 *                                                     has it; never for a group), or 'failed' (gave up, or
 *                                                     refused: error.code)
 *                                                     (a change's status has kind and target instead of to|group)
 *   'change'       {id, kind, from, to|group, target, targetFrom, body?, ts} message (targetFrom, target) was
 *                                                     edited ('edit', new body) or deleted ('delete'); once per
 *                                                     (from, id), already acked; also for the person's own changes
 *   'sent'         {id, from, to|group, body, ts}    the person sent this message (from another device or this one)
 *   'read'         {with|group, ts}                  the person read that conversation up to ts (on some device)
 *   'seen'         {by, ts}                          `by` has seen your messages to them up to ts
 *   'typing'       {from, group?}                    someone is typing to you (or in group)
 *   'connection'   {state, attempt, retryInMs?, code?} 'connecting' | 'open' | 'down' (will retry) | 'closed'
 *   'unauthorized' {reason}                           the token expired or was refused (and could not be
 *                                                     renewed); the client stopped
 *   'renewed'      {token, expiresAt}                 the renew option gave a fresh token; the socket was sent it
 *   'frame'        any other server frame (e.g. extensions), as parsed JSON
 */
export class ChatClient {
  constructor(options) {
    const o = { ...DEFAULTS, ...options };
    if (!o.token) throw new Error('ChatClient needs a token');
    this.opts = o;
    this.url = o.url || defaultSocketUrl(o.base);
    this.token = o.token;
    this.expiresAt = o.expiresAt; // epoch seconds, optional
    this.WS = o.WebSocket || globalThis.WebSocket;
    this.now = o.now || (() => Date.now());
    this.random = o.random || Math.random;
    this.authCheck = o.authCheck || null; // async () => boolean: is the token still accepted?
    // async () => {token, expiresAt}: a fresh token of the same user (ChatApi.refresh); rejects with {status: 401}
    // when the session is over. Without it the socket lives until the token's expiry, as before.
    this.renew = o.renew || null;
    this.renewing = null;
    this.storage = o.storage || null; // {getItem, setItem}: keeps the outbox and seen IDs across reloads
    this.storageKey = o.storageKey || 'chat-client';
    this.listeners = new Map();
    this.outbox = new Map(); // id → entry, in sending order
    this.seen = new Set(); // `${from}\n${id}` of received messages, oldest first
    this.ws = null;
    this.everOpened = false;
    this.attempt = 0;
    this.running = false;
    this.timers = { reconnect: null, heartbeat: null, outbox: null, connect: null, typing: null, renew: null };
    this.lastFrameAt = 0;
    this.pingSeq = 0;
    this.typingSentAt = new Map(); // conversation → when typing() last sent a notice there
    this.lastTypingAt = -Infinity; // when the last typing notice went out on the socket
    this.restore();
  }

  // ------------------------------------------------------------------ events

  on(type, fn) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(fn);
    return () => this.listeners.get(type).delete(fn);
  }

  emit(type, detail) {
    const set = this.listeners.get(type);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        fn(detail);
      } catch (e) {
        // A listener's bug must not break the protocol.
        if (globalThis.console) console.error('chat-client listener failed', e);
      }
    }
  }

  // ------------------------------------------------------------------ life cycle

  /** Opens the socket, and keeps it open (reconnecting) until close(). */
  connect() {
    if (this.running) return this;
    this.running = true;
    this.scheduleRenewal();
    this.open();
    this.timers.outbox = setInterval(() => this.tickOutbox(), Math.min(1000, this.opts.retryIntervalMs / 2));
    return this;
  }

  /** Closes the socket for good; the outbox is kept (and stored, with storage). */
  close() {
    this.running = false;
    clearTimeout(this.timers.reconnect);
    clearTimeout(this.timers.connect);
    clearInterval(this.timers.heartbeat);
    clearInterval(this.timers.outbox);
    clearTimeout(this.timers.typing);
    clearTimeout(this.timers.renew);
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      detach(ws);
      try {
        ws.close(1000, 'bye');
      } catch (e) {
        // already closed
      }
    }
    this.emit('connection', { state: 'closed', attempt: this.attempt });
  }

  /**
   * A new token of the same user: the next upgrades carry it, and the open socket is renewed with it (a reauth
   * frame, answered with the new expiry), so the server does not close it at the old token's expiry. Should the
   * reauth be lost with the socket, the reconnect carries the new token anyway.
   */
  setToken(token, expiresAt) {
    this.token = token;
    this.expiresAt = expiresAt;
    this.write({ type: 'reauth', id: 'reauth-' + (++this.pingSeq), token });
    this.scheduleRenewal();
  }

  // ------------------------------------------------------------------ renewal

  /** With a renew option: renews at the later of renewBeforeMs before exp and half the time left. */
  scheduleRenewal() {
    clearTimeout(this.timers.renew);
    if (!this.renew || !this.running || typeof this.expiresAt !== 'number') return;
    const left = this.expiresAt * 1000 - this.now();
    const wait = Math.max(0, left - Math.min(this.opts.renewBeforeMs, left / 2));
    this.timers.renew = setTimeout(() => this.renewNow(), Math.min(wait, 2147483647));
  }

  /**
   * Gets a fresh token through the renew option and hands it to setToken. A refusal (401) ends the client
   * ('unauthorized'); a network failure is tried again every renewRetryMs until the token has expired. One
   * renewal at a time: callers share the one running.
   */
  renewNow() {
    if (!this.renew) return Promise.resolve(false);
    if (this.renewing) return this.renewing;
    clearTimeout(this.timers.renew);
    this.renewing = (async () => {
      try {
        const fresh = await this.renew();
        this.setToken(fresh.token, fresh.expiresAt);
        this.emit('renewed', { token: fresh.token, expiresAt: fresh.expiresAt });
        return true;
      } catch (e) {
        if (!this.running) return false;
        if ((e && e.status === 401) || isExpired(this.expiresAt, this.now(), 0)) {
          this.unauthorized(e && e.status === 401 ? 'rejected' : 'expired');
          return false;
        }
        this.timers.renew = setTimeout(() => this.renewNow(), this.opts.renewRetryMs);
        return false;
      } finally {
        this.renewing = null;
      }
    })();
    return this.renewing;
  }

  /** Whether the socket is open now. */
  get connected() {
    return !!this.ws && this.ws.readyState === 1 && this.wsOpen;
  }

  /** Skips the backoff wait and tries to connect now (e.g. when the network came back). */
  reconnectNow() {
    if (!this.running || this.connected) return;
    clearTimeout(this.timers.reconnect);
    if (!this.ws) this.open();
  }

  open() {
    clearTimeout(this.timers.reconnect);
    if (!this.running) return;
    if (isExpired(this.expiresAt, this.now(), 0)) {
      if (this.renew) {
        this.renewNow().then((ok) => {
          if (!this.running || this.ws) return;
          if (ok) this.open();
          else this.scheduleReconnect(undefined); // the network failed the renewal: try again after the backoff
        });
      } else {
        this.unauthorized('expired');
      }
      return;
    }
    let ws;
    this.wsOpen = false;
    this.emit('connection', { state: 'connecting', attempt: this.attempt });
    try {
      ws = new this.WS(this.url, tokenSubprotocols(this.token));
    } catch (e) {
      this.ws = null;
      this.scheduleReconnect(undefined);
      return;
    }
    this.ws = ws;
    let opened = false;
    this.timers.connect = setTimeout(() => {
      if (this.ws !== ws || opened) return;
      this.dropSocket();
      try {
        ws.close();
      } catch (e) {
        // never opened
      }
      this.scheduleReconnect(undefined);
    }, this.opts.connectTimeoutMs);
    ws.onopen = () => {
      if (this.ws !== ws) return;
      clearTimeout(this.timers.connect);
      opened = true;
      this.wsOpen = true;
      this.everOpened = true;
      this.attempt = 0;
      this.lastFrameAt = this.now();
      this.startHeartbeat();
      this.emit('connection', { state: 'open', attempt: 0 });
      this.flushOutbox();
    };
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      this.lastFrameAt = this.now();
      this.onFrame(ev.data);
    };
    ws.onerror = () => {
      // onclose follows with the details.
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.dropSocket();
      if (!this.running) return;
      if (!opened) {
        this.upgradeFailed(ev && ev.code);
      } else if (ev && ev.code === 1008 && this.renew) {
        // Closed for its token ("token expired") or its session ("signed out"): a fresh token first; a refused
        // refresh ends the client ('unauthorized') instead of reconnecting with a token the node refuses.
        this.renewNow().then(() => {
          if (this.running && !this.ws) this.scheduleReconnect(1008);
        });
      } else {
        this.scheduleReconnect(ev && ev.code);
      }
    };
  }

  /** Forgets the current socket (its late events are ignored) and stops the heartbeat. */
  dropSocket() {
    const ws = this.ws;
    this.ws = null;
    this.wsOpen = false;
    clearInterval(this.timers.heartbeat);
    clearTimeout(this.timers.connect);
    if (ws) detach(ws);
    return ws;
  }

  /**
   * The upgrade failed. Browsers do not tell why; a refused token (401) and an unreachable node look
   * the same. The token's expiry and authCheck (an authenticated HTTP call) tell them apart.
   */
  async upgradeFailed(code) {
    if (isExpired(this.expiresAt, this.now(), 0) && !this.renew) {
      this.unauthorized('expired');
      return;
    }
    if (this.authCheck) {
      let ok = true;
      try {
        ok = await this.authCheck();
      } catch (e) {
        ok = true; // unknown (network down): keep trying
      }
      if (!this.running) return;
      if (!ok && !(this.renew && (await this.renewNow()))) {
        if (this.running) this.unauthorized('rejected');
        return;
      }
    }
    this.scheduleReconnect(code);
  }

  unauthorized(reason) {
    this.close();
    this.emit('unauthorized', { reason });
  }

  /** Exponential backoff with jitter: initial·2^attempt, capped, then a random point in its upper half. */
  nextDelay() {
    const { reconnectInitialMs: initial, reconnectMaxMs: max } = this.opts;
    const ceiling = Math.min(max, initial * Math.pow(2, this.attempt));
    return Math.round(ceiling / 2 + this.random() * (ceiling / 2));
  }

  scheduleReconnect(code) {
    if (!this.running) return;
    const delay = this.nextDelay();
    this.attempt++;
    this.emit('connection', { state: 'down', attempt: this.attempt, retryInMs: delay, code });
    clearTimeout(this.timers.reconnect);
    this.timers.reconnect = setTimeout(() => this.open(), delay);
  }

  // ------------------------------------------------------------------ heartbeat

  /**
   * An idle socket does not notice a dead path (a proxy whose virtual IP moved, a frozen node): ping
   * every heartbeatIntervalMs; when no frame at all came for interval + timeout, drop the socket and
   * reconnect without waiting for TCP to find out.
   */
  startHeartbeat() {
    clearInterval(this.timers.heartbeat);
    const { heartbeatIntervalMs: every, heartbeatTimeoutMs: grace } = this.opts;
    let lastPingAt = this.now();
    this.timers.heartbeat = setInterval(() => {
      if (!this.connected) return;
      const now = this.now();
      if (now - this.lastFrameAt >= every + grace) {
        const ws = this.dropSocket();
        try {
          ws.close(4000, 'heartbeat timeout');
        } catch (e) {
          // nothing to do
        }
        this.scheduleReconnect(4000);
        return;
      }
      if (now - lastPingAt >= every) {
        lastPingAt = now;
        this.pingSeq++;
        this.write({ type: 'ping', id: 'ping-' + this.pingSeq });
      }
    }, Math.min(1000, every));
  }

  // ------------------------------------------------------------------ frames in

  onFrame(data) {
    let f;
    try {
      f = JSON.parse(data);
    } catch (e) {
      return;
    }
    if (!f || typeof f !== 'object') return;
    switch (f.type) {
      case 'msg':
        this.onMsg(f);
        break;
      case 'ack':
        this.onAck(f.id);
        break;
      case 'delivered':
        this.onDelivered(f.id, f.to);
        break;
      case 'error':
        this.onError(f);
        break;
      case 'pong':
        break;
      case 'edit':
      case 'delete':
        this.onChange(f);
        break;
      case 'sent':
        this.onSent(f.frame);
        break;
      case 'read':
        // One of the person's devices read a conversation: every device clears its unread count.
        if (typeof f.ts === 'number') {
          const r = { ts: f.ts };
          if (f.group !== undefined && f.group !== null) r.group = String(f.group);
          else r.with = f.with;
          this.emit('read', r);
        }
        break;
      case 'seen':
        if (typeof f.by === 'string' && typeof f.ts === 'number') this.emit('seen', { by: f.by, ts: f.ts });
        break;
      case 'typing':
        if (typeof f.from === 'string') {
          const t = { from: f.from };
          if (f.group !== undefined && f.group !== null) t.group = String(f.group);
          this.emit('typing', t);
        }
        this.emit('frame', f);
        break;
      default:
        this.emit('frame', f);
    }
  }

  onMsg(f) {
    if (typeof f.id !== 'string') return;
    // Ack every copy, a duplicate too: the first ack may have been lost with the old socket.
    this.write({ type: 'ack', id: f.id });
    const key = seenKey(f.from, f.id);
    if (this.seen.has(key)) return;
    this.remember(key);
    const m = { id: f.id, from: f.from, to: f.to, body: f.body, ts: f.ts };
    if (f.group !== undefined) m.group = f.group;
    this.emit('message', m);
  }

  /**
   * An edit or delete of message (targetFrom, target): acked like a message, every copy, and emitted once
   * ('change': {id, kind, from, to|group, target, targetFrom, body?, ts}).
   */
  onChange(f) {
    if (typeof f.id !== 'string' || typeof f.target !== 'string') return;
    this.write({ type: 'ack', id: f.id });
    const key = seenKey(f.from, f.id);
    if (this.seen.has(key)) return;
    this.remember(key);
    this.emit('change', changeOf(f));
  }

  /**
   * A copy of the person's own frame, made on another device (or this one): a message they sent ('sent': the
   * message as 'message' gives it), or a change they made ('change'). Not acked: the server sends it once.
   */
  onSent(f) {
    if (!f || typeof f !== 'object' || typeof f.id !== 'string') return;
    if (f.type === 'msg') {
      const m = { id: f.id, from: f.from, to: f.to, body: f.body, ts: f.ts };
      if (f.group !== undefined) m.group = f.group;
      this.emit('sent', m);
    } else if ((f.type === 'edit' || f.type === 'delete') && typeof f.target === 'string') {
      const key = seenKey(f.from, f.id);
      if (this.seen.has(key)) return;
      this.remember(key);
      this.emit('change', changeOf(f));
    }
  }

  onAck(id) {
    const e = this.outbox.get(id);
    if (!e) return;
    this.outbox.delete(id);
    this.save();
    this.emit('status', statusOf(e, 'sent'));
  }

  onDelivered(id, to) {
    const e = this.outbox.get(id);
    if (e) {
      this.outbox.delete(id);
      this.save();
    }
    this.emit('status', { id, to: to || (e && e.to), body: e && e.body, state: 'delivered' });
  }

  onError(f) {
    const e = f.id != null ? this.outbox.get(f.id) : null;
    if (!e) {
      this.emit('frame', f);
      return;
    }
    if (f.code === 'unavailable') {
      return; // not stored: the outbox sends it again after retryIntervalMs, same ID
    }
    e.state = 'failed';
    e.error = { code: f.code, message: f.message };
    this.save();
    this.emit('status', statusOf(e, 'failed'));
  }

  // ------------------------------------------------------------------ frames out

  /**
   * Sends body to user `to`; answers the message's {id, to, body, state: 'sending', createdAt}. The
   * outbox sends it now if connected, after a reconnect otherwise, and again every retryIntervalMs
   * with the same ID until the server acks it, for at most giveUpAfterMs.
   */
  send(to, body, id = newMessageId()) {
    return this.enqueue({ to }, body, id);
  }

  /**
   * Sends body to every member of group `group` (its ID): as send, with the same outbox, retries and IDs;
   * answers {id, group, body, state: 'sending', createdAt}. A group message ends at 'sent' (or 'failed'):
   * the server sends no 'delivered' notices for groups.
   */
  sendToGroup(group, body, id = newMessageId()) {
    return this.enqueue({ group: String(group) }, body, id);
  }

  /**
   * Edits the person's own message `target` (its ID) to `body`: a change with an ID of its own, sent through the
   * outbox like a message (retried with the same ID until acked); answers its status record (with `kind`).
   */
  edit(target, body, id = newMessageId()) {
    if (!ID_RULE.test(target)) throw new RangeError('the edited message ID is 1 to 64 characters of [A-Za-z0-9._:-]');
    return this.enqueue({ kind: 'edit', target }, body, id);
  }

  /**
   * Deletes message `target` sent by `targetFrom` (left out: the person's own; a group's owner or admin deletes
   * anyone's), through the outbox as edit does.
   */
  deleteMessage(target, targetFrom, id = newMessageId()) {
    if (!ID_RULE.test(target)) throw new RangeError('the deleted message ID is 1 to 64 characters of [A-Za-z0-9._:-]');
    const t = { kind: 'delete', target };
    if (targetFrom) t.targetFrom = targetFrom;
    return this.enqueue(t, '', id);
  }

  enqueue(target, body, id) {
    const needsBody = target.kind !== 'delete';
    if (typeof body !== 'string' || (needsBody && body.length < 1) || body.length > this.opts.maxBodyChars) {
      throw new RangeError(`a message body has 1 to ${this.opts.maxBodyChars} characters`);
    }
    if (!ID_RULE.test(id)) throw new RangeError('a message ID is 1 to 64 characters of [A-Za-z0-9._:-]');
    const e = { id, ...target, body, state: 'sending', createdAt: this.now(), lastSentAt: 0, attempts: 0 };
    this.outbox.set(id, e);
    if (!target.kind) this.typingSentAt.delete(typingKey(target)); // a message ends a typing burst
    this.transmit(e);
    this.save();
    this.emit('status', statusOf(e, 'sending'));
    return { ...statusOf(e, 'sending'), createdAt: e.createdAt };
  }

  /**
   * Tells `{to: U}` or `{group: G}` that the person is typing. Ephemeral: sent only while connected, and at
   * most once per conversation every typingIntervalMs (the server drops more than one a second anyway).
   * Answers whether a notice was sent.
   */
  typing(target) {
    const t = target || {};
    const group = t.group !== undefined && t.group !== null ? String(t.group) : null;
    if (group === null && typeof t.to !== 'string') throw new TypeError('typing needs {to} or {group}');
    const key = typingKey(group !== null ? { group } : { to: t.to });
    const now = this.now();
    const last = this.typingSentAt.get(key);
    if (last !== undefined && now - last < this.opts.typingIntervalMs) return false;
    if (!this.connected) return false;
    const frame = group !== null ? { type: 'typing', group } : { type: 'typing', to: t.to };
    this.typingSentAt.set(key, now);
    // The server drops a second notice within a second on one socket: a notice that would come too soon
    // (say, right after the one for another conversation, or for the message just sent) waits a little.
    const wait = this.lastTypingAt + TYPING_SERVER_GAP_MS - now;
    clearTimeout(this.timers.typing);
    if (wait > 0) {
      this.timers.typing = setTimeout(() => {
        if (this.connected && this.write(frame)) this.lastTypingAt = this.now();
      }, wait);
      return true;
    }
    const sent = this.write(frame);
    if (sent) this.lastTypingAt = now;
    else this.typingSentAt.delete(key);
    return sent;
  }

  /** Sends a failed message again, with the same ID (so it is never stored twice). */
  retry(id) {
    const e = this.outbox.get(id);
    if (!e || e.state !== 'failed') return false;
    e.state = 'sending';
    e.error = undefined;
    e.createdAt = this.now();
    e.lastSentAt = 0;
    this.transmit(e);
    this.save();
    this.emit('status', statusOf(e, 'sending'));
    return true;
  }

  /** Gives up on an unsent message for good. */
  discard(id) {
    const had = this.outbox.delete(id);
    this.save();
    return had;
  }

  /** The messages not yet acked by the server: [{id, to|group, body, state: 'sending'|'failed', createdAt, error?}]. */
  pending() {
    return [...this.outbox.values()].map(outboxRecord);
  }

  /** Marks messages as already shown (e.g. loaded from history), so a redelivery of them is dropped. */
  markSeen(from, id) {
    const key = seenKey(from, id);
    if (!this.seen.has(key)) this.remember(key);
  }

  hasSeen(from, id) {
    return this.seen.has(seenKey(from, id));
  }

  transmit(e) {
    if (!this.connected) return;
    e.attempts++;
    e.lastSentAt = this.now();
    if (e.kind) {
      const f = { type: e.kind, id: e.id, target: e.target };
      if (e.targetFrom) f.targetFrom = e.targetFrom;
      if (e.kind === 'edit') f.body = e.body;
      this.write(f);
      return;
    }
    this.write(e.group !== undefined && e.group !== null
      ? { type: 'send', id: e.id, group: e.group, body: e.body }
      : { type: 'send', id: e.id, to: e.to, body: e.body });
  }

  flushOutbox() {
    for (const e of this.outbox.values()) {
      if (e.state === 'sending') this.transmit(e);
    }
  }

  tickOutbox() {
    const now = this.now();
    let changed = false;
    for (const e of this.outbox.values()) {
      if (e.state !== 'sending') continue;
      if (now - e.createdAt >= this.opts.giveUpAfterMs) {
        e.state = 'failed';
        e.error = { code: 'timeout', message: 'no answer from the server' };
        changed = true;
        this.emit('status', statusOf(e, 'failed'));
      } else if (this.connected && now - e.lastSentAt >= this.opts.retryIntervalMs) {
        this.transmit(e);
      }
    }
    if (changed) this.save();
  }

  write(frame) {
    const ws = this.ws;
    if (!ws || ws.readyState !== 1) return false;
    try {
      ws.send(JSON.stringify(frame));
      return true;
    } catch (e) {
      return false;
    }
  }

  // ------------------------------------------------------------------ memory

  remember(key) {
    this.seen.add(key);
    if (this.seen.size > this.opts.seenLimit) {
      const oldest = this.seen.values().next().value;
      this.seen.delete(oldest);
    }
    this.saveSeenSoon();
  }

  restore() {
    if (!this.storage) return;
    try {
      const raw = JSON.parse(this.storage.getItem(this.storageKey) || 'null');
      if (!raw) return;
      for (const e of raw.outbox || []) {
        if (e && ID_RULE.test(e.id) && typeof e.body === 'string') {
          // A message from a page that was closed while sending gets a fresh time budget.
          const state = e.state === 'failed' ? 'failed' : 'sending';
          this.outbox.set(e.id, { ...e, state, createdAt: this.now(), lastSentAt: 0, attempts: 0 });
        }
      }
      for (const k of raw.seen || []) this.seen.add(k);
    } catch (e) {
      // unreadable storage: start empty
    }
  }

  save() {
    if (!this.storage) return;
    try {
      const outbox = [...this.outbox.values()].map(outboxRecord);
      const seen = [...this.seen].slice(-1000);
      this.storage.setItem(this.storageKey, JSON.stringify({ outbox, seen }));
    } catch (e) {
      // storage full or unavailable: memory still works
    }
  }

  saveSeenSoon() {
    if (!this.storage || this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      this.save();
    }, 500);
  }
}

/** A status event's detail for outbox entry e: `to` for a one-to-one message, `group` for a group's. */
function statusOf(e, state) {
  const s = { id: e.id };
  if (e.kind) {
    s.kind = e.kind;
    s.target = e.target;
    if (e.targetFrom) s.targetFrom = e.targetFrom;
  } else if (e.group !== undefined && e.group !== null) s.group = e.group;
  else s.to = e.to;
  s.body = e.body;
  s.state = state;
  if (state === 'failed' && e.error) s.error = e.error;
  return s;
}

/** A change frame's detail for the 'change' event. */
function changeOf(f) {
  const c = { id: f.id, kind: f.type, from: f.from, target: f.target, targetFrom: f.targetFrom, ts: f.ts };
  if (f.group !== undefined && f.group !== null) c.group = String(f.group);
  else c.to = f.to;
  if (f.type === 'edit') c.body = f.body;
  return c;
}

function outboxRecord({ id, to, group, body, state, createdAt, error, kind, target, targetFrom }) {
  if (kind) return { id, kind, target, targetFrom, body, state, createdAt, error };
  const r = { id, to, body, state, createdAt, error };
  if (group !== undefined && group !== null) {
    delete r.to;
    r.group = group;
  }
  return r;
}

function typingKey(target) {
  return target.group !== undefined && target.group !== null ? 'g\n' + target.group : 'u\n' + target.to;
}

function seenKey(from, id) {
  return `${from}\n${id}`;
}

function detach(ws) {
  ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
}
