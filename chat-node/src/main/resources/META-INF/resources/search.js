// Search in the person's own conversations (GET /api/search): a box in the sidebar lists hits newest first, a page at
// a time ("More results"), and a hit opens its conversation at the message. The page's state stays in app.js, which
// hands in what this needs (bindMessageSearch); user text only ever goes through textContent.

const PAGE = 20;
const MAX_QUERY = 200; // chat.search.max-query-chars
const FOUND_SHOWN_MS = 4000; // the found message stays marked this long

const $ = (id) => document.getElementById(id);
const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

/**
 * Binds the message search box. `api()`: the signed-in ChatApi (or null); `call(fn)`: runs an API call, renewing
 * the token on 401, null on failure; `where(hit)`: the name of the hit's conversation; `open(hit)`: opens its
 * conversation and resolves to the message's element once its page is loaded (null if it is not found).
 */
export function bindMessageSearch({ api, call, where, open }) {
  const input = $('message-search');
  const list = $('message-hits');
  const more = $('message-hits-more');
  const status = $('message-search-status');
  let query = '';
  let hits = [];
  let asked = 0; // the newest request; an older answer arriving late is dropped

  const show = () => {
    list.replaceChildren(...hits.map((h) => {
      const li = el('li');
      const b = el('button', 'hit');
      b.type = 'button';
      b.dataset.id = h.id;
      b.dataset.from = h.from;
      b.append(el('span', 'hit-where', where(h)), el('span', 'hit-body', h.body));
      b.title = new Date(h.ts).toLocaleString();
      b.addEventListener('click', () => jump(h));
      li.append(b);
      return li;
    }));
    list.hidden = hits.length === 0;
  };

  const fetchPage = async (fresh) => {
    const a = api();
    const q = input.value.trim().slice(0, MAX_QUERY);
    if (!a || !q) {
      query = '';
      hits = [];
      more.hidden = true;
      status.textContent = '';
      show();
      return;
    }
    const n = ++asked;
    const before = fresh ? undefined : hits.length ? hits[hits.length - 1].seq : undefined;
    status.textContent = 'Searching…';
    const params = new URLSearchParams({ q, limit: String(PAGE) });
    if (before) params.set('before', String(before));
    const page = await call(() => a.request('GET', `/api/search?${params}`));
    if (n !== asked) return;
    if (!page) {
      status.textContent = 'Search failed. Try again.';
      return;
    }
    query = q;
    hits = fresh ? page : hits.concat(page);
    more.hidden = page.length < PAGE;
    status.textContent = hits.length ? '' : `No messages with “${q}”.`;
    show();
  };

  const jump = async (h) => {
    status.textContent = 'Opening…';
    const li = await open(h);
    if (!li) {
      status.textContent = 'That message is no longer in the conversation.';
      return;
    }
    status.textContent = '';
    li.scrollIntoView({ block: 'center' });
    li.classList.add('found');
    li.tabIndex = -1;
    li.focus({ preventScroll: true });
    setTimeout(() => li.classList.remove('found'), FOUND_SHOWN_MS);
  };

  $('message-search-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    fetchPage(true);
  });
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') {
      input.value = '';
      fetchPage(true);
    }
  });
  more.addEventListener('click', () => fetchPage(false));
  return {
    /** Draws the hits again (others' names became known). */
    refresh() {
      if (hits.length) show();
    },
    /** Forgets the hits (sign out). */
    clear() {
      input.value = '';
      query = '';
      hits = [];
      asked++;
      more.hidden = true;
      status.textContent = '';
      show();
    },
    get query() {
      return query;
    },
  };
}
