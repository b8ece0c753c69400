// The chat page's entry module: signing in and out, and wiring the page's modules (page/*.js) to the client
// module. Everything about the protocol lives in chat-client.js; the state lives in page/store.js; each view
// module imports only the ones below it (store, text, session, profiles < dom < calls < notifications < typing <
// conversations < thread < groups < people < search-hits < events < account < auth < app; search.js, the
// message search box, has its I/O handed in here), and the few calls upwards go
// through store.js's hooks, set here. User text only ever goes through textContent.
import { ChatApi, ChatClient, isExpired } from './chat-client.js';
import { hooks, resetState, state } from './page/store.js';
import {
  clientStorageKey, clientTimings, forgetSession, loadSession, resume, saveSession,
} from './page/session.js';
import { $, paintAvatar } from './page/dom.js';
import { loadConversations, refreshPresence, renderConversations } from './page/conversations.js';
import { onTyping, renderTyping } from './page/typing.js';
import {
  bindThread, closeConversation, openConversation, openHeader, refreshNames, renderPeerHeader, scheduleRead,
} from './page/thread.js';
import { bindGroups, closeMembers, closeNewGroup, fetchGroup, joinFromHash, renderMembers } from './page/groups.js';
import { bindPeopleSearch, clearSearch, renderSearch } from './page/people.js';
import { onChange, onConnection, onGroupChange, onMessage, onRead, onSeen, onSent, onStatus } from './page/events.js';
import { bindAccount, closeAccount, loadProfile } from './page/account.js';
import { bindAuth, showAuth } from './page/auth.js';
import { updateTitle } from './page/notifications.js';
import { createProfiles } from './page/profiles.js';
import { call } from './page/calls.js';
import { hitWhere, openHit } from './page/search-hits.js';
import { bindMessageSearch } from './search.js';

const PRESENCE_EVERY_MS = 10000;
const EXPIRED = 'Your session expired. Please sign in again.';

/** The message search box (search.js), bound once at boot. */
let messageSearch = null;

Object.assign(hooks, {
  openConversation,
  sessionOver,
  fetchGroup,
  scheduleRead,
  closeMembers,
  presenceChanged: () => {
    renderSearch();
    renderPeerHeader();
  },
});

async function boot() {
  bindAuth({
    onSignedIn: (s) => {
      saveSession(localStorage, s);
      startChat(s);
    },
  });
  bindChat();
  const s = loadSession(localStorage);
  if (s && !isExpired(s.expiresAt)) {
    startChat(s);
    return;
  }
  // No usable access token: the refresh cookie (HttpOnly, unseen here) may still hold the session.
  const resumed = await resume(new ChatApi());
  if (resumed) {
    saveSession(localStorage, resumed);
    startChat(resumed);
  } else if (s) {
    forgetSession(localStorage);
    showAuth(EXPIRED);
  } else {
    showAuth();
  }
}

function bindChat() {
  $('sign-out').addEventListener('click', () => signOut(false));
  $('sign-out-all').addEventListener('click', () => signOut(true));
  $('banner-retry').addEventListener('click', () => state.client && state.client.reconnectNow());
  window.addEventListener('online', () => state.client && state.client.reconnectNow());
  bindAccount({
    onDeleted: (username) => {
      stopChat();
      forgetSession(localStorage);
      localStorage.removeItem(clientStorageKey(username));
      showAuth('Your account was deleted.');
    },
  });
  bindPeopleSearch();
  bindThread();
  bindGroups();
  messageSearch = bindMessageSearch({ api: () => state.api, call, where: hitWhere, open: openHit });
}

async function startChat(s) {
  state.session = s;
  state.api = new ChatApi({ token: s.token });
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
  const a = state.api;
  state.profiles = createProfiles({ fetch: (name) => call(() => a.user(name)), onChange: profilesChanged });
  const client = new ChatClient({
    ...clientTimings(localStorage),
    token: s.token,
    expiresAt: s.expiresAt,
    authCheck: () => a.tokenAccepted(),
    renew: () => a.refresh(),
    storage: localStorage,
    storageKey: clientStorageKey(s.username),
  });
  state.client = client;
  client.on('message', onMessage);
  client.on('status', onStatus);
  client.on('connection', onConnection);
  client.on('unauthorized', () => sessionOver(EXPIRED));
  client.on('renewed', (r) => {
    if (state.session !== s) return;
    s.token = r.token;
    s.expiresAt = r.expiresAt;
    saveSession(localStorage, s);
  });
  client.on('typing', onTyping);
  client.on('sent', onSent);
  client.on('change', onChange);
  client.on('read', onRead);
  client.on('seen', onSeen);
  client.on('frame', (f) => {
    if (f && f.type === 'group') onGroupChange(f);
    // Someone the person talks with changed their name or picture: shown now, not when the cache refreshes.
    if (f && f.type === 'profile' && typeof f.user === 'string' && state.profiles && state.session === s) {
      state.profiles.learn(f.user, f);
      if (f.user === s.username) loadProfile(s); // the person's own, from another device: the header too
    }
  });

  // The list first: a redelivered message it already counts as unread is not counted again.
  await loadConversations();
  if (state.client && state.session === s) state.client.connect();
  state.timers.presence = setInterval(refreshPresence, PRESENCE_EVERY_MS);
  if (state.session === s) joinFromHash();
}

/**
 * Others' names or pictures came: everywhere a person is named shows them (once per burst): the list, the header,
 * the members panel, the open conversation's sender lines, the typing line and the message search's hits.
 */
function profilesChanged() {
  if (state.timers.profiles) return;
  state.timers.profiles = setTimeout(() => {
    delete state.timers.profiles;
    if (!state.session) return;
    renderConversations();
    openHeader();
    renderPeerHeader();
    refreshNames();
    renderTyping();
    if (messageSearch) messageSearch.refresh();
    if (!$('members-panel').hidden) renderMembers();
  }, 50);
}

function stopChat() {
  closeAccount();
  if (state.profiles) state.profiles.close();
  if (state.client) state.client.close();
  for (const t of Object.values(state.timers)) {
    clearTimeout(t);
    clearInterval(t);
  }
  closeNewGroup(false);
  resetState(state);
  clearSearch();
  if (messageSearch) messageSearch.clear();
  $('conversation-list').replaceChildren();
  $('messages').replaceChildren();
  delete document.body.dataset.connection;
}

/** The session is over (expired or refused): back to sign-in, with a message saying why. */
function sessionOver(message) {
  if (!state.session) return;
  stopChat();
  forgetSession(localStorage);
  showAuth(message);
}

/**
 * Signs this device out (everywhere: every device of the account). The server revokes the session(s) and
 * clears the refresh cookie before the sign-in screen shows, so a quick sign-in again cannot lose its new
 * cookie to the late answer of the sign-out.
 */
async function signOut(everywhere) {
  const key = state.session && clientStorageKey(state.session.username);
  const a = state.api;
  stopChat();
  forgetSession(localStorage);
  if (key) localStorage.removeItem(key); // a shared computer keeps nothing of this person
  let notice = everywhere ? 'You signed out on every device.' : 'You signed out.';
  try {
    if (a) await (everywhere ? a.signOutEverywhere() : a.signOut());
  } catch (e) {
    if (everywhere) notice = 'You signed out here, but other devices could not be signed out. Sign in and try again.';
  }
  showAuth(notice);
}

boot();
