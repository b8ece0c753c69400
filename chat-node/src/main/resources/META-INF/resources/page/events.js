// What the socket says (through chat-client.js's events), into the state and onto the screen: messages, their
// states, edits and deletes, group changes, reads on other devices, the peer's seen notices, the connection.
import {
  applyReadElsewhere, applySeen, countsAsUnread, dropConversation, ensureConv, groupKey, groupNotice, hasGroup, msgKey,
  nameIn, newer, state,
} from './store.js';
import { $, announce, hideBanner, showBanner } from './dom.js';
import { ensureGroup, isReading, loadConversations, renderConversations } from './conversations.js';
import { notifyInBackground } from './notifications.js';
import { stopTyping } from './typing.js';
import {
  closeConversation, fillMessage, loadNewest, nearBottom, refreshLast, renderPeerHeader, scheduleRead, scrollToBottom,
  upsert,
} from './thread.js';
import { fetchGroup } from './groups.js';
import { groupChangeText } from './text.js';

/** The connection's state: a banner while it is down; on coming back, what the socket does not repeat. */
export function onConnection(c) {
  document.body.dataset.connection = c.state;
  if (c.state === 'open') {
    if (state.wasDown) {
      showBanner('up', 'Connected again.');
      state.timers.banner = setTimeout(hideBanner, 4000);
      // Catch up on what the socket does not repeat: delivered notices, the list's unread counts.
      loadConversations();
      if (state.openPeer) loadNewest(state.openPeer);
    }
    state.wasDown = false;
    state.everOpen = true;
  } else if (c.state === 'down') {
    state.wasDown = true;
    const text = navigator.onLine === false ? 'You are offline. Waiting for the network…'
      : state.everOpen ? 'Connection lost. Reconnecting…' : 'Cannot reach the chat. Retrying…';
    showBanner('down', text);
  }
}

/** A message for the person (from someone else, or redelivered): shown once, counted unread once. */
export function onMessage(m) {
  if (!state.session) return;
  const me = state.session.username;
  const isGroup = hasGroup(m);
  const peer = isGroup ? groupKey(m.group) : m.from === me ? m.to : m.from;
  const conv = isGroup ? ensureGroup(m.group) : ensureConv(state, peer);
  stopTyping(peer, m.from);
  const t = state.threads.get(peer);
  const stick = state.openPeer === peer && nearBottom();
  const fresh = t ? upsert(peer, { ...m, state: 'received' }) : true;
  if (!fresh) return;
  conv.last = newer(conv.last, m);
  if (countsAsUnread(conv, m, me, isReading(peer))) {
    conv.unread = (conv.unread || 0) + 1;
    notifyInBackground(peer, m, isGroup ? conv.name : null);
    const from = nameIn(state, peer, m.from);
    announce(isGroup ? `New message from ${from} in ${conv.name}` : `New message from ${from}`);
  }
  if (!isGroup) state.presence.set(m.from, true);
  // Someone the open group's members panel does not know yet (joined by invite, added by an admin).
  const gm = state.groupMembers;
  if (isGroup && gm && groupKey(gm.id) === peer && !gm.members.some((x) => x.username === m.from)) {
    fetchGroup(String(m.group));
  }
  renderConversations();
  if (state.openPeer === peer) {
    renderPeerHeader();
    if (stick) scrollToBottom();
    else $('jump-newest').hidden = false;
    scheduleRead(peer);
  }
}

/** A state of the person's own message (sent, delivered, failed) or of a change they asked for. */
export function onStatus(s) {
  if (!state.session) return;
  if (s.kind) {
    if (s.state === 'failed') {
      announce(s.error && s.error.code === 'edit_window_closed' ? 'That message is too old to change.'
        : 'The change could not be made' + (s.error ? ` (${s.error.code}).` : '.'));
    }
    return;
  }
  const me = state.session.username;
  const peer = s.group !== undefined ? groupKey(s.group) : s.to;
  const t = peer && state.threads.get(peer);
  if (t && t.msgs.has(msgKey(me, s.id))) {
    upsert(peer, { id: s.id, from: me, state: s.state });
    if (s.state === 'failed') announce('A message could not be sent. Use Retry to send it again.');
  }
}

/** The person's own message, sent from another device (or echoed to this one): shown as sent. */
export function onSent(m) {
  if (!state.session) return;
  const isGroup = hasGroup(m);
  const peer = isGroup ? groupKey(m.group) : m.to;
  const conv = isGroup ? ensureGroup(m.group) : ensureConv(state, peer);
  if (state.threads.get(peer)) upsert(peer, { ...m, group: isGroup ? String(m.group) : undefined, state: 'sent' });
  conv.last = newer(conv.last, m);
  renderConversations();
  if (state.openPeer === peer && nearBottom()) scrollToBottom();
}

/** An edit or delete of a message, by its sender, a group moderator, or the person on another device. */
export function onChange(c) {
  if (!state.session) return;
  const me = state.session.username;
  const peer = c.group !== undefined ? groupKey(c.group) : c.from === me ? c.to : c.from;
  const t = state.threads.get(peer);
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
  if (state.openPeer === peer) announce(c.kind === 'delete' ? 'A message was deleted' : 'A message was edited');
}

/**
 * A group changed (a notice, live): the list and the open group's header and members panel follow at once; a
 * line in the conversation says what happened. The person removed from a group loses it from the list.
 */
export function onGroupChange(f) {
  const key = groupKey(f.group);
  const text = state.session ? groupChangeText(f, (u) => nameIn(state, key, u)) : null;
  if (!text) return;
  if ((f.change === 'removed' || f.change === 'left') && f.user === state.session.username) {
    const c = state.convs.get(key);
    if (!c) return;
    dropConversation(state, key);
    if (state.openPeer === key) closeConversation(false);
    renderConversations();
    if (f.change === 'removed') announce(`${nameIn(state, key, f.by)} removed you from ${c.name}.`);
    return;
  }
  const conv = ensureGroup(f.group);
  if (f.change === 'renamed' && typeof f.name === 'string') conv.name = f.name;
  fetchGroup(String(f.group));
  if (state.threads.get(key)) {
    upsert(key, groupNotice(f, Date.now()));
  }
  renderConversations();
  if (state.openPeer === key) announce(text);
}

/** The person read a conversation on one of their devices: its unread count clears here too. */
export function onRead(r) {
  const key = r.group !== undefined ? groupKey(r.group) : r.with;
  const conv = key && (r.group !== undefined ? ensureGroup(r.group) : ensureConv(state, key));
  if (!conv) return;
  if (applyReadElsewhere(conv, r.ts)) renderConversations();
}

/** The peer has the conversation open: the person's messages up to ts are seen. */
export function onSeen(s) {
  const t = state.threads.get(s.by);
  if (!t || !state.session) return;
  for (const m of applySeen(t, state.session.username, s.ts)) {
    if (t.els.has(msgKey(m.from, m.id))) fillMessage(t.els.get(msgKey(m.from, m.id)), m);
  }
}
