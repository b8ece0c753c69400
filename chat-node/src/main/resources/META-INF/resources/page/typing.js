// "alice is typing…" under the open conversation.
import { groupKey, namesAround, nameAmong, noteTyping, state, typingNow } from './store.js';
import { $ } from './dom.js';
import { typingText } from './text.js';

/** How long a typing notice is shown after the last one. */
export const TYPING_SHOWN_MS = 4000;

/** A typing notice: "alice is typing…" in that conversation for TYPING_SHOWN_MS. */
export function onTyping(t) {
  if (!state.session || t.from === state.session.username) return;
  const key = t.group !== undefined ? groupKey(t.group) : t.from;
  if (!state.convs.has(key) && !state.threads.has(key)) return;
  noteTyping(state, key, t.from, Date.now() + TYPING_SHOWN_MS);
  renderTyping();
  setTimeout(renderTyping, TYPING_SHOWN_MS + 50);
}

/** The person's message came: they stopped typing. */
export function stopTyping(key, from) {
  const m = state.typers.get(key);
  if (m && m.delete(from) && key === state.openPeer) renderTyping();
}

export function renderTyping() {
  const node = $('typing');
  const names = typingNow(state, state.openPeer, Date.now());
  const around = names.length ? namesAround(state, state.openPeer) : null;
  const text = typingText(names.map((n) => nameAmong(state, n, around)));
  if (node.textContent !== text) node.textContent = text;
}
