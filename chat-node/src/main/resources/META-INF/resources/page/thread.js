// One conversation on the right: its header, its history (paged, newest first), its messages with their states
// and actions, the composer (send and edit), and marking it read.
import {
  applyLastChange, convName, DELETED_TEXT, ensureConv, groupIdOf, groupKey, hasGroup, hooks, isDeletedAccount, isGroupKey,
  mergeHistory, msgKey, nameAmong, namesAround, newer, noticeText, pictureOf, readUpTo, shownName, sortedMessages,
  state, threadOf, upsertMessage,
} from './store.js';
import { $, announce, el, paintAvatar, paintGroupAvatar } from './dom.js';
import { call } from './calls.js';
import { isReading, refreshPresence, renderConversations } from './conversations.js';
import { askNotificationPermission, mentionsMe } from './notifications.js';
import { renderTyping } from './typing.js';
import { dayOf, dayText, memberText, STATE_MARK, STATE_TEXT, shortTime } from './text.js';

const PAGE_SIZE = 30;

export function bindThread() {
  $('back').addEventListener('click', () => closeConversation(true));
  document.addEventListener('visibilitychange', () => {
    if (state.openPeer && document.visibilityState === 'visible') scheduleRead(state.openPeer);
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
    const peer = state.openPeer;
    if (peer && state.client && input.value.trim()) {
      state.client.typing(isGroupKey(peer) ? { group: groupIdOf(peer) } : { to: peer });
    }
  });
  $('jump-newest').addEventListener('click', () => {
    scrollToBottom();
    $('composer-input').focus();
  });
  $('scroller').addEventListener('scroll', () => {
    if (nearBottom()) $('jump-newest').hidden = true;
    if (state.openPeer && $('scroller').scrollTop < 80) loadOlder(state.openPeer);
  });
}

export function openConversation(peer) {
  if (state.editing && state.editing.peer !== peer) {
    stopEditing();
    $('composer-input').value = '';
  }
  state.openPeer = peer;
  ensureConv(state, peer);
  $('chat-view').classList.add('show-conversation');
  $('pane-empty').hidden = true;
  $('pane-conversation').hidden = false;
  const isGroup = isGroupKey(peer);
  hooks.closeMembers(false);
  $('members-toggle').hidden = !isGroup;
  openHeader();
  renderPeerHeader();
  renderTyping();
  const t = threadOf(state, peer);
  // Where the person left off: the divider stands before the first of the messages unread until now.
  const opened = state.convs.get(peer);
  t.unreadCount = opened && opened.unread > 0 ? opened.unread : 0;
  t.unreadFrom = null;
  // Unsent messages of an earlier visit (or page) belong here too.
  for (const p of state.client ? state.client.pending() : []) {
    if (isGroup ? p.group !== undefined && groupKey(p.group) === peer : p.to === peer) {
      upsert(peer, { id: p.id, from: state.session.username, to: p.to, group: p.group, body: p.body, ts: p.createdAt,
        state: p.state }, false);
    }
  }
  if (isGroup) hooks.fetchGroup(groupIdOf(peer));
  renderThread(peer);
  scrollToBottom();
  renderConversations();
  refreshPresence();
  if (!t.loaded) loadOlder(peer, true);
  scheduleRead(peer);
  $('composer-input').focus();
}

export function closeConversation(focusList) {
  const was = state.openPeer;
  state.openPeer = null;
  hooks.closeMembers(false);
  renderTyping();
  $('chat-view').classList.remove('show-conversation');
  $('pane-empty').hidden = false;
  $('pane-conversation').hidden = true;
  if (state.session) renderConversations();
  if (focusList && was) {
    const b = document.querySelector(`#conversation-list li[data-peer="${CSS.escape(was)}"] button`);
    if (b) b.focus();
  }
}

/** The open conversation's name, in the header and the composer's label. */
export function openHeader() {
  if (!state.openPeer) return;
  const name = convName(state, state.openPeer);
  $('peer-name').textContent = name;
  // A person's username stays at hand when a display name is shown.
  if (!isGroupKey(state.openPeer) && name !== state.openPeer) $('peer-name').title = state.openPeer;
  else $('peer-name').removeAttribute('title');
  // A deleted account's conversation stays readable; nothing can be sent to it.
  const gone = isDeletedAccount(state.openPeer);
  $('composer-input').disabled = gone;
  $('composer-send').disabled = gone;
  $('composer-label').textContent = gone ? 'This account was deleted' : `Message ${name}`;
  $('composer-input').placeholder = gone ? 'This account was deleted' : `Message ${name}`;
}

/** The open conversation's avatar and status (online, or the group's member count). */
export function renderPeerHeader() {
  const peer = state.openPeer;
  if (!peer) return;
  const st = $('peer-status');
  if (isGroupKey(peer)) {
    const c = state.convs.get(peer);
    paintGroupAvatar($('peer-avatar'), convName(state, peer));
    st.textContent = c ? memberText(c.memberCount) : '';
    st.classList.remove('online');
    return;
  }
  const online = state.presence.get(peer) === true;
  paintAvatar($('peer-avatar'), peer, online, pictureOf(state, peer), shownName(state, peer));
  st.textContent = state.presence.has(peer) ? (online ? 'Online' : 'Offline') : '';
  st.classList.toggle('online', online);
}

/** History: the newest page on first open, then older pages (before the smallest seq seen). */
export async function loadOlder(peer, first = false) {
  const t = threadOf(state, peer);
  if (t.loading || t.exhausted || (!first && !t.loaded)) return;
  t.loading = true;
  const status = $('history-status');
  if (state.openPeer === peer) status.textContent = first ? 'Loading messages…' : 'Loading earlier messages…';
  const s = state.session;
  const page = await call(() => historyPage(peer, { before: first ? undefined : t.minSeq, limit: PAGE_SIZE }));
  t.loading = false;
  if (state.session !== s) return;
  if (!page) {
    if (state.openPeer === peer) status.textContent = 'Could not load the history. Scroll up to try again.';
    return;
  }
  t.loaded = true;
  if (page.length < PAGE_SIZE) t.exhausted = true;
  const scroller = $('scroller');
  const before = scroller.scrollHeight - scroller.scrollTop;
  mergePage(peer, page);
  if (state.openPeer !== peer) return;
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
export async function loadNewest(peer) {
  const t = threadOf(state, peer);
  if (!t.loaded) return;
  const page = await call(() => historyPage(peer, { limit: PAGE_SIZE }));
  if (page && state.openPeer === peer) {
    const stick = nearBottom();
    mergePage(peer, page);
    for (const m of page) {
      const key = msgKey(m.from, m.id);
      if (t.els.has(key)) fillMessage(t.els.get(key), t.msgs.get(key));
      else insertMessageEl(peer, t.msgs.get(key));
    }
    if (stick) scrollToBottom();
  }
}

function historyPage(key, opts) {
  return isGroupKey(key) ? state.api.groupHistory(groupIdOf(key), opts) : state.api.history(key, opts);
}

function beginningText(key, t) {
  if (isGroupKey(key)) return `This is where you joined ${convName(state, key)}.`;
  return t.msgs.size ? `This is the beginning of your conversation with ${convName(state, key)}.` : '';
}

/** A history page into the thread; the client learns the others' IDs, so the socket does not show them again. */
function mergePage(peer, page) {
  const me = state.session.username;
  for (const m of page) if (m.from !== me && state.client) state.client.markSeen(m.from, m.id);
  mergeHistory(threadOf(state, peer), page, me);
}

/** Adds or updates one message in its thread, and on screen when render is asked; answers whether it was new. */
export function upsert(peer, m, render = true) {
  const t = threadOf(state, peer);
  const { fresh, msg } = upsertMessage(t, m);
  if (render) {
    const key = msgKey(msg.from, msg.id);
    if (fresh && state.openPeer === peer) insertMessageEl(peer, msg);
    else if (!fresh && t.els.has(key)) fillMessage(t.els.get(key), msg);
  }
  return fresh;
}

function renderThread(peer) {
  const t = threadOf(state, peer);
  t.els.clear();
  const around = namesAround(state, peer);
  const items = sortedMessages(t).map((m) => {
    const li = buildMessage(m, around);
    t.els.set(msgKey(m.from, m.id), li);
    return li;
  });
  $('messages').replaceChildren(...items);
  refreshSeparators(peer);
  if (t.exhausted && t.loaded) {
    $('history-status').textContent = beginningText(peer, t);
  } else if (!t.loading) {
    $('history-status').textContent = '';
  }
}

function insertMessageEl(peer, m) {
  const t = threadOf(state, peer);
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

/**
 * A date line before the first message of each day, and an "Unread messages" line before the first message that
 * was unread when the person opened the conversation (where they left off).
 */
function refreshSeparators(peer) {
  if (state.openPeer !== peer) return;
  const ol = $('messages');
  for (const x of [...ol.querySelectorAll('li.date-separator, li.unread-divider')]) x.remove();
  const t = threadOf(state, peer);
  const items = [...ol.children];
  let unreadAt = null;
  if (t.unreadCount > 0) {
    // Found once by counting back from the newest, then kept by its key: messages that come while the conversation
    // is open go below it instead of moving it (counting back again would put it one message later each time).
    unreadAt = t.unreadFrom ? t.els.get(t.unreadFrom) || null : null;
    if (!unreadAt) {
      const me = state.session.username;
      const theirs = items.filter((li) => li.classList.contains('msg') && li.dataset.from !== me);
      unreadAt = theirs.length >= t.unreadCount ? theirs[theirs.length - t.unreadCount] : null;
      if (unreadAt) t.unreadFrom = msgKey(unreadAt.dataset.from, unreadAt.dataset.id);
    }
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

/**
 * Others' names in the open conversation follow what is known of them now (a display name came, or two people
 * now share one): sender lines, the words read out before each message, and the group's change lines.
 */
export function refreshNames() {
  const peer = state.openPeer;
  const t = peer && state.threads.get(peer);
  if (!t || !state.session) return;
  const around = namesAround(state, peer);
  for (const [key, li] of t.els) {
    const m = t.msgs.get(key);
    if (m && m.notice) li.textContent = noticeText(state, m, around);
    else if (m && m.from !== state.session.username) fillMessage(li, m, around);
  }
}

/** The sender's name as the conversation shows it (see store.js's nameAmong). */
function senderName(m, around) {
  const key = hasGroup(m) ? groupKey(m.group) : m.from;
  return nameAmong(state, m.from, around || namesAround(state, key));
}

function buildMessage(m, around) {
  if (m.notice) {
    const li = el('li', 'group-notice', noticeText(state, m, around));
    li.dataset.ts = String(m.ts);
    li.dataset.notice = 'true';
    return li;
  }
  const mine = m.from === state.session.username;
  const li = el('li', 'msg' + (mine ? ' mine' : ''));
  li.dataset.id = m.id;
  li.dataset.from = m.from;
  if (hasGroup(m) && !mine) {
    const sender = el('div', 'sender'); // read out by the hidden prefix in the bubble
    sender.setAttribute('aria-hidden', 'true');
    li.append(sender);
  }
  li.append(el('div', 'bubble'), el('div', 'meta'));
  fillMessage(li, m, around);
  return li;
}

/**
 * A message's element shows the message as it is now: its sender's name, body, time, state, seen, edited,
 * actions. `around` (namesAround of its conversation) may be passed by a caller filling many.
 */
export function fillMessage(li, m, around) {
  const mine = m.from === state.session.username;
  const from = mine ? null : senderName(m, around);
  const sender = li.querySelector('.sender');
  if (sender) {
    sender.textContent = from;
    if (from !== m.from) sender.title = '@' + m.from;
    else sender.removeAttribute('title');
  }
  li.dataset.ts = String(m.ts);
  li.dataset.state = m.state;
  if (m.seen) li.dataset.seen = 'true';
  li.classList.toggle('deleted', !!m.deleted);
  const mention = !mine && !m.deleted && hasGroup(m) && mentionsMe(m.body);
  li.classList.toggle('mention', mention);
  li.classList.toggle('edited', !!m.edited && !m.deleted);
  const who = el('span', 'visually-hidden', mine ? 'You: ' : mention ? `${from}, mentioning you: ` : `${from}: `);
  li.querySelector('.bubble').replaceChildren(who, document.createTextNode(m.deleted ? DELETED_TEXT : m.body));
  const time = el('time', null, shortTime(m.ts, false));
  time.dateTime = new Date(m.ts).toISOString();
  const parts = [time];
  if (m.edited && !m.deleted) parts.push(el('span', 'edited-mark', 'edited'));
  if (mine && !m.deleted && hasGroup(m) && m.seenBy > 0) parts.push(seenByButton(m));
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
        if (state.client && state.client.retry(m.id)) {
          m.state = 'sending';
          fillMessage(li, m);
        }
      });
      parts.push(retry);
    }
  }
  parts.push(...messageActions(li, m));
  li.querySelector('.meta').replaceChildren(...parts);
}

/** "Seen by N" under the person's own group message; a click asks who. */
function seenByButton(m) {
  const seenBy = el('button', 'seen-by msg-action', `Seen by ${m.seenBy}`);
  seenBy.type = 'button';
  seenBy.setAttribute('aria-label', `Seen by ${m.seenBy}: show who`);
  seenBy.addEventListener('click', async () => {
    const r = m.seq ? await call(() => state.api.groupSeen(m.group, m.seq)) : null;
    if (!r) return;
    const around = namesAround(state, groupKey(m.group));
    const who = r.names.map((n) => nameAmong(state, n, around)).join(', ')
      + (r.count > r.names.length ? ` and ${r.count - r.names.length} more` : '');
    seenBy.title = who;
    announce(`Seen by ${who}`);
  });
  return seenBy;
}

/**
 * Edit and Delete for the person's own stored messages; Delete for anyone's message in a group the person owns or
 * administers. The server decides (the edit window): a refused change is announced.
 */
function messageActions(li, m) {
  if (m.deleted || !state.client || m.state === 'sending' || m.state === 'failed') return [];
  const mine = m.from === state.session.username;
  const conv = hasGroup(m) ? state.convs.get(groupKey(m.group)) : null;
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
        state.client.deleteMessage(m.id, mine ? undefined : m.from);
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
  state.editing = { peer: state.openPeer, target: m.id };
  const input = $('composer-input');
  input.value = m.body;
  input.dataset.editing = m.id;
  autoGrow();
  input.focus();
  announce('Editing your message. Send to save it.');
}

function stopEditing() {
  state.editing = null;
  delete $('composer-input').dataset.editing;
}

/** A conversation's preview follows a change of its last message. */
export function refreshLast(m) {
  applyLastChange(state, m);
  renderConversations();
}

export function scrollToBottom() {
  const s = $('scroller');
  s.scrollTop = s.scrollHeight;
  $('jump-newest').hidden = true;
}

export function nearBottom() {
  const s = $('scroller');
  return s.scrollHeight - s.scrollTop - s.clientHeight < 120;
}

function sendFromComposer() {
  const input = $('composer-input');
  const body = input.value;
  const peer = state.openPeer;
  const client = state.client;
  if (!peer || !client || !body.trim()) return;
  const me = state.session.username;
  if (state.editing && state.editing.peer === peer) {
    const key = msgKey(me, state.editing.target);
    try {
      client.edit(state.editing.target, body);
    } catch (e) {
      announce(e.message);
      return;
    }
    const t = threadOf(state, peer);
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
  threadOf(state, peer).unreadCount = 0; // replying: the person has caught up
  const msg = { id: m.id, from: me, to: group === undefined ? peer : undefined, group, body, ts: m.createdAt,
    state: 'sending' };
  upsert(peer, msg);
  const conv = ensureConv(state, peer);
  conv.last = newer(conv.last, msg);
  renderConversations();
  scrollToBottom();
}

function autoGrow() {
  const input = $('composer-input');
  input.style.height = 'auto';
  input.style.height = Math.min(input.scrollHeight + 2, 160) + 'px';
}

/** Marks the open, visible conversation read up to its newest message from the others. */
export function scheduleRead(peer) {
  if (!isReading(peer)) return;
  const conv = state.convs.get(peer);
  const hadUnread = !!(conv && conv.unread);
  if (hadUnread) {
    conv.unread = 0;
    renderConversations();
  }
  clearTimeout(state.timers.read);
  state.timers.read = setTimeout(async () => {
    if (!isReading(peer)) return;
    const t = threadOf(state, peer);
    const ts = readUpTo(t, conv, peer, state.session.username);
    if (ts > t.readTs) {
      t.readTs = ts;
      await call(() => (isGroupKey(peer) ? state.api.markGroupRead(groupIdOf(peer), ts) : state.api.markRead(peer, ts)));
    }
  }, hadUnread ? 0 : 250);
}
