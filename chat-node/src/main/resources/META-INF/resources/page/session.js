// The session as the browser keeps it, and the sign-in rules. Storage and the API are passed in (the page passes
// localStorage and chat-client.js's ChatApi), so the rules are unit-tested with in-memory ones (page-spec.js).
import { ApiError } from '../chat-client.js';

export const SESSION_KEY = 'chat.session';
export const USERNAME = /^[a-z0-9_.-]{3,32}$/;
const CLIENT_OPTIONS_KEY = 'chat.clientOptions';

/** The stored session ({username, token, expiresAt}); null when there is none or it is unreadable. */
export function loadSession(storage) {
  try {
    const s = JSON.parse(storage.getItem(SESSION_KEY) || 'null');
    if (s && typeof s.token === 'string' && typeof s.username === 'string' && typeof s.expiresAt === 'number') {
      return s;
    }
  } catch (e) {
    // unreadable: signed out
  }
  return null;
}

export function saveSession(storage, s) {
  storage.setItem(SESSION_KEY, JSON.stringify(s));
}

export function forgetSession(storage) {
  storage.removeItem(SESSION_KEY);
}

/** Where the client module keeps a person's unsent messages and seen IDs. */
export function clientStorageKey(username) {
  return 'chat.client.' + username;
}

/** A JWT's claims (not verified: the server does that; the page only reads its own name). */
export function claims(jwt) {
  const part = String(jwt).split('.')[1] || '';
  return JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/')));
}

/**
 * The session of the refresh cookie, with a fresh access token; null when there is none. `api` is a ChatApi
 * without a token.
 */
export async function resume(api) {
  try {
    const r = await api.refresh();
    const username = claims(r.token).upn;
    return typeof username === 'string' ? { username, token: r.token, expiresAt: r.expiresAt } : null;
  } catch (e) {
    return null;
  }
}

/**
 * The client's timings may be tuned per browser (tests use it to give up sooner), e.g.
 * localStorage['chat.clientOptions'] = '{"giveUpAfterMs": 5000}'. Only positive numbers of known options count.
 */
export function clientTimings(storage) {
  const known = ['retryIntervalMs', 'giveUpAfterMs', 'heartbeatIntervalMs', 'heartbeatTimeoutMs', 'connectTimeoutMs',
    'reconnectInitialMs', 'reconnectMaxMs'];
  try {
    const o = JSON.parse(storage.getItem(CLIENT_OPTIONS_KEY) || '{}');
    return Object.fromEntries(known.filter((k) => Number.isFinite(o[k]) && o[k] > 0).map((k) => [k, o[k]]));
  } catch (e) {
    return {};
  }
}

/**
 * What is wrong with the sign-in (mode 'signin') or sign-up ('signup') form before it is sent: {text, field}
 * naming the field to fix, or null. Sign-up checks the server's rules too, so the person learns them at once.
 */
export function checkCredentials(mode, username, password) {
  if (!username) return { text: 'Enter your username.', field: 'auth-username' };
  if (!password) return { text: 'Enter your password.', field: 'auth-password' };
  if (mode === 'signup') {
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

/** The sign-in screen's words for a refusal. */
export function authMessage(e) {
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

/** The group forms' words for a refusal (fallback when nothing better is known). */
export function groupError(e, fallback) {
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
