// The chat page: sign in, conversations, one conversation. Everything about the protocol lives in
// chat-client.js; this file only shows it. User text only ever goes through textContent.
import { ApiError, ChatApi, ChatClient, isExpired } from './chat-client.js';

const SESSION_KEY = 'chat.session';
const PAGE_SIZE = 30;
const PRESENCE_EVERY_MS = 10000;
const USERNAME = /^[a-z0-9_.-]{3,32}$/;
const STATE_RANK = { sending: 1, failed: 1, sent: 2, delivered: 3 };
const STATE_TEXT = { sending: 'Sending', sent: 'Sent', delivered: 'Delivered', failed: 'Not sent' };
const STATE_MARK = { sending: '\u25F7', sent: '\u2713', delivered: '\u2713\u2713', failed: '!' };
const DELETED_TEXT = 'Message deleted';
const TYPING_SHOWN_MS = 4000; // "alice is typing…" stays this long after her last notice
// A conversation's key: the peer's username, or 'g:' + the group's ID (usernames never hold a colon).
const GROUP_PREFIX = 'g:';
const isGroupKey = (k) => typeof k === 'string' && k.startsWith(GROUP_PREFIX);
const groupKey = (id) => GROUP_PREFIX + String(id);
const groupIdOf = (k) => k.slice(GROUP_PREFIX.length);

const $ = (id) => document.getElementById(id);
const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

// ------------------------------------------------------------------ state

let session = null; // {username, token, expiresAt}
let api = null;
let client = null;
let authMode = 'signin';
let openPeer = null;
let wasDown = false;
let everOpen = false;
const convs = new Map(); // key → {key, peer | group, name?, role?, memberCount?, last, unread, baselineTs}
const threads = new Map(); // key → {msgs: Map key→msg, els: Map key→li, minSeq, exhausted, loaded, loading, readTs}
const typers = new Map(); // key → Map(username → until epoch ms)
let groupMembers = null; // the open group's {id, role, members: [{username, role}]} while its panel is open
let newGroupChosen = []; // usernames picked in the "New group" form
let newGroupResults = [];
const presence = new Map(); // username → online
let searchResults = [];
let profile = null; // the account's own {id, username, displayName?, avatar?} once loaded
let editing = null; // {peer, target} while the composer edits one of the person's messages
const timers = {};

// ------------------------------------------------------------------ session

function loadSession() {
  try {
    const s = JSON.parse(localStorage.getItem(SESSION_KEY) || 'null');
    if (s && typeof s.token === 'string' && typeof s.username === 'string' && typeof s.expiresAt === 'number') {
      return s;
    }
  } catch (e) {
    // unreadable: signed out
  }
  return null;
}

function saveSession(s) {
  localStorage.setItem(SESSION_KEY, JSON.stringify(s));
}

async function boot() {
  bindAuth();
  bindChat();
  const s = loadSession();
  if (s && !isExpired(s.expiresAt)) {
    startChat(s);
    return;
  }
  // No usable access token: the refresh cookie (HttpOnly, unseen here) may still hold the session.
  const resumed = await resume();
  if (resumed) {
    saveSession(resumed);
    startChat(resumed);
  } else if (s) {
    localStorage.removeItem(SESSION_KEY);
    showAuth('Your session expired. Please sign in again.');
  } else {
    showAuth();
  }
}

/** The session of the refresh cookie, with a fresh access token; null when there is none. */
async function resume() {
  try {
    const r = await new ChatApi().refresh();
    const username = claims(r.token).upn;
    return typeof username === 'string' ? { username, token: r.token, expiresAt: r.expiresAt } : null;
  } catch (e) {
    return null;
  }
}

/** A JWT's claims (not verified: the server does that; the page only reads its own name). */
function claims(jwt) {
  const part = String(jwt).split('.')[1] || '';
  return JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/')));
}

/** The session is over (expired or refused): back to sign-in, with a message saying why. */
function sessionOver(message) {
  if (!session) return;
  stopChat();
  localStorage.removeItem(SESSION_KEY);
  showAuth(message);
}

/**
 * Signs this device out (everywhere: every device of the account). The server revokes the session(s) and
 * clears the refresh cookie before the sign-in screen shows, so a quick sign-in again cannot lose its new
 * cookie to the late answer of the sign-out.
 */
async function signOut(everywhere) {
  const key = session && clientStorageKey(session.username);
  const a = api;
  stopChat();
  localStorage.removeItem(SESSION_KEY);
  if (key) localStorage.removeItem(key); // a shared computer keeps nothing of this person
  let notice = everywhere ? 'You signed out on every device.' : 'You signed out.';
  try {
    if (a) await (everywhere ? a.signOutEverywhere() : a.signOut());
  } catch (e) {
    if (everywhere) notice = 'You signed out here, but other devices could not be signed out. Sign in and try again.';
  }
  showAuth(notice);
}

function clientStorageKey(username) {
  return 'chat.client.' + username;
}

// ------------------------------------------------------------------ sign in / sign up

function showAuth(notice) {
  document.body.dataset.view = 'auth';
  document.title = 'Sign in · Chat';
  $('chat-view').hidden = true;
  $('auth-view').hidden = false;
  hideBanner();
  setAuthMode('signin');
  const n = $('auth-notice');
  n.textContent = notice || '';
  n.hidden = !notice;
  $('auth-error').textContent = '';
  $('auth-password').value = '';
  $('auth-username').focus();
}

function setAuthMode(mode) {
  authMode = mode;
  const up = mode === 'signup';
  $('auth-title').textContent = up ? 'Create your account' : 'Sign in';
  $('auth-submit').textContent = up ? 'Create account' : 'Sign in';
  $('auth-switch-text').textContent = up ? 'Have an account?' : 'New here?';
  $('auth-switch').textContent = up ? 'Sign in' : 'Create an account';
  $('auth-username-hint').hidden = !up;
  $('auth-password-hint').hidden = !up;
  $('auth-password').autocomplete = up ? 'new-password' : 'current-password';
  $('auth-error').textContent = '';
  for (const id of ['auth-username', 'auth-password']) $(id).removeAttribute('aria-invalid');
}

function bindAuth() {
  $('auth-switch').addEventListener('click', () => {
    setAuthMode(authMode === 'signin' ? 'signup' : 'signin');
    $('auth-notice').hidden = true;
    $('auth-username').focus();
  });
  $('auth-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const username = $('auth-username').value.trim().toLowerCase();
    const password = $('auth-password').value;
    const problem = checkCredentials(username, password);
    if (problem) {
      authError(problem.text, problem.field);
      return;
    }
    const button = $('auth-submit');
    const label = button.textContent;
    button.disabled = true;
    button.textContent = authMode === 'signup' ? 'Creating your account…' : 'Signing in…';
    $('auth-error').textContent = '';
    try {
      const a = new ChatApi();
      if (authMode === 'signup') await a.signUp(username, password);
      const r = await a.signIn(username, password);
      const s = { username, token: r.token, expiresAt: r.expiresAt };
      saveSession(s);
      $('auth-password').value = '';
      startChat(s);
    } catch (e) {
      authError(authMessage(e), e.code === 'username_taken' || e.code === 'invalid_username' ? 'auth-username'
        : e.code === 'invalid_password' ? 'auth-password' : null);
    } finally {
      button.disabled = false;
      button.textContent = label;
    }
  });
}

function checkCredentials(username, password) {
  if (!username) return { text: 'Enter your username.', field: 'auth-username' };
  if (!password) return { text: 'Enter your password.', field: 'auth-password' };
  if (authMode === 'signup') {
    if (!USERNAME.test(username)) {
      return { text: 'Usernames have 3 to 32 characters: lower-case letters, digits, _ . or -', field: 'auth-username' };
    }
    if (password.length < 8) return { text: 'Passwords have at least 8 characters.', field: 'auth-password' };
    if (password.length > 128 || new TextEncoder().encode(password).length > 72) {
      return { text: 'That password is too long (at most 72 bytes).', field: 'auth-password' };
    }
  }
  return null;
}

function authMessage(e) {
  if (!(e instanceof ApiError)) return 'Something went wrong. Please try again.';
  if (e.status === 0) return 'The server cannot be reached. Check your connection and try again.';
  if (e.status === 401) return 'Wrong username or password.';
  if (e.status === 429) return 'Too many attempts. Wait a moment and try again.';
  switch (e.code) {
    case 'username_taken':
      return 'That username is taken. Pick another one.';
    case 'invalid_username':
      return 'Usernames have 3 to 32 characters: lower-case letters, digits, _ . or -';
    case 'invalid_password':
      return 'Passwords have 8 to 128 characters (at most 72 bytes).';
    default:
      return e.status >= 500 ? 'The server is having trouble. Please try again in a moment.' : e.message;
  }
}

function authError(text, field) {
  $('auth-error').textContent = text;
  for (const id of ['auth-username', 'auth-password']) {
    if (id === field) $(id).setAttribute('aria-invalid', 'true');
    else $(id).removeAttribute('aria-invalid');
  }
  if (field) $(field).focus();
}

// ------------------------------------------------------------------ signed in

async function startChat(s) {
  session = s;
  api = new ChatApi({ token: s.token });
  document.body.dataset.view = 'chat';
  document.body.dataset.connection = 'connecting';
  $('auth-view').hidden = true;
  $('chat-view').hidden = false;
  $('me-name').textContent = s.username;
  paintAvatar($('me-avatar'), s.username);
  loadProfile(s);
  closeConversation(false);
  updateTitle();

  // The client renews the access token before it expires (the refresh cookie, then a reauth frame on the
  // socket); when the session cannot be renewed it says 'unauthorized' and the person signs in again.
  const a = api;
  client = new ChatClient({
    ...clientTimings(),
    token: s.token,
    expiresAt: s.expiresAt,
    authCheck: () => a.tokenAccepted(),
    renew: () => a.refresh(),
    storage: localStorage,
    storageKey: clientStorageKey(s.username),
  });
  client.on('message', onMessage);
  client.on('status', onStatus);
  client.on('connection', onConnection);
  client.on('unauthorized', () => sessionOver('Your session expired. Please sign in again.'));
  client.on('renewed', (r) => {
    if (session !== s) return;
    s.token = r.token;
    s.expiresAt = r.expiresAt;
    saveSession(s);
  });
  client.on('typing', onTyping);
  client.on('sent', onSent);
  client.on('change', onChange);
  client.on('read', onRead);
  client.on('seen', onSeen);
  client.on('frame', (f) => {
    if (f && f.type === 'group') onGroupChange(f);
  });

  // The list first: a redelivered message it already counts as unread is not counted again.
  await loadConversations();
  if (client && session === s) client.connect();
  timers.presence = setInterval(refreshPresence, PRESENCE_EVERY_MS);
  if (session === s) joinFromHash();
}

/**
 * The client's timings may be tuned per browser (tests use it to give up sooner), e.g.
 * localStorage['chat.clientOptions'] = '{"giveUpAfterMs": 5000}'. Only numbers of known options count.
 */
function clientTimings() {
  const known = ['retryIntervalMs', 'giveUpAfterMs', 'heartbeatIntervalMs', 'heartbeatTimeoutMs', 'connectTimeoutMs',
    'reconnectInitialMs', 'reconnectMaxMs'];
  try {
    const o = JSON.parse(localStorage.getItem('chat.clientOptions') || '{}');
    return Object.fromEntries(known.filter((k) => Number.isFinite(o[k]) && o[k] > 0).map((k) => [k, o[k]]));
  } catch (e) {
    return {};
  }
}

function stopChat() {
  closeAccount();
  profile = null;
  if (client) client.close();
  client = null;
  session = null;
  api = null;
  for (const t of Object.values(timers)) {
    clearTimeout(t);
    clearInterval(t);
  }
  convs.clear();
  threads.clear();
  presence.clear();
  typers.clear();
  closeNewGroup(false);
  openPeer = null;
  wasDown = false;
  everOpen = false;
  searchResults = [];
  $('people-search').value = '';
  renderSearch();
  $('conversation-list').replaceChildren();
  $('messages').replaceChildren();
  delete document.body.dataset.connection;
}

/**
 * An API call; a 401 renews the token once (the refresh cookie) and tries again, and ends the session when that
 * fails too. Answers null when the call failed.
 */
async function call(fn) {
  const s = session;
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401 && session === s) {
      if (client && (await client.renewNow()) && session === s) {
        try {
          return await fn();
        } catch (again) {
          return null;
        }
      }
      if (session === s) sessionOver('Your session expired. Please sign in again.');
    }
    return null;
  }
}

/**
 * An API call whose refusals the caller shows itself: a 401 renews the token once and tries again; any other
 * failure (or a second 401) is thrown to the caller.
 */
async function renewing(fn) {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401 && client && (await client.renewNow())) return fn();
    throw e;
  }
}

// ------------------------------------------------------------------ your account

/** Shows the account's display name and picture in the header (the username stays in its title). */
async function loadProfile(s) {
  const me = await call(() => api.me());
  if (me && session === s) showProfile(me);
}

function showProfile(me) {
  profile = me;
  const name = $('me-name');
  name.textContent = me.displayName || me.username;
  name.title = me.username;
  paintAvatar($('me-avatar'), me.username);
  paintPicture($('me-avatar'), me.avatar);
  paintAvatar($('profile-avatar'), me.username);
  paintPicture($('profile-avatar'), me.avatar);
}

/** Puts the picture at url (a same-origin avatar URL) into an avatar circle; none keeps the initials. */
function paintPicture(node, url) {
  if (!url) return;
  const img = el('img');
  img.alt = '';
  img.src = url;
  node.replaceChildren(img);
}

function openAccount() {
  if (!session) return;
  const me = profile || { username: session.username };
  $('profile-display-name').value = me.displayName || '';
  $('profile-avatar-file').value = '';
  for (const id of ['profile-error', 'profile-status', 'password-error', 'password-status', 'delete-error']) {
    $(id).textContent = '';
  }
  for (const id of ['password-current', 'password-new', 'delete-password']) $(id).value = '';
  for (const u of document.querySelectorAll('.account-username')) u.value = session.username;
  paintAvatar($('profile-avatar'), me.username);
  paintPicture($('profile-avatar'), me.avatar);
  const d = $('account-dialog');
  if (!d.open) d.showModal();
}

function closeAccount() {
  const d = $('account-dialog');
  if (d.open) d.close();
}

const AVATAR_MAX_BYTES = 64 * 1024;

async function saveProfile(ev) {
  ev.preventDefault();
  const s = session;
  $('profile-error').textContent = '';
  $('profile-status').textContent = '';
  const file = $('profile-avatar-file').files[0];
  if (file && file.size > AVATAR_MAX_BYTES) {
    $('profile-error').textContent = 'That picture is too large: at most 64 KB.';
    return;
  }
  try {
    let me = await renewing(() => api.updateProfile($('profile-display-name').value));
    if (file) me = await renewing(() => api.setAvatar(file));
    if (session !== s) return;
    showProfile(me);
    $('profile-avatar-file').value = '';
    $('profile-status').textContent = 'Saved.';
  } catch (e) {
    if (session !== s) return;
    $('profile-error').textContent = e.code === 'unsupported_image' ? 'That file is not a PNG or JPEG picture.'
      : e.code === 'avatar_too_large' || e.code === 'body_too_large' ? 'That picture is too large: at most 64 KB and 1024 pixels a side.'
        : e.code === 'invalid_display_name' ? 'A display name is at most 64 characters.'
          : 'Could not save: ' + (e.message || 'try again');
  }
}

async function removePicture() {
  const s = session;
  try {
    await renewing(() => api.removeAvatar());
    const me = await renewing(() => api.me());
    if (session === s) showProfile(me);
  } catch (e) {
    if (session === s) $('profile-error').textContent = 'Could not remove the picture: ' + (e.message || 'try again');
  }
}

async function changePassword(ev) {
  ev.preventDefault();
  const s = session;
  $('password-error').textContent = '';
  $('password-status').textContent = '';
  try {
    await renewing(() => api.changePassword($('password-current').value, $('password-new').value));
    if (session !== s) return;
    $('password-current').value = '';
    $('password-new').value = '';
    $('password-status').textContent = 'Password changed. Your other devices were signed out.';
  } catch (e) {
    if (session !== s) return;
    $('password-error').textContent = e.code === 'wrong_password' ? 'The current password is wrong.'
      : e.code === 'invalid_password' ? e.message : 'Could not change the password: ' + (e.message || 'try again');
  }
}

async function deleteAccount(ev) {
  ev.preventDefault();
  const s = session;
  $('delete-error').textContent = '';
  try {
    await renewing(() => api.deleteAccount($('delete-password').value));
  } catch (e) {
    if (session === s) {
      $('delete-error').textContent = e.code === 'wrong_password' ? 'The password is wrong.'
        : 'Could not delete the account: ' + (e.message || 'try again');
    }
    return;
  }
  if (session !== s) return;
  const key = clientStorageKey(s.username);
  stopChat();
  localStorage.removeItem(SESSION_KEY);
  localStorage.removeItem(key);
  showAuth('Your account was deleted.');
}

// ------------------------------------------------------------------ connection banner

function onConnection(c) {
  document.body.dataset.connection = c.state;
  if (c.state === 'open') {
    if (wasDown) {
      showBanner('up', 'Connected again.');
      timers.banner = setTimeout(hideBanner, 4000);
      // Catch up on what the socket does not repeat: delivered notices, the list's unread counts.
      loadConversations();
      if (openPeer) loadNewest(openPeer);
    }
    wasDown = false;
    everOpen = true;
  } else if (c.state === 'down') {
    wasDown = true;
    const text = navigator.onLine === false ? 'You are offline. Waiting for the network…'
      : everOpen ? 'Connection lost. Reconnecting…' : 'Cannot reach the chat. Retrying…';
    showBanner('down', text);
  }
}

function showBanner(state, text) {
  clearTimeout(timers.banner);
  const b = $('banner');
  b.dataset.state = state;
  $('banner-text').textContent = text;
  $('banner-retry').hidden = state !== 'down';
  b.hidden = false;
}

function hideBanner() {
  clearTimeout(timers.banner);
  const b = $('banner');
  b.hidden = true;
  delete b.dataset.state;
}

// ------------------------------------------------------------------ conversations

async function loadConversations() {
  const s = session;
  const [list, groups] = await Promise.all([call(() => api.conversations(50)), call(() => api.groups())]);
  if (!list || session !== s) return;
  for (const g of groups || []) {
    const key = groupKey(g.id);
    const conv = ensureGroupConv(g.id, g);
    conv.last = newer(conv.last, g.last);
    conv.baselineTs = g.last ? g.last.ts : 0;
    conv.unread = isReading(key) ? 0 : g.unread;
  }
  for (const c of list) {
    const known = convs.get(c.with);
    const conv = known || { key: c.with, peer: c.with };
    conv.last = newer(conv.last, c.last);
    conv.baselineTs = c.last ? c.last.ts : 0;
    conv.unread = isReading(c.with) ? 0 : c.unread;
    convs.set(c.with, conv);
  }
  renderConversations();
  refreshPresence();
  if (openPeer) scheduleRead(openPeer);
}

function ensureConv(peer) {
  let c = convs.get(peer);
  if (!c) {
    c = { key: peer, peer, last: null, unread: 0, baselineTs: 0 };
    convs.set(peer, c);
  }
  return c;
}

/** The group's entry of the list; `info` ({name, role, members}) fills it, else it is fetched. */
function ensureGroupConv(id, info) {
  const key = groupKey(id);
  let c = convs.get(key);
  if (!c) {
    c = { key, group: String(id), name: 'Group', role: 'member', memberCount: 0, last: null, unread: 0, baselineTs: 0 };
    convs.set(key, c);
    if (!info) fetchGroup(String(id));
  }
  if (info) applyGroupInfo(c, info);
  return c;
}

function applyGroupInfo(c, g) {
  if (typeof g.name === 'string') c.name = g.name;
  if (typeof g.role === 'string') c.role = g.role;
  if (Array.isArray(g.members)) c.memberCount = g.members.length;
  else if (Number.isFinite(g.members)) c.memberCount = g.members;
}

/** Fetches a group (name, role, members) into the list, the header and the members panel. */
async function fetchGroup(id) {
  const s = session;
  const g = await call(() => api.group(id));
  if (!g || session !== s) return null;
  const c = convs.get(groupKey(id));
  if (c) applyGroupInfo(c, g);
  if (openPeer === groupKey(id)) {
    groupMembers = { id, role: g.role, members: g.members || [] };
    renderMembers();
    openHeader();
    renderPeerHeader();
  }
  renderConversations();
  return g;
}

function convName(key) {
  if (!isGroupKey(key)) return key;
  const c = convs.get(key);
  return c ? c.name : 'Group';
}

function newer(a, b) {
  if (!a) return b || null;
  if (!b) return a;
  return b.ts >= a.ts ? b : a;
}

function isReading(peer) {
  return openPeer === peer && document.visibilityState === 'visible';
}

function renderConversations() {
  const ul = $('conversation-list');
  const sorted = [...convs.values()].sort((a, b) => (b.last ? b.last.ts : Infinity) - (a.last ? a.last.ts : Infinity));
  const existing = new Map([...ul.children].map((li) => [li.dataset.peer, li]));
  sorted.forEach((c, i) => {
    let li = existing.get(c.key);
    if (!li) {
      li = buildConversationItem(c.key);
    }
    existing.delete(c.key);
    fillConversationItem(li, c);
    if (ul.children[i] !== li) ul.insertBefore(li, ul.children[i] || null);
  });
  for (const li of existing.values()) li.remove();
  $('conversations-empty').hidden = convs.size > 0;
  updateTitle();
}

function buildConversationItem(peer) {
  const li = el('li');
  li.dataset.peer = peer; // the conversation's key ('g:ID' for a group)
  if (isGroupKey(peer)) li.dataset.group = groupIdOf(peer);
  const b = el('button', 'conversation-item');
  b.type = 'button';
  const av = el('span', 'avatar');
  av.setAttribute('aria-hidden', 'true');
  b.append(av, el('span', 'name', convName(peer)), el('span', 'time'), el('span', 'preview'), el('span', 'badge'));
  b.addEventListener('click', () => openConversation(peer));
  li.append(b);
  return li;
}

function fillConversationItem(li, c) {
  const b = li.firstChild;
  const isGroup = !!c.group;
  const name = isGroup ? c.name : c.peer;
  const online = !isGroup && presence.get(c.peer) === true;
  b.querySelector('.name').textContent = name;
  if (isGroup) paintGroupAvatar(b.querySelector('.avatar'), name);
  else paintAvatar(b.querySelector('.avatar'), c.peer, online);
  const last = c.last;
  const mine = last && last.from === session.username;
  const preview = last ? (mine ? 'You: ' : isGroup ? `${last.from}: ` : '') + oneLine(last.body) : 'No messages yet';
  b.querySelector('.preview').textContent = preview;
  const time = b.querySelector('.time');
  time.textContent = last ? shortTime(last.ts, true) : '';
  const badge = b.querySelector('.badge');
  badge.textContent = c.unread > 99 ? '99+' : String(c.unread);
  badge.hidden = !(c.unread > 0);
  b.classList.toggle('has-unread', c.unread > 0);
  b.setAttribute('aria-current', openPeer === c.key ? 'true' : 'false');
  b.setAttribute('aria-label', [isGroup ? `group ${name}, ${memberText(c.memberCount)}` : name, online ? 'online' : null,
    c.unread > 0 ? `${c.unread} unread` : null, last ? `last message: ${preview}` : 'no messages yet']
    .filter(Boolean).join(', '));
}

function updateTitle() {
  let unread = 0;
  for (const c of convs.values()) unread += c.unread || 0;
  document.title = (unread > 0 ? `(${unread}) ` : '') + 'Chat';
  paintFavicon(unread);
}

// ------------------------------------------------------------------ notifications

const FAVICON = document.querySelector('link[rel="icon"]') ? document.querySelector('link[rel="icon"]').href : null;
let faviconCount = 0;

/** The favicon carries the unread count too (a red dot with the number), so a background tab shows it. */
function paintFavicon(unread) {
  const link = document.querySelector('link[rel="icon"]');
  if (!link || !FAVICON || unread === faviconCount) return;
  faviconCount = unread;
  if (unread === 0) {
    link.href = FAVICON;
    return;
  }
  const text = unread > 9 ? '9+' : String(unread);
  const svg = `<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'><rect width='32' height='32' rx='8' fill='#4338ca'/>`
    + `<circle cx='22' cy='10' r='10' fill='#d92d20'/><text x='22' y='14.5' font-size='13' font-family='sans-serif'`
    + ` font-weight='700' text-anchor='middle' fill='white'>${text}</text></svg>`;
  link.href = 'data:image/svg+xml,' + encodeURIComponent(svg);
}

/**
 * Asks for the browser's permission to notify once, when the person first sends a message (a moment they are
 * engaged and clicked or pressed a key), never on load.
 */
function askNotificationPermission() {
  if (typeof Notification === 'undefined' || Notification.permission !== 'default') return;
  if (localStorage.getItem('chat.notificationsAsked')) return;
  localStorage.setItem('chat.notificationsAsked', '1');
  try {
    Notification.requestPermission().catch(() => {});
  } catch (e) {
    // an old browser's callback form: nothing to do
  }
}

/** Whether a group message mentions the person (@name, as a whole word). */
function mentionsMe(body) {
  if (!session || typeof body !== 'string') return false;
  const name = session.username.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^a-z0-9_.-])@${name}(?![a-z0-9_.-])`, 'i').test(body);
}

/**
 * A new message while the page is in the background: a browser notification (when allowed), always for an
 * @mention; a conversation's earlier notification is replaced, not stacked.
 */
function notifyInBackground(peer, m, groupName) {
  if (document.visibilityState === 'visible' && !(groupName && mentionsMe(m.body) && openPeer !== peer)) return;
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  try {
    const n = new Notification(groupName ? `${m.from} in ${groupName}` : m.from, {
      body: oneLine(m.body), tag: 'chat:' + peer, silent: false,
    });
    n.onclick = () => {
      window.focus();
      openConversation(peer);
      n.close();
    };
  } catch (e) {
    // notifications unavailable here (e.g. a page that is not a secure context)
  }
}

// ------------------------------------------------------------------ presence

async function refreshPresence() {
  if (!session) return;
  const names = new Set([...convs.keys(), ...searchResults.map((u) => u.username)].filter((k) => !isGroupKey(k)));
  if (openPeer && !isGroupKey(openPeer)) names.add(openPeer);
  const list = [...names].slice(0, 200);
  if (!list.length) return;
  const r = await call(() => api.presence(list));
  if (!r || !session) return;
  for (const [name, p] of Object.entries(r)) presence.set(name, !!(p && p.online));
  renderConversations();
  renderSearch();
  renderPeerHeader();
}

// ------------------------------------------------------------------ find people

function bindChat() {
  $('sign-out').addEventListener('click', () => signOut(false));
  $('sign-out-all').addEventListener('click', () => signOut(true));
  $('account-open').addEventListener('click', openAccount);
  $('account-close').addEventListener('click', closeAccount);
  $('profile-form').addEventListener('submit', saveProfile);
  $('profile-avatar-remove').addEventListener('click', removePicture);
  $('password-form').addEventListener('submit', changePassword);
  $('delete-form').addEventListener('submit', deleteAccount);
  $('banner-retry').addEventListener('click', () => client && client.reconnectNow());
  $('back').addEventListener('click', () => closeConversation(true));
  window.addEventListener('online', () => client && client.reconnectNow());
  document.addEventListener('visibilitychange', () => {
    if (openPeer && document.visibilityState === 'visible') scheduleRead(openPeer);
  });

  const search = $('people-search');
  search.addEventListener('input', () => {
    clearTimeout(timers.search);
    timers.search = setTimeout(runSearch, 200);
  });
  search.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') {
      search.value = '';
      searchResults = [];
      renderSearch();
    } else if (ev.key === 'ArrowDown') {
      const first = $('search-results').querySelector('button');
      if (first) {
        ev.preventDefault();
        first.focus();
      }
    } else if (ev.key === 'Enter') {
      ev.preventDefault();
      clearTimeout(timers.search);
      runSearch().then(() => {
        if (searchResults.length) pickPerson(searchResults[0].username);
      });
    }
  });
  $('search-results').addEventListener('keydown', (ev) => {
    const buttons = [...$('search-results').querySelectorAll('button')];
    const i = buttons.indexOf(document.activeElement);
    if (ev.key === 'ArrowDown' && i < buttons.length - 1) buttons[i + 1].focus();
    else if (ev.key === 'ArrowUp') (i > 0 ? buttons[i - 1] : search).focus();
    else if (ev.key === 'Escape') search.focus();
    else return;
    ev.preventDefault();
  });

  const input = $('composer-input');
  $('composer').addEventListener('submit', (ev) => {
    ev.preventDefault();
    sendFromComposer();
  });
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      sendFromComposer();
    }
  });
  input.addEventListener('input', () => {
    autoGrow();
    if (openPeer && client && input.value.trim()) {
      client.typing(isGroupKey(openPeer) ? { group: groupIdOf(openPeer) } : { to: openPeer });
    }
  });
  bindGroups();
  $('jump-newest').addEventListener('click', () => {
    scrollToBottom();
    $('composer-input').focus();
  });
  $('scroller').addEventListener('scroll', () => {
    if (nearBottom()) $('jump-newest').hidden = true;
    if (openPeer && $('scroller').scrollTop < 80) loadOlder(openPeer);
  });
}

async function runSearch() {
  const q = $('people-search').value.trim().toLowerCase();
  if (!q) {
    searchResults = [];
    renderSearch();
    return;
  }
  const found = await call(() => api.searchUsers(q, 8));
  if (!found || $('people-search').value.trim().toLowerCase() !== q) return;
  searchResults = found.filter((u) => u.username !== session.username);
  renderSearch(q);
  refreshPresence();
}

function renderSearch(q) {
  const ul = $('search-results');
  const empty = $('search-empty');
  const names = searchResults.map((u) => u.username);
  const shown = [...ul.querySelectorAll('button')].map((b) => b.dataset.user);
  // The same people again (e.g. a presence refresh): update in place, so focus and clicks are not lost.
  if (names.join('\n') !== shown.join('\n')) {
    ul.replaceChildren(...names.map((name) => {
      const li = el('li');
      const b = el('button');
      b.type = 'button';
      b.dataset.user = name;
      const av = el('span', 'avatar');
      av.setAttribute('aria-hidden', 'true');
      b.append(av, el('span', null, name));
      b.addEventListener('click', () => pickPerson(name));
      li.append(b);
      return li;
    }));
  }
  for (const b of ul.querySelectorAll('button')) {
    const online = presence.get(b.dataset.user) === true;
    paintAvatar(b.querySelector('.avatar'), b.dataset.user, online);
    b.setAttribute('aria-label', `${b.dataset.user}${online ? ', online' : ''}: open the conversation`);
  }
  ul.hidden = searchResults.length === 0;
  const query = q !== undefined ? q : $('people-search').value.trim();
  empty.textContent = query && !searchResults.length ? `No one whose name starts with “${query}”.` : '';
  empty.hidden = !empty.textContent;
}

function pickPerson(name) {
  $('people-search').value = '';
  searchResults = [];
  renderSearch();
  ensureConv(name);
  renderConversations();
  openConversation(name);
}

// ------------------------------------------------------------------ one conversation

function thread(peer) {
  let t = threads.get(peer);
  if (!t) {
    t = { msgs: new Map(), els: new Map(), minSeq: null, exhausted: false, loaded: false, loading: false, readTs: 0 };
    threads.set(peer, t);
  }
  return t;
}

function openConversation(peer) {
  if (editing && editing.peer !== peer) {
    stopEditing();
    $('composer-input').value = '';
  }
  openPeer = peer;
  ensureConv(peer);
  $('chat-view').classList.add('show-conversation');
  $('pane-empty').hidden = true;
  $('pane-conversation').hidden = false;
  const isGroup = isGroupKey(peer);
  closeMembers(false);
  $('members-toggle').hidden = !isGroup;
  openHeader();
  renderPeerHeader();
  renderTyping();
  const t = thread(peer);
  // Where the person left off: the divider stands before the first of the messages unread until now.
  const opened = convs.get(peer);
  t.unreadCount = opened && opened.unread > 0 ? opened.unread : 0;
  // Unsent messages of an earlier visit (or page) belong here too.
  for (const p of client ? client.pending() : []) {
    if (isGroup ? p.group !== undefined && groupKey(p.group) === peer : p.to === peer) {
      upsert(peer, { id: p.id, from: session.username, to: p.to, group: p.group, body: p.body, ts: p.createdAt,
        state: p.state }, false);
    }
  }
  if (isGroup) fetchGroup(groupIdOf(peer));
  renderThread(peer);
  scrollToBottom();
  renderConversations();
  refreshPresence();
  if (!t.loaded) loadOlder(peer, true);
  scheduleRead(peer);
  $('composer-input').focus();
}

function closeConversation(focusList) {
  const was = openPeer;
  openPeer = null;
  closeMembers(false);
  renderTyping();
  $('chat-view').classList.remove('show-conversation');
  $('pane-empty').hidden = false;
  $('pane-conversation').hidden = true;
  if (session) renderConversations();
  if (focusList && was) {
    const b = document.querySelector(`#conversation-list li[data-peer="${CSS.escape(was)}"] button`);
    if (b) b.focus();
  }
}

/** The open conversation's name, in the header and the composer's label. */
function openHeader() {
  if (!openPeer) return;
  const name = convName(openPeer);
  $('peer-name').textContent = name;
  $('composer-label').textContent = `Message ${name}`;
  $('composer-input').placeholder = `Message ${name}`;
}

function memberText(n) {
  return n === 1 ? '1 member' : `${n || 0} members`;
}

function renderPeerHeader() {
  if (!openPeer) return;
  if (isGroupKey(openPeer)) {
    const c = convs.get(openPeer);
    paintGroupAvatar($('peer-avatar'), convName(openPeer));
    const st = $('peer-status');
    st.textContent = c ? memberText(c.memberCount) : '';
    st.classList.remove('online');
    return;
  }
  const online = presence.get(openPeer) === true;
  paintAvatar($('peer-avatar'), openPeer, online);
  const st = $('peer-status');
  st.textContent = presence.has(openPeer) ? (online ? 'Online' : 'Offline') : '';
  st.classList.toggle('online', online);
}

/** History: the newest page on first open, then older pages (before the smallest seq seen). */
async function loadOlder(peer, first = false) {
  const t = thread(peer);
  if (t.loading || t.exhausted || (!first && !t.loaded)) return;
  t.loading = true;
  const status = $('history-status');
  if (openPeer === peer) status.textContent = first ? 'Loading messages…' : 'Loading earlier messages…';
  const s = session;
  const page = await call(() => historyPage(peer, { before: first ? undefined : t.minSeq, limit: PAGE_SIZE }));
  t.loading = false;
  if (session !== s) return;
  if (!page) {
    if (openPeer === peer) status.textContent = 'Could not load the history. Scroll up to try again.';
    return;
  }
  t.loaded = true;
  if (page.length < PAGE_SIZE) t.exhausted = true;
  const scroller = $('scroller');
  const before = scroller.scrollHeight - scroller.scrollTop;
  mergeHistory(peer, page);
  if (openPeer !== peer) return;
  status.textContent = t.exhausted ? beginningText(peer, t) : '';
  $('messages').setAttribute('aria-busy', 'true');
  renderThread(peer);
  $('messages').setAttribute('aria-busy', 'false');
  if (first) scrollToBottom();
  else scroller.scrollTop = scroller.scrollHeight - before;
  if (!t.exhausted && scroller.scrollHeight <= scroller.clientHeight + 80) loadOlder(peer);
  scheduleRead(peer);
}

/** After a reconnect: the newest page again, for delivered states and anything missed. */
async function loadNewest(peer) {
  const t = thread(peer);
  if (!t.loaded) return;
  const page = await call(() => historyPage(peer, { limit: PAGE_SIZE }));
  if (page && openPeer === peer) {
    const stick = nearBottom();
    mergeHistory(peer, page);
    for (const m of page) {
      const key = msgKey(m.from, m.id);
      if (t.els.has(key)) fillMessage(t.els.get(key), t.msgs.get(key));
      else insertMessageEl(peer, t.msgs.get(key));
    }
    if (stick) scrollToBottom();
  }
}

function historyPage(key, opts) {
  return isGroupKey(key) ? api.groupHistory(groupIdOf(key), opts) : api.history(key, opts);
}

function beginningText(key, t) {
  if (isGroupKey(key)) return `This is where you joined ${convName(key)}.`;
  return t.msgs.size ? `This is the beginning of your conversation with ${key}.` : '';
}

function mergeHistory(peer, page) {
  const t = thread(peer);
  const me = session.username;
  for (const m of page) {
    if (t.minSeq === null || m.seq < t.minSeq) t.minSeq = m.seq;
    const mine = m.from === me;
    if (!mine) client && client.markSeen(m.from, m.id);
    const group = m.group !== undefined && m.group !== null ? String(m.group) : undefined;
    // A group message has no delivered state for its sender: 'sent' (stored) is the last one shown.
    upsert(peer, { id: m.id, from: m.from, to: m.to, group, body: m.body, ts: m.ts, seq: m.seq,
      edited: !!m.edited, deleted: !!m.deleted, seenBy: m.seenBy,
      seen: mine && group === undefined && m.seenBy > 0,
      state: mine ? (m.delivered && group === undefined ? 'delivered' : 'sent') : 'received' }, false);
  }
}

function msgKey(from, id) {
  return from + '\n' + id;
}

/** Adds or updates one message in its thread; a state only moves forward (a retry may go failed → sending). */
function upsert(peer, m, render = true) {
  const t = thread(peer);
  const key = msgKey(m.from, m.id);
  const had = t.msgs.get(key);
  if (had) {
    if (m.seq !== undefined) had.seq = m.seq;
    if (m.seq !== undefined) had.ts = m.ts; // the server's time replaces the local one
    if (m.state && (STATE_RANK[m.state] || 0) >= (STATE_RANK[had.state] || 0)) had.state = m.state;
    // History knows of changes made while the page was away; a change once shown is never undone.
    if (m.deleted) had.deleted = true;
    if (m.edited && !had.deleted) {
      had.edited = true;
      had.body = m.body;
    }
    if (m.seenBy !== undefined) had.seenBy = m.seenBy;
    if (m.seen) had.seen = true; // seen (the peer had the conversation open) is beyond delivered, never undone
    if (render && t.els.has(key)) fillMessage(t.els.get(key), had);
    return false;
  }
  t.msgs.set(key, { ...m });
  if (render && openPeer === peer) insertMessageEl(peer, t.msgs.get(key));
  return true;
}

function sortedMessages(t) {
  return [...t.msgs.values()].sort((a, b) => a.ts - b.ts || (a.seq || Infinity) - (b.seq || Infinity));
}

function renderThread(peer) {
  const t = thread(peer);
  const ol = $('messages');
  t.els.clear();
  const items = sortedMessages(t).map((m) => {
    const li = buildMessage(m);
    t.els.set(msgKey(m.from, m.id), li);
    return li;
  });
  ol.replaceChildren(...items);
  refreshSeparators(peer);
  if (t.exhausted && t.loaded) {
    $('history-status').textContent = beginningText(peer, t);
  } else if (!t.loading) {
    $('history-status').textContent = '';
  }
}

function insertMessageEl(peer, m) {
  const t = thread(peer);
  const ol = $('messages');
  const li = buildMessage(m);
  t.els.set(msgKey(m.from, m.id), li);
  let next = null;
  for (let i = ol.children.length - 1; i >= 0; i--) {
    const c = ol.children[i];
    if (Number(c.dataset.ts) <= m.ts) break;
    next = c;
  }
  ol.insertBefore(li, next);
  refreshSeparators(peer);
}

function dayOf(ts) {
  const d = new Date(ts);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

function dayText(ts) {
  const now = new Date();
  if (dayOf(ts) === dayOf(now.getTime())) return 'Today';
  if (dayOf(ts) === dayOf(now.getTime() - 86400000)) return 'Yesterday';
  return new Date(ts).toLocaleDateString(undefined, { weekday: 'long', day: 'numeric', month: 'long',
    year: new Date(ts).getFullYear() === now.getFullYear() ? undefined : 'numeric' });
}

/**
 * A date line before the first message of each day, and an "Unread messages" line before the first message that
 * was unread when the person opened the conversation (where they left off).
 */
function refreshSeparators(peer) {
  if (openPeer !== peer) return;
  const ol = $('messages');
  for (const x of [...ol.querySelectorAll('li.date-separator, li.unread-divider')]) x.remove();
  const t = thread(peer);
  const items = [...ol.children];
  let unreadAt = null;
  if (t.unreadCount > 0) {
    const me = session.username;
    const theirs = items.filter((li) => li.classList.contains('msg') && li.dataset.from !== me);
    unreadAt = theirs.length >= t.unreadCount ? theirs[theirs.length - t.unreadCount] : null;
  }
  let day = null;
  for (const li of items) {
    const ts = Number(li.dataset.ts);
    if (!Number.isFinite(ts)) continue;
    if (dayOf(ts) !== day) {
      day = dayOf(ts);
      const sep = el('li', 'date-separator', dayText(ts));
      sep.setAttribute('role', 'separator');
      ol.insertBefore(sep, li);
    }
    if (li === unreadAt) {
      const div = el('li', 'unread-divider', 'Unread messages');
      div.setAttribute('role', 'separator');
      ol.insertBefore(div, li);
    }
  }
}

function buildMessage(m) {
  if (m.notice) {
    const li = el('li', 'group-notice', m.body);
    li.dataset.ts = String(m.ts);
    li.dataset.notice = 'true';
    return li;
  }
  const mine = m.from === session.username;
  const li = el('li', 'msg' + (mine ? ' mine' : ''));
  li.dataset.id = m.id;
  li.dataset.from = m.from;
  const bubble = el('div', 'bubble');
  const meta = el('div', 'meta');
  if (m.group !== undefined && m.group !== null && !mine) {
    const sender = el('div', 'sender', m.from); // read out by the hidden prefix in the bubble
    sender.setAttribute('aria-hidden', 'true');
    li.append(sender);
  }
  li.append(bubble, meta);
  fillMessage(li, m);
  return li;
}

function fillMessage(li, m) {
  const mine = m.from === session.username;
  li.dataset.ts = String(m.ts);
  li.dataset.state = m.state;
  if (m.seen) li.dataset.seen = 'true';
  li.classList.toggle('deleted', !!m.deleted);
  li.classList.toggle('mention', !mine && !m.deleted && m.group !== undefined && m.group !== null && mentionsMe(m.body));
  li.classList.toggle('edited', !!m.edited && !m.deleted);
  const who = el('span', 'visually-hidden', mine ? 'You: ' : `${m.from}: `);
  li.querySelector('.bubble').replaceChildren(who, document.createTextNode(m.deleted ? DELETED_TEXT : m.body));
  const meta = li.querySelector('.meta');
  const time = el('time', null, shortTime(m.ts, false));
  time.dateTime = new Date(m.ts).toISOString();
  const parts = [time];
  if (m.edited && !m.deleted) parts.push(el('span', 'edited-mark', 'edited'));
  if (mine && !m.deleted && m.group !== undefined && m.group !== null && m.seenBy > 0) {
    const seenBy = el('button', 'seen-by msg-action', `Seen by ${m.seenBy}`);
    seenBy.type = 'button';
    seenBy.setAttribute('aria-label', `Seen by ${m.seenBy}: show who`);
    seenBy.addEventListener('click', async () => {
      const r = m.seq ? await call(() => api.groupSeen(m.group, m.seq)) : null;
      if (!r) return;
      const who = r.names.join(', ') + (r.count > r.names.length ? ` and ${r.count - r.names.length} more` : '');
      seenBy.title = who;
      announce(`Seen by ${who}`);
    });
    parts.push(seenBy);
  }
  if (mine) {
    const tick = el('span', 'tick', STATE_MARK[m.state]);
    const label = m.seen && m.state !== 'failed' ? 'Seen' : STATE_TEXT[m.state];
    tick.setAttribute('role', 'img');
    tick.setAttribute('aria-label', label);
    tick.title = label;
    parts.push(tick);
    if (m.state === 'failed') {
      parts.push(el('span', 'failed-text', 'Not sent'));
      const retry = el('button', 'retry', 'Retry');
      retry.type = 'button';
      retry.setAttribute('aria-label', 'Retry sending this message');
      retry.addEventListener('click', () => {
        if (client && client.retry(m.id)) {
          m.state = 'sending';
          fillMessage(li, m);
        }
      });
      parts.push(retry);
    }
  }
  parts.push(...messageActions(li, m));
  meta.replaceChildren(...parts);
}

/**
 * Edit and Delete for the person's own stored messages; Delete for anyone's message in a group the person owns or
 * administers. The server decides (the edit window): a refused change is announced.
 */
function messageActions(li, m) {
  if (m.deleted || !client || m.state === 'sending' || m.state === 'failed') return [];
  const mine = m.from === session.username;
  const group = m.group !== undefined && m.group !== null ? String(m.group) : null;
  const conv = group ? convs.get(groupKey(group)) : null;
  const moderator = conv && (conv.role === 'owner' || conv.role === 'admin');
  const out = [];
  if (mine) {
    const edit = el('button', 'msg-action edit', 'Edit');
    edit.type = 'button';
    edit.setAttribute('aria-label', 'Edit this message');
    edit.addEventListener('click', () => startEditing(m));
    out.push(edit);
  }
  if (mine || moderator) {
    const del = el('button', 'msg-action delete', 'Delete');
    del.type = 'button';
    del.setAttribute('aria-label', 'Delete this message');
    del.addEventListener('click', () => {
      try {
        client.deleteMessage(m.id, mine ? undefined : m.from);
      } catch (e) {
        announce(e.message);
        return;
      }
      m.deleted = true;
      fillMessage(li, m);
      refreshLast(m);
    });
    out.push(del);
  }
  return out;
}

function startEditing(m) {
  editing = { peer: openPeer, target: m.id };
  const input = $('composer-input');
  input.value = m.body;
  input.dataset.editing = m.id;
  autoGrow();
  input.focus();
  announce('Editing your message. Send to save it.');
}

function stopEditing() {
  editing = null;
  delete $('composer-input').dataset.editing;
}

/** A conversation's preview follows a change of its last message. */
function refreshLast(m) {
  for (const c of convs.values()) {
    if (c.last && c.last.id === m.id && c.last.from === m.from) {
      c.last = { ...c.last, body: m.deleted ? DELETED_TEXT : m.body };
    }
  }
  renderConversations();
}

function scrollToBottom() {
  const s = $('scroller');
  s.scrollTop = s.scrollHeight;
  $('jump-newest').hidden = true;
}

function nearBottom() {
  const s = $('scroller');
  return s.scrollHeight - s.scrollTop - s.clientHeight < 120;
}

// ------------------------------------------------------------------ socket events

function onMessage(m) {
  if (!session) return;
  const me = session.username;
  const isGroup = m.group !== undefined && m.group !== null;
  const peer = isGroup ? groupKey(m.group) : m.from === me ? m.to : m.from;
  const conv = isGroup ? ensureGroupConv(m.group) : ensureConv(peer);
  stopTyping(peer, m.from);
  const t = threads.get(peer);
  const stick = openPeer === peer && nearBottom();
  const fresh = t ? upsert(peer, { ...m, state: 'received' }) : true;
  if (!fresh) return;
  conv.last = newer(conv.last, m);
  // Read already, on this device (baseline) or another (a read notice that came before the message itself).
  if (!isReading(peer) && m.from !== me && !(m.ts <= conv.baselineTs) && !(m.ts <= conv.readElsewhereTs)) {
    conv.unread = (conv.unread || 0) + 1;
    notifyInBackground(peer, m, isGroup ? conv.name : null);
    announce(isGroup ? `New message from ${m.from} in ${conv.name}` : `New message from ${m.from}`);
  }
  if (!isGroup) presence.set(m.from, true);
  // Someone the open group's members panel does not know yet (joined by invite, added by an admin).
  if (isGroup && groupMembers && groupKey(groupMembers.id) === peer
      && !groupMembers.members.some((x) => x.username === m.from)) {
    fetchGroup(String(m.group));
  }
  renderConversations();
  if (openPeer === peer) {
    renderPeerHeader();
    if (stick) scrollToBottom();
    else $('jump-newest').hidden = false;
    scheduleRead(peer);
  }
}

function onStatus(s) {
  if (!session) return;
  if (s.kind) {
    if (s.state === 'failed') {
      announce(s.error && s.error.code === 'edit_window_closed' ? 'That message is too old to change.'
        : 'The change could not be made' + (s.error ? ` (${s.error.code}).` : '.'));
    }
    return;
  }
  const peer = s.group !== undefined ? groupKey(s.group) : s.to;
  const t = peer && threads.get(peer);
  const key = msgKey(session.username, s.id);
  if (t && t.msgs.has(key)) {
    upsert(peer, { id: s.id, from: session.username, state: s.state });
    if (s.state === 'failed') announce('A message could not be sent. Use Retry to send it again.');
  }
}

function sendFromComposer() {
  const input = $('composer-input');
  const body = input.value;
  if (!openPeer || !client || !body.trim()) return;
  const peer = openPeer;
  if (editing && editing.peer === peer) {
    const key = msgKey(session.username, editing.target);
    try {
      client.edit(editing.target, body);
    } catch (e) {
      announce(e.message);
      return;
    }
    const t = thread(peer);
    const had = t.msgs.get(key);
    if (had) {
      had.body = body;
      had.edited = true;
      if (t.els.has(key)) fillMessage(t.els.get(key), had);
      refreshLast(had);
    }
    stopEditing();
    input.value = '';
    autoGrow();
    return;
  }
  stopEditing();
  const group = isGroupKey(peer) ? groupIdOf(peer) : undefined;
  let m;
  try {
    m = group !== undefined ? client.sendToGroup(group, body) : client.send(peer, body);
  } catch (e) {
    announce(e.message);
    return;
  }
  input.value = '';
  autoGrow();
  askNotificationPermission();
  thread(peer).unreadCount = 0; // replying: the person has caught up
  const msg = { id: m.id, from: session.username, to: group === undefined ? peer : undefined, group, body,
    ts: m.createdAt, state: 'sending' };
  upsert(peer, msg);
  const conv = ensureConv(peer);
  conv.last = newer(conv.last, msg);
  renderConversations();
  scrollToBottom();
}

/** The person's own message, sent from another device (or echoed to this one): shown as sent. */
function onSent(m) {
  if (!session) return;
  const isGroup = m.group !== undefined && m.group !== null;
  const peer = isGroup ? groupKey(m.group) : m.to;
  const conv = isGroup ? ensureGroupConv(m.group) : ensureConv(peer);
  const t = threads.get(peer);
  if (t) upsert(peer, { ...m, group: isGroup ? String(m.group) : undefined, state: 'sent' });
  conv.last = newer(conv.last, m);
  renderConversations();
  if (openPeer === peer && nearBottom()) scrollToBottom();
}

/** An edit or delete of a message, by its sender, a group moderator, or the person on another device. */
function onChange(c) {
  if (!session) return;
  const me = session.username;
  const peer = c.group !== undefined ? groupKey(c.group) : c.from === me ? c.to : c.from;
  const t = threads.get(peer);
  const key = msgKey(c.targetFrom, c.target);
  const m = t && t.msgs.get(key);
  if (m) {
    if (c.kind === 'delete') m.deleted = true;
    else if (!m.deleted) {
      m.edited = true;
      m.body = c.body;
    }
    if (t.els.has(key)) fillMessage(t.els.get(key), m);
    refreshLast(m);
  } else {
    refreshLast({ id: c.target, from: c.targetFrom, body: c.body, deleted: c.kind === 'delete' });
  }
  if (openPeer === peer) announce(c.kind === 'delete' ? 'A message was deleted' : 'A message was edited');
}

const GROUP_CHANGE_TEXT = {
  created: (f) => `${f.by} created the group`,
  added: (f) => `${f.by} added ${f.user}`,
  removed: (f) => `${f.by} removed ${f.user}`,
  left: (f) => `${f.user} left`,
  joined: (f) => `${f.user} joined`,
  renamed: (f) => `${f.by} renamed the group to "${f.name}"`,
  role: (f) => `${f.by} made ${f.user} ${f.role === 'admin' ? 'an admin' : f.role === 'owner' ? 'the owner' : 'a member'}`,
};

/**
 * A group changed (a notice, live): the list and the open group's header and members panel follow at once; a
 * line in the conversation says what happened. The person removed from a group loses it from the list.
 */
function onGroupChange(f) {
  if (!session || !GROUP_CHANGE_TEXT[f.change]) return;
  const key = groupKey(f.group);
  const me = session.username;
  const text = GROUP_CHANGE_TEXT[f.change](f);
  if ((f.change === 'removed' || f.change === 'left') && f.user === me) {
    const c = convs.get(key);
    if (!c) return;
    convs.delete(key);
    threads.delete(key);
    typers.delete(key);
    if (openPeer === key) closeConversation(false);
    renderConversations();
    if (f.change === 'removed') announce(`${f.by} removed you from ${c.name}.`);
    return;
  }
  const conv = ensureGroupConv(f.group);
  if (f.change === 'renamed' && typeof f.name === 'string') conv.name = f.name;
  fetchGroup(String(f.group));
  const t = threads.get(key);
  if (t) {
    // A line of the conversation, never sent or acked: keyed by the change so a repeated notice shows once.
    const id = `notice:${f.change}:${f.user || ''}:${f.name || ''}:${Date.now()}`;
    upsert(key, { id, from: '', notice: true, body: text, ts: Date.now(), state: 'received' });
  }
  renderConversations();
  if (openPeer === key) announce(text);
}

/** The person read a conversation on one of their devices: its unread count clears here too. */
function onRead(r) {
  const key = r.group !== undefined ? groupKey(r.group) : r.with;
  const conv = key && (r.group !== undefined ? ensureGroupConv(r.group) : ensureConv(key));
  if (!conv) return;
  conv.readElsewhereTs = Math.max(conv.readElsewhereTs || 0, r.ts);
  if (!conv.unread) return;
  conv.unread = 0;
  renderConversations();
}

/** The peer has the conversation open: the person's messages up to ts are seen. */
function onSeen(s) {
  const t = threads.get(s.by);
  if (!t || !session) return;
  for (const m of t.msgs.values()) {
    if (m.from === session.username && m.ts <= s.ts && !m.seen && (m.state === 'sent' || m.state === 'delivered')) {
      // Seen implies delivered (the peer's device has it), whether or not the delivered notice came yet.
      upsert(s.by, { id: m.id, from: m.from, state: 'delivered', seen: true });
    }
  }
}

function autoGrow() {
  const input = $('composer-input');
  input.style.height = 'auto';
  input.style.height = Math.min(input.scrollHeight + 2, 160) + 'px';
}

/** Marks the open, visible conversation read up to its newest message from the peer. */
function scheduleRead(peer) {
  if (!isReading(peer)) return;
  const conv = convs.get(peer);
  const hadUnread = !!(conv && conv.unread);
  if (hadUnread) {
    conv.unread = 0;
    renderConversations();
  }
  clearTimeout(timers.read);
  timers.read = setTimeout(async () => {
    if (!isReading(peer)) return;
    const t = thread(peer);
    const me = session.username;
    const theirs = isGroupKey(peer) ? (from) => from !== me : (from) => from === peer;
    let ts = 0;
    for (const m of t.msgs.values()) if (!m.notice && theirs(m.from) && m.ts > ts) ts = m.ts;
    if (conv && conv.last && theirs(conv.last.from) && conv.last.ts > ts) ts = conv.last.ts;
    if (ts > t.readTs) {
      t.readTs = ts;
      await call(() => (isGroupKey(peer) ? api.markGroupRead(groupIdOf(peer), ts) : api.markRead(peer, ts)));
    }
  }, hadUnread ? 0 : 250);
}

// ------------------------------------------------------------------ typing

/** A typing notice: "alice is typing…" in that conversation for TYPING_SHOWN_MS. */
function onTyping(t) {
  if (!session || t.from === session.username) return;
  const key = t.group !== undefined ? groupKey(t.group) : t.from;
  if (!convs.has(key) && !threads.has(key)) return;
  let m = typers.get(key);
  if (!m) {
    m = new Map();
    typers.set(key, m);
  }
  m.set(t.from, Date.now() + TYPING_SHOWN_MS);
  renderTyping();
  setTimeout(renderTyping, TYPING_SHOWN_MS + 50);
}

function stopTyping(key, from) {
  const m = typers.get(key);
  if (m && m.delete(from) && key === openPeer) renderTyping();
}

function renderTyping() {
  const node = $('typing');
  const now = Date.now();
  const m = openPeer && typers.get(openPeer);
  const names = [];
  if (m) {
    for (const [name, until] of m) {
      if (until > now) names.push(name);
      else m.delete(name);
    }
  }
  const text = !names.length ? ''
    : names.length === 1 ? `${names[0]} is typing…`
      : names.length === 2 ? `${names[0]} and ${names[1]} are typing…` : 'Several people are typing…';
  if (node.textContent !== text) node.textContent = text;
}

// ------------------------------------------------------------------ groups

/** An API call whose error matters to the person: [value, null] or [null, error]; a 401 ends the session. */
async function attempt(fn) {
  const s = session;
  try {
    return [await fn(), null];
  } catch (e) {
    if (e instanceof ApiError && e.status === 401 && session === s) {
      sessionOver('Your session expired. Please sign in again.');
    }
    return [null, e];
  }
}

function groupError(e, fallback) {
  if (!(e instanceof ApiError)) return fallback;
  if (e.status === 0) return 'The server cannot be reached. Check your connection and try again.';
  switch (e.code) {
    case 'unknown_users':
      return 'Some of those people do not exist.';
    case 'invalid_name':
      return 'Give the group a name (at most 100 characters).';
    case 'not_a_contact':
      // The consent rule (docs/protocol.md, Groups): past 20 people, only those who have written to you.
      return 'In a group of more than 20 people you can add only people who have written to you. Send the others the invite code.';
    default:
      if (e.status === 404) return 'That group does not exist, or you are not in it any more.';
      if (e.status === 403) return 'Only the group’s owner and admins can do that.';
      if (e.status === 409) return 'That person is already a member.';
      return e.status >= 500 ? 'The server is having trouble. Please try again in a moment.' : e.message || fallback;
  }
}

function bindGroups() {
  $('new-group').addEventListener('click', () => openNewGroup());
  $('new-group-cancel').addEventListener('click', () => closeNewGroup(true));
  $('new-group-form').addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') closeNewGroup(true);
  });
  const search = $('group-member-search');
  search.addEventListener('input', () => {
    clearTimeout(timers.groupSearch);
    timers.groupSearch = setTimeout(runGroupSearch, 200);
  });
  search.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      clearTimeout(timers.groupSearch);
      runGroupSearch().then(() => {
        if (newGroupResults.length) chooseMember(newGroupResults[0]);
      });
    }
  });
  $('new-group-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const name = $('group-name').value.trim();
    if (!name) {
      $('new-group-error').textContent = 'Give the group a name.';
      $('group-name').focus();
      return;
    }
    const button = $('new-group-create');
    button.disabled = true;
    $('new-group-error').textContent = '';
    const [g, e] = await attempt(() => api.createGroup(name, newGroupChosen));
    button.disabled = false;
    if (!g) {
      $('new-group-error').textContent = groupError(e, 'The group could not be created.');
      return;
    }
    const conv = ensureGroupConv(g.id, g);
    closeNewGroup(false);
    renderConversations();
    openConversation(conv.key);
    announce(`Group ${g.name} created.`);
  });

  $('members-toggle').addEventListener('click', () => {
    if ($('members-panel').hidden) openMembers();
    else closeMembers(true);
  });
  $('members-close').addEventListener('click', () => closeMembers(true));
  $('members-panel').addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') closeMembers(true);
  });
  $('add-member-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!isGroupKey(openPeer)) return;
    const key = openPeer;
    const input = $('add-member-input');
    const name = input.value.trim().toLowerCase();
    if (!USERNAME.test(name)) {
      $('members-error').textContent = 'Enter a username.';
      input.focus();
      return;
    }
    const [, e] = await attempt(() => api.addMember(groupIdOf(key), name));
    if (e) {
      $('members-error').textContent = groupError(e, 'That person could not be added.');
      return;
    }
    $('members-error').textContent = '';
    input.value = '';
    announce(`${name} was added.`);
    fetchGroup(groupIdOf(key));
  });
  $('invite-button').addEventListener('click', async () => {
    if (!isGroupKey(openPeer)) return;
    const [r, e] = await attempt(() => api.invite(groupIdOf(openPeer)));
    if (!r) {
      $('members-error').textContent = groupError(e, 'No invite link could be made.');
      return;
    }
    $('members-error').textContent = '';
    const url = new URL(location.href);
    url.hash = 'join=' + encodeURIComponent(r.code);
    const field = $('invite-url');
    field.value = url.toString();
    field.dataset.code = r.code;
    $('invite-result').hidden = false;
    field.focus();
    field.select();
  });
  $('leave-group').addEventListener('click', async () => {
    if (!isGroupKey(openPeer)) return;
    const key = openPeer;
    const name = convName(key);
    const [, e] = await attempt(() => api.removeMember(groupIdOf(key), session.username));
    if (e && e.status !== 404) {
      $('members-error').textContent = groupError(e, 'You could not leave the group.');
      return;
    }
    convs.delete(key);
    threads.delete(key);
    typers.delete(key);
    closeConversation(false);
    $('new-group').focus();
    announce(`You left ${name}.`);
  });
  window.addEventListener('hashchange', joinFromHash);
}

function openNewGroup() {
  newGroupChosen = [];
  newGroupResults = [];
  $('group-name').value = '';
  $('group-member-search').value = '';
  $('new-group-error').textContent = '';
  renderNewGroup();
  $('new-group-form').hidden = false;
  $('new-group').setAttribute('aria-expanded', 'true');
  $('group-name').focus();
}

function closeNewGroup(focus) {
  $('new-group-form').hidden = true;
  $('new-group').setAttribute('aria-expanded', 'false');
  newGroupChosen = [];
  newGroupResults = [];
  if (focus) $('new-group').focus();
}

async function runGroupSearch() {
  const q = $('group-member-search').value.trim().toLowerCase();
  if (!q) {
    newGroupResults = [];
    renderNewGroup();
    return;
  }
  const found = await call(() => api.searchUsers(q, 8));
  if (!found || $('group-member-search').value.trim().toLowerCase() !== q) return;
  newGroupResults = found.map((u) => u.username).filter((n) => n !== session.username && !newGroupChosen.includes(n));
  renderNewGroup();
}

function chooseMember(name) {
  if (!newGroupChosen.includes(name)) newGroupChosen.push(name);
  newGroupResults = [];
  $('group-member-search').value = '';
  renderNewGroup();
  $('group-member-search').focus();
  announce(`${name} added to the new group.`);
}

function renderNewGroup() {
  const results = $('group-member-results');
  results.replaceChildren(...newGroupResults.map((name) => {
    const li = el('li');
    const b = el('button');
    b.type = 'button';
    b.dataset.user = name;
    const av = el('span', 'avatar');
    av.setAttribute('aria-hidden', 'true');
    paintAvatar(av, name);
    b.append(av, el('span', null, name));
    b.setAttribute('aria-label', `Add ${name}`);
    b.addEventListener('click', () => chooseMember(name));
    li.append(b);
    return li;
  }));
  results.hidden = newGroupResults.length === 0;
  const chosen = $('group-chosen');
  chosen.replaceChildren(...newGroupChosen.map((name) => {
    const li = el('li', 'chip');
    li.dataset.user = name;
    const x = el('button', 'chip-remove', '\u00D7');
    x.type = 'button';
    x.setAttribute('aria-label', `Remove ${name}`);
    x.addEventListener('click', () => {
      newGroupChosen = newGroupChosen.filter((n) => n !== name);
      renderNewGroup();
      $('group-member-search').focus();
    });
    li.append(el('span', null, name), x);
    return li;
  }));
  $('group-chosen-empty').hidden = newGroupChosen.length > 0;
}

function openMembers() {
  if (!isGroupKey(openPeer)) return;
  $('members-panel').hidden = false;
  $('members-toggle').setAttribute('aria-expanded', 'true');
  $('members-error').textContent = '';
  $('invite-result').hidden = true;
  renderMembers();
  fetchGroup(groupIdOf(openPeer));
  $('members-title').focus();
}

function closeMembers(focus) {
  $('members-panel').hidden = true;
  $('members-toggle').setAttribute('aria-expanded', 'false');
  if (focus) $('members-toggle').focus();
}

function renderMembers() {
  const ul = $('member-list');
  const g = groupMembers && openPeer === groupKey(groupMembers.id) ? groupMembers : null;
  const conv = openPeer && convs.get(openPeer);
  const role = g ? g.role : conv && conv.role;
  const order = { owner: 0, admin: 1, member: 2 };
  const members = g ? [...g.members].sort((a, b) => (order[a.role] ?? 3) - (order[b.role] ?? 3)
    || a.username.localeCompare(b.username)) : [];
  ul.replaceChildren(...members.map((m) => {
    const li = el('li', 'member');
    li.dataset.user = m.username;
    li.dataset.role = m.role;
    const av = el('span', 'avatar');
    av.setAttribute('aria-hidden', 'true');
    paintAvatar(av, m.username);
    const you = m.username === session.username ? ' (you)' : '';
    li.append(av, el('span', 'member-name', m.username + you), el('span', 'role', m.role));
    return li;
  }));
  const manager = role === 'owner' || role === 'admin';
  $('add-member-form').hidden = !manager;
  $('invite-box').hidden = !manager;
  $('members-title').textContent = g ? `Members (${members.length})` : 'Members';
}

/** Opening the page with #join=CODE while signed in joins that group and opens it. */
async function joinFromHash() {
  const m = /^#join=([^&]+)$/.exec(location.hash);
  if (!m || !session) return;
  history.replaceState(null, '', location.pathname + location.search);
  let code;
  try {
    code = decodeURIComponent(m[1]);
  } catch (e) {
    code = m[1];
  }
  const [g, e] = await attempt(() => api.joinGroup(code));
  if (!g) {
    // 404: unknown or revoked (a member was removed); 410: expired or used up; 403: you were removed.
    const stale = e && (e.status === 404 || e.status === 410);
    const barred = e && e.status === 403 && e.code === 'removed_member';
    showBanner('down', stale ? 'That invite link is not valid any more.'
      : barred ? 'You were removed from that group. Only its owner or an admin can add you back.'
        : groupError(e, 'Could not join the group.'));
    $('banner-retry').hidden = true;
    timers.banner = setTimeout(hideBanner, 6000);
    return;
  }
  const conv = ensureGroupConv(g.id, g);
  renderConversations();
  openConversation(conv.key);
  announce(`You joined ${g.name}.`);
}

// ------------------------------------------------------------------ little things

function announce(text) {
  const a = $('announcer');
  a.textContent = '';
  setTimeout(() => {
    a.textContent = text;
  }, 50);
}

function paintAvatar(node, name, online = false) {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.codePointAt(0)) % 360;
  node.style.setProperty('--hue', String(h));
  // One letter, two for names in parts ("mary.jones" → MJ).
  const parts = name.split(/[._-]+/).filter((p) => /^[a-z]/i.test(p));
  node.textContent = parts.length > 1 ? parts[0][0] + parts[1][0] : name.slice(0, 1);
  node.classList.toggle('online', online);
  node.classList.remove('group');
}

/** A group's avatar: a rounded square with the initials of its name's first two words. */
function paintGroupAvatar(node, name) {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.codePointAt(0)) % 360;
  node.style.setProperty('--hue', String(h));
  const words = name.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w));
  const first = (w) => [...w.replace(/^[^\p{L}\p{N}]+/u, '')][0] || '';
  node.textContent = words.length > 1 ? first(words[0]) + first(words[1]) : words.length ? first(words[0]) : '#';
  node.classList.add('group');
  node.classList.remove('online');
}

function oneLine(text) {
  return String(text).replace(/\s+/g, ' ').trim();
}

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayFmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

function shortTime(ts, compact) {
  const d = new Date(ts);
  const today = new Date();
  if (d.toDateString() === today.toDateString()) return timeFmt.format(d);
  return compact ? dayFmt.format(d) : `${dayFmt.format(d)}, ${timeFmt.format(d)}`;
}

boot();
