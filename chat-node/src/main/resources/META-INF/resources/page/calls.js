// API calls as the views make them: a 401 renews the access token once (the refresh cookie) and tries again.
// The three forms differ only in who shows a refusal.
import { ApiError } from '../chat-client.js';
import { hooks, state } from './store.js';

const EXPIRED = 'Your session expired. Please sign in again.';

/**
 * An API call whose failure the page shows by itself (or not at all): answers null when it failed; a 401 that
 * renewal cannot cure ends the session.
 */
export async function call(fn) {
  const s = state.session;
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401 && state.session === s) {
      if (state.client && (await state.client.renewNow()) && state.session === s) {
        try {
          return await fn();
        } catch (again) {
          return null;
        }
      }
      if (state.session === s) hooks.sessionOver(EXPIRED);
    }
    return null;
  }
}

/**
 * An API call whose refusals the caller shows itself: a 401 renews the token once and tries again; any other
 * failure (or a second 401) is thrown to the caller.
 */
export async function renewing(fn) {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401 && state.client && (await state.client.renewNow())) return fn();
    throw e;
  }
}

/** An API call whose error matters to the person: [value, null] or [null, error]; a 401 ends the session. */
export async function attempt(fn) {
  const s = state.session;
  try {
    return [await fn(), null];
  } catch (e) {
    if (e instanceof ApiError && e.status === 401 && state.session === s) hooks.sessionOver(EXPIRED);
    return [null, e];
  }
}
