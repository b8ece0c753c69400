// "Find people": the search box above the list; picking someone opens (or starts) the conversation.
import { ensureConv, state } from './store.js';
import { $, fillPersonRow, personRow } from './dom.js';
import { call } from './calls.js';
import { refreshPresence, renderConversations } from './conversations.js';
import { openConversation } from './thread.js';

const SEARCH_DELAY_MS = 200;
const SEARCH_LIMIT = 8;

export function bindPeopleSearch() {
  const search = $('people-search');
  search.addEventListener('input', () => {
    clearTimeout(state.timers.search);
    state.timers.search = setTimeout(runSearch, SEARCH_DELAY_MS);
  });
  search.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') {
      search.value = '';
      state.searchResults = [];
      renderSearch();
    } else if (ev.key === 'ArrowDown') {
      const first = $('search-results').querySelector('button');
      if (first) {
        ev.preventDefault();
        first.focus();
      }
    } else if (ev.key === 'Enter') {
      ev.preventDefault();
      clearTimeout(state.timers.search);
      runSearch().then(() => {
        if (state.searchResults.length) pickPerson(state.searchResults[0].username);
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
}

async function runSearch() {
  const q = $('people-search').value.trim().toLowerCase();
  if (!q) {
    state.searchResults = [];
    renderSearch();
    return;
  }
  const found = await call(() => state.api.searchUsers(q, SEARCH_LIMIT));
  if (!found || $('people-search').value.trim().toLowerCase() !== q) return;
  state.searchResults = found.filter((u) => u.username !== state.session.username);
  renderSearch(q);
  refreshPresence();
}

/**
 * The results, each with the display name and picture the search answered (user-service's own, fresh) and the
 * username under it; the same people again (e.g. a presence refresh) are updated in place, so focus is not lost.
 */
export function renderSearch(q) {
  const ul = $('search-results');
  const empty = $('search-empty');
  const names = state.searchResults.map((u) => u.username);
  const shown = [...ul.querySelectorAll('button')].map((b) => b.dataset.user);
  if (names.join('\n') !== shown.join('\n')) ul.replaceChildren(...names.map((name) => personRow(name, pickPerson)));
  const found = new Map(state.searchResults.map((u) => [u.username, u]));
  for (const b of ul.querySelectorAll('button')) {
    const name = b.dataset.user;
    const u = found.get(name) || {};
    const online = state.presence.get(name) === true;
    const display = (typeof u.displayName === 'string' && u.displayName.trim()) || name;
    fillPersonRow(b, display, online, typeof u.avatar === 'string' ? u.avatar : null);
    const who = display === name ? name : `${display} (${name})`;
    b.setAttribute('aria-label', `${who}${online ? ', online' : ''}: open the conversation`);
  }
  ul.hidden = state.searchResults.length === 0;
  const query = q !== undefined ? q : $('people-search').value.trim();
  empty.textContent = query && !state.searchResults.length ? `No one whose name starts with “${query}”.` : '';
  empty.hidden = !empty.textContent;
}

/** Clears the search (on sign-out). */
export function clearSearch() {
  state.searchResults = [];
  $('people-search').value = '';
  renderSearch();
}

function pickPerson(name) {
  $('people-search').value = '';
  state.searchResults = [];
  renderSearch();
  ensureConv(state, name);
  renderConversations();
  openConversation(name);
}
