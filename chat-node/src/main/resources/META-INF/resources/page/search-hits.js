// Message search's hits in the page (search.js draws the box and the list): which conversation a hit belongs to,
// and opening it there, older pages loaded until the hit's message is in the thread.
import { convName, ensureConv, groupIdOf, groupKey, isGroupKey, msgKey, nameIn, state, threadOf } from './store.js';
import { ensureGroup } from './conversations.js';
import { loadOlder, openConversation } from './thread.js';

const MAX_PAGES = 100;
const LOADING_POLL_MS = 50;
const LOADING_WAIT_MS = 10000; // a page already loading gets this long before the hit is given up on

/** The key of the conversation a search hit belongs to: its group's, or the other person's. */
export function hitKey(hit) {
  if (hit.group !== undefined && hit.group !== null) return groupKey(hit.group);
  return hit.from === state.session.username ? hit.to : hit.from;
}

/**
 * Where a hit is, as the page names it: the other person's name (display name) for a one-to-one message; the
 * sender and the group for a group message ("Grace H. in Design review", "You in …").
 */
export function hitWhere(hit) {
  const key = hitKey(hit);
  if (!isGroupKey(key)) return convName(state, key);
  const from = hit.from === state.session.username ? 'You' : nameIn(state, key, hit.from);
  return `${from} in ${convName(state, key)}`;
}

/**
 * Opens a search hit's conversation and loads older pages until the hit's message is in it (at most 100 pages):
 * its element, or null when it is not there (deleted since, or the person moved on to another conversation).
 */
export async function openHit(hit) {
  const key = hitKey(hit);
  if (isGroupKey(key)) ensureGroup(groupIdOf(key));
  else ensureConv(state, key);
  openConversation(key);
  const t = threadOf(state, key);
  const want = msgKey(hit.from, hit.id);
  const open = () => state.openPeer === key;
  for (let pages = 0; pages < MAX_PAGES && open() && !t.els.has(want); pages++) {
    for (let waited = 0; t.loading && open() && waited < LOADING_WAIT_MS; waited += LOADING_POLL_MS) {
      await new Promise((resolve) => setTimeout(resolve, LOADING_POLL_MS));
    }
    if (t.loading || t.els.has(want) || (t.loaded && t.exhausted)) break;
    await loadOlder(key, !t.loaded);
  }
  return open() ? t.els.get(want) || null : null;
}
