// The list of conversations on the left: loading it, its order, unread badges, presence dots and previews.
import {
  applyConversationList, convName, ensureGroupConv, groupIdOf, hooks, isDeletedAccount, isGroupKey, nameIn, pictureOf,
  shownName, sortedConversations, state,
} from './store.js';
import { $, el, paintAvatar, paintGroupAvatar } from './dom.js';
import { call } from './calls.js';
import { updateTitle } from './notifications.js';
import { memberText, previewText, shortTime } from './text.js';

const PRESENCE_LIMIT = 200;

/** Whether the person is looking at this conversation now (its messages are read as they come). */
export function isReading(key) {
  return state.openPeer === key && document.visibilityState === 'visible';
}

/** The group's entry of the list; one the page did not know, without info, is fetched. */
export function ensureGroup(id, info) {
  const { conv, created } = ensureGroupConv(state, id, info);
  if (created && !info) hooks.fetchGroup(String(id));
  return conv;
}

/** The server's conversations and groups, with their unread counts, into the list. */
export async function loadConversations() {
  const s = state.session;
  const [list, groups] = await Promise.all([call(() => state.api.conversations(50)), call(() => state.api.groups())]);
  if (!list || state.session !== s) return;
  applyConversationList(state, list, groups, isReading);
  renderConversations();
  refreshPresence();
  if (state.openPeer) hooks.scheduleRead(state.openPeer);
}

/** The list as the state has it, reusing each conversation's item (focus and clicks are not lost). */
export function renderConversations() {
  const ul = $('conversation-list');
  const existing = new Map([...ul.children].map((li) => [li.dataset.peer, li]));
  sortedConversations(state).forEach((c, i) => {
    const li = existing.get(c.key) || buildConversationItem(c.key);
    existing.delete(c.key);
    fillConversationItem(li, c);
    if (ul.children[i] !== li) ul.insertBefore(li, ul.children[i] || null);
  });
  for (const li of existing.values()) li.remove();
  $('conversations-empty').hidden = state.convs.size > 0;
  updateTitle();
}

function buildConversationItem(key) {
  const li = el('li');
  li.dataset.peer = key; // the conversation's key ('g:ID' for a group)
  if (isGroupKey(key)) li.dataset.group = groupIdOf(key);
  const b = el('button', 'conversation-item');
  b.type = 'button';
  const av = el('span', 'avatar');
  av.setAttribute('aria-hidden', 'true');
  b.append(av, el('span', 'name', convName(state, key)), el('span', 'time'), el('span', 'preview'), el('span', 'badge'));
  b.addEventListener('click', () => hooks.openConversation(key));
  li.append(b);
  return li;
}

function fillConversationItem(li, c) {
  const b = li.firstChild;
  const isGroup = !!c.group;
  const name = isGroup ? c.name : shownName(state, c.peer);
  const online = !isGroup && state.presence.get(c.peer) === true;
  const nameEl = b.querySelector('.name');
  nameEl.textContent = name;
  if (!isGroup && name !== c.peer) nameEl.title = c.peer;
  else nameEl.removeAttribute('title');
  if (isGroup) paintGroupAvatar(b.querySelector('.avatar'), name);
  else paintAvatar(b.querySelector('.avatar'), c.peer, online, pictureOf(state, c.peer), name);
  const last = c.last;
  const preview = previewText(last, state.session.username, isGroup, (u) => nameIn(state, c.key, u));
  b.querySelector('.preview').textContent = preview;
  b.querySelector('.time').textContent = last ? shortTime(last.ts, true) : '';
  const badge = b.querySelector('.badge');
  badge.textContent = c.unread > 99 ? '99+' : String(c.unread);
  badge.hidden = !(c.unread > 0);
  b.classList.toggle('has-unread', c.unread > 0);
  b.setAttribute('aria-current', state.openPeer === c.key ? 'true' : 'false');
  const who = isGroup ? `group ${name}, ${memberText(c.memberCount)}` : name !== c.peer ? `${name} (${c.peer})` : name;
  b.setAttribute('aria-label', [who, online ? 'online' : null,
    c.unread > 0 ? `${c.unread} unread` : null, last ? `last message: ${preview}` : 'no messages yet']
    .filter(Boolean).join(', '));
}

/** Who is online among the people of the list, the search results and the open conversation. */
export async function refreshPresence() {
  if (!state.session) return;
  const names = new Set([...state.convs.keys(), ...state.searchResults.map((u) => u.username)]
    .filter((k) => !isGroupKey(k) && !isDeletedAccount(k)));
  if (state.openPeer && !isGroupKey(state.openPeer) && !isDeletedAccount(state.openPeer)) names.add(state.openPeer);
  const list = [...names].slice(0, PRESENCE_LIMIT);
  if (!list.length) return;
  const r = await call(() => state.api.presence(list));
  if (!r || !state.session) return;
  for (const [name, p] of Object.entries(r)) state.presence.set(name, !!(p && p.online));
  renderConversations();
  hooks.presenceChanged();
}
