// The page's state, in one place, and the rules that change it. No DOM, no network, no timers: the view
// modules read and change `state` only through these functions or plainly (a field per thing shown), and the
// rules are unit-tested on their own (page-spec.js, PageModulesTest).
import { groupChangeText } from './text.js';

/** How far a message of the person's own has come; a state only moves forward (failed → sending is a retry). */
export const STATE_RANK = { sending: 1, failed: 1, sent: 2, delivered: 3 };
export const DELETED_TEXT = 'Message deleted';

// A conversation's key: the peer's username, or 'g:' + the group's ID (usernames never hold a colon).
const GROUP_PREFIX = 'g:';
export const isGroupKey = (k) => typeof k === 'string' && k.startsWith(GROUP_PREFIX);
export const groupKey = (id) => GROUP_PREFIX + String(id);
export const groupIdOf = (k) => k.slice(GROUP_PREFIX.length);
/** A message's identity: its sender and the ID the sender's client chose (IDs are unique per sender only). */
export const msgKey = (from, id) => from + '\n' + id;
export const hasGroup = (m) => m.group !== undefined && m.group !== null;

/**
 * Everything the page knows while it runs. One object, so a reset (sign-out) cannot forget a variable, and
 * so a test can make as many as it likes.
 */
export function createState() {
  return {
    session: null, // {username, token, expiresAt}
    api: null,
    client: null,
    authMode: 'signin',
    openPeer: null, // the open conversation's key
    wasDown: false,
    everOpen: false,
    convs: new Map(), // key → {key, peer | group, name?, role?, memberCount?, last, unread, baselineTs, readElsewhereTs?}
    threads: new Map(), // key → {msgs: Map msgKey→msg, els: Map msgKey→li, minSeq, exhausted, loaded, loading, readTs}
    typers: new Map(), // key → Map(username → until epoch ms)
    groupMembers: null, // the open group's {id, role, members: [{username, role}]} while its panel is open
    newGroupChosen: [], // usernames picked in the "New group" form
    newGroupResults: [], // its search's people: [{username, displayName?, avatar?}]
    newGroupShown: new Map(), // username → the name shown on a chosen person's chip
    presence: new Map(), // username → online
    searchResults: [],
    profile: null, // the account's own {id, username, displayName?, avatar?} once loaded
    profiles: null, // others' display names and pictures (profiles.js), while signed in
    editing: null, // {peer, target} while the composer edits one of the person's messages
    timers: {},
  };
}

/** The page's one state. */
export const state = createState();

/** Forgets everything of the signed-in person (timers are the caller's to clear first). */
export function resetState(s) {
  const fresh = createState();
  fresh.authMode = s.authMode;
  for (const k of Object.keys(fresh)) {
    if (s[k] instanceof Map) s[k].clear();
    else if (k !== 'authMode') s[k] = fresh[k];
  }
}

/** The later of two last messages (by ts; on a tie the second, the newer news). */
export function newer(a, b) {
  if (!a) return b || null;
  if (!b) return a;
  return b.ts >= a.ts ? b : a;
}

/** The one-to-one conversation with peer, made empty when new. */
export function ensureConv(s, peer) {
  let c = s.convs.get(peer);
  if (!c) {
    c = { key: peer, peer, last: null, unread: 0, baselineTs: 0 };
    s.convs.set(peer, c);
  }
  return c;
}

/**
 * The group's entry of the list; `info` ({name, role, members}) fills it. Answers {conv, created}: a group
 * made without info is to be fetched by the caller.
 */
export function ensureGroupConv(s, id, info) {
  const key = groupKey(id);
  let c = s.convs.get(key);
  const created = !c;
  if (!c) {
    c = { key, group: String(id), name: 'Group', role: 'member', memberCount: 0, last: null, unread: 0, baselineTs: 0 };
    s.convs.set(key, c);
  }
  if (info) applyGroupInfo(c, info);
  return { conv: c, created };
}

/** A group's name, the person's role and the member count, from a group as the server describes it. */
export function applyGroupInfo(c, g) {
  if (typeof g.name === 'string') c.name = g.name;
  if (typeof g.role === 'string') c.role = g.role;
  if (Array.isArray(g.members)) c.memberCount = g.members.length;
  else if (Number.isFinite(g.members)) c.memberCount = g.members;
}

/** What the page shows for a deleted account's conversation, messages and search hits. */
export const DELETED_ACCOUNT = 'Deleted account';

/**
 * Whether a name is a deleted account's key (`~` and its id, docs/protocol.md "Deleting an account"): its
 * conversation stays, shown as "Deleted account"; it has no profile, no presence, and takes no messages.
 */
export function isDeletedAccount(name) {
  return typeof name === 'string' && /^~[1-9][0-9]{0,18}$/.test(name);
}

/**
 * The name shown for a person: their display name once known (it is fetched when `want`), else the username;
 * "Deleted account" for a deleted account's key (never fetched).
 */
export function shownName(s, username, want = true) {
  if (isDeletedAccount(username)) return DELETED_ACCOUNT;
  return s.profiles ? s.profiles.nameOf(username, want) : username;
}

/** A person's picture (a same-origin URL) once known, else null. */
export function pictureOf(s, username, want = true) {
  if (isDeletedAccount(username)) return null;
  return s.profiles ? s.profiles.avatarOf(username, want) : null;
}

/**
 * A person's name where others are named too (a sender line, a notification, the people search): the display name,
 * with the username added, "Grace H. (@grace)", when the display name alone could be taken for someone else among
 * `others` (usernames): the same as another's display name or username, ignoring case. So a display name can never
 * pass for another person the page names. Others' names are read from the cache without fetching them.
 */
export function nameAmong(s, username, others = [], want = true) {
  const shown = shownName(s, username, want);
  if (shown === username) return username;
  const taken = shown.toLowerCase();
  for (const o of others) {
    if (o === username) continue;
    if (o.toLowerCase() === taken || shownName(s, o, false).toLowerCase() === taken) return withUsername(shown, username);
  }
  return shown;
}

/** "Grace H. (@grace)": a display name with the username beside it. */
export function withUsername(shown, username) {
  return shown === username ? username : `${shown} (@${username})`;
}

/**
 * The people a conversation's names could be confused with: the person, everyone of the list's one-to-one
 * conversations, the senders of the conversation's thread, and the group's members while its panel knows them.
 */
export function namesAround(s, key) {
  const names = new Set();
  if (s.session) names.add(s.session.username);
  for (const k of s.convs.keys()) if (!isGroupKey(k)) names.add(k);
  const t = key && s.threads.get(key);
  if (t) {
    for (const m of t.msgs.values()) {
      if (!m.notice && m.from) names.add(m.from);
      else if (m.change) for (const u of [m.change.by, m.change.user]) if (u) names.add(u);
    }
  }
  const gm = s.groupMembers;
  if (gm && key === groupKey(gm.id)) for (const m of gm.members) names.add(m.username);
  return names;
}

/** A person's name as shown in a conversation: `nameAmong` the people around it. */
export function nameIn(s, key, username, want = true) {
  return nameAmong(s, username, namesAround(s, key), want);
}

/**
 * A group change notice (a `group` frame) as a line of the group's conversation at `ts`, never sent or acked. It
 * keeps who did what, not the words: the line names people as they are shown when it is drawn (noticeText), so a
 * display name that comes or changes later shows there too. `body` is the words when it came, in usernames.
 */
export function groupNotice(f, ts) {
  const change = { change: f.change, by: f.by, user: f.user, name: f.name, role: f.role };
  return { id: `notice:${f.change}:${f.user || ''}:${f.name || ''}:${ts}`, from: '', notice: true, group: String(f.group),
    change, body: groupChangeText(change), ts, state: 'received' };
}

/** A notice's words, naming people as shown now among `around` (the people of its group: namesAround). */
export function noticeText(s, m, around) {
  const text = m.change ? groupChangeText(m.change, (u) => nameAmong(s, u, around || namesAround(s, groupKey(m.group))))
    : null;
  return text || m.body;
}

/** A conversation's name as shown: the peer's (display) name, or the group's name. */
export function convName(s, key) {
  if (!isGroupKey(key)) return shownName(s, key);
  const c = s.convs.get(key);
  return c ? c.name : 'Group';
}

/**
 * The server's list of conversations and groups into the state: the last message only moves forward, the
 * unread count is the server's (none for the conversation being read, `reading(key)`), and the baseline is
 * the server's last message (anything at or before it is counted already).
 */
export function applyConversationList(s, list, groups, reading) {
  for (const g of groups || []) {
    const key = groupKey(g.id);
    const { conv } = ensureGroupConv(s, g.id, g);
    conv.last = newer(conv.last, g.last);
    conv.baselineTs = g.last ? g.last.ts : 0;
    conv.unread = reading(key) ? 0 : g.unread;
  }
  for (const c of list) {
    const conv = s.convs.get(c.with) || { key: c.with, peer: c.with };
    conv.last = newer(conv.last, c.last);
    conv.baselineTs = c.last ? c.last.ts : 0;
    conv.unread = reading(c.with) ? 0 : c.unread;
    s.convs.set(c.with, conv);
  }
}

/** The list's order: the newest last message first; conversations without one (just opened) on top. */
export function sortedConversations(s) {
  return [...s.convs.values()].sort((a, b) => (b.last ? b.last.ts : Infinity) - (a.last ? a.last.ts : Infinity));
}

/** The sum of the unread counts (the title and the favicon). */
export function totalUnread(s) {
  let unread = 0;
  for (const c of s.convs.values()) unread += c.unread || 0;
  return unread;
}

/**
 * Whether a received message adds one to its conversation's unread count: not while it is being read, not the
 * person's own, and not when read already, on this device (at or before the baseline) or on another (a read
 * notice that came before the message itself).
 */
export function countsAsUnread(conv, m, me, reading) {
  return !reading && m.from !== me && !(m.ts <= conv.baselineTs) && !(m.ts <= conv.readElsewhereTs);
}

/** A read notice from another of the person's devices; answers whether the unread count changed. */
export function applyReadElsewhere(conv, ts) {
  conv.readElsewhereTs = Math.max(conv.readElsewhereTs || 0, ts);
  if (!conv.unread) return false;
  conv.unread = 0;
  return true;
}

/** The conversation's thread, made empty when new. */
export function threadOf(s, key) {
  let t = s.threads.get(key);
  if (!t) {
    t = { msgs: new Map(), els: new Map(), minSeq: null, exhausted: false, loaded: false, loading: false, readTs: 0 };
    s.threads.set(key, t);
  }
  return t;
}

/** Forgets a conversation (left, removed from the group). */
export function dropConversation(s, key) {
  s.convs.delete(key);
  s.threads.delete(key);
  s.typers.delete(key);
}

/**
 * Adds or updates one message of a thread, keyed by sender and ID, so a message shown once is never shown
 * twice. A state only moves forward (a retry may go failed → sending); a delete or an edit once known is never
 * undone; the server's seq and time replace the local ones. Answers {fresh, msg}: fresh when it was new.
 */
export function upsertMessage(t, m) {
  const key = msgKey(m.from, m.id);
  const had = t.msgs.get(key);
  if (!had) {
    const msg = { ...m };
    t.msgs.set(key, msg);
    return { fresh: true, msg };
  }
  if (m.seq !== undefined) {
    had.seq = m.seq;
    had.ts = m.ts; // the server's time replaces the local one
  }
  if (m.state && (STATE_RANK[m.state] || 0) >= (STATE_RANK[had.state] || 0)) had.state = m.state;
  // History knows of changes made while the page was away; a change once shown is never undone.
  if (m.deleted) had.deleted = true;
  if (m.edited && !had.deleted) {
    had.edited = true;
    had.body = m.body;
  }
  if (m.seenBy !== undefined) had.seenBy = m.seenBy;
  if (m.seen) had.seen = true; // seen (the peer had the conversation open) is beyond delivered, never undone
  return { fresh: false, msg: had };
}

/** A thread's messages in the order shown: by time, then by the server's seq (unsent ones last). */
export function sortedMessages(t) {
  return [...t.msgs.values()].sort((a, b) => a.ts - b.ts || (a.seq || Infinity) - (b.seq || Infinity));
}

/**
 * A message of a history page as the thread keeps it. A group message has no delivered state for its sender:
 * 'sent' (stored) is the last one shown.
 */
export function fromHistory(m, me) {
  const mine = m.from === me;
  const group = hasGroup(m) ? String(m.group) : undefined;
  return { id: m.id, from: m.from, to: m.to, group, body: m.body, ts: m.ts, seq: m.seq,
    edited: !!m.edited, deleted: !!m.deleted, seenBy: m.seenBy,
    seen: mine && group === undefined && m.seenBy > 0,
    state: mine ? (m.delivered && group === undefined ? 'delivered' : 'sent') : 'received' };
}

/** A history page into the thread: the smallest seq seen moves down (the next page asks before it). */
export function mergeHistory(t, page, me) {
  for (const m of page) {
    if (t.minSeq === null || m.seq < t.minSeq) t.minSeq = m.seq;
    upsertMessage(t, fromHistory(m, me));
  }
}

/**
 * The time up to which the open conversation is read: its newest message from the others (a group) or the
 * peer, in the thread or as the list's last message; 0 when there is none.
 */
export function readUpTo(t, conv, key, me) {
  const theirs = isGroupKey(key) ? (from) => from !== me : (from) => from === key;
  let ts = 0;
  for (const m of t.msgs.values()) if (!m.notice && theirs(m.from) && m.ts > ts) ts = m.ts;
  if (conv && conv.last && theirs(conv.last.from) && conv.last.ts > ts) ts = conv.last.ts;
  return ts;
}

/**
 * The peer saw the person's messages up to ts: those sent or delivered are now delivered and seen (seen implies
 * delivered, whether or not the delivered notice came yet). Answers the messages that changed.
 */
export function applySeen(t, me, ts) {
  const changed = [];
  for (const m of t.msgs.values()) {
    if (m.from === me && m.ts <= ts && !m.seen && (m.state === 'sent' || m.state === 'delivered')) {
      upsertMessage(t, { id: m.id, from: m.from, state: 'delivered', seen: true });
      changed.push(m);
    }
  }
  return changed;
}

/** A conversation's preview follows a change of its last message; answers whether one changed. */
export function applyLastChange(s, m) {
  let changed = false;
  for (const c of s.convs.values()) {
    if (c.last && c.last.id === m.id && c.last.from === m.from) {
      c.last = { ...c.last, body: m.deleted ? DELETED_TEXT : m.body };
      changed = true;
    }
  }
  return changed;
}

/** Someone typing in a conversation, shown until `until` (epoch ms). */
export function noteTyping(s, key, from, until) {
  let m = s.typers.get(key);
  if (!m) {
    m = new Map();
    s.typers.set(key, m);
  }
  m.set(from, until);
}

/** Who is typing in a conversation at `now`; those whose notice ran out are forgotten. */
export function typingNow(s, key, now) {
  const m = key && s.typers.get(key);
  const names = [];
  if (m) {
    for (const [name, until] of m) {
      if (until > now) names.push(name);
      else m.delete(name);
    }
  }
  return names;
}

/** A group's members in the panel's order: owner, admins, members, each by name. */
export function sortedMembers(members) {
  const order = { owner: 0, admin: 1, member: 2 };
  return [...members].sort((a, b) => (order[a.role] ?? 3) - (order[b.role] ?? 3) || a.username.localeCompare(b.username));
}

/** Whether a group message mentions the person (@name, as a whole word). */
export function mentions(body, username) {
  if (!username || typeof body !== 'string') return false;
  const name = username.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^a-z0-9_.-])@${name}(?![a-z0-9_.-])`, 'i').test(body);
}

/**
 * Calls from a lower module up to a higher one (opening a conversation from the list, ending the session from
 * an API call), set once by app.js: the modules import downwards only, as the layers of chat-node do.
 */
export const hooks = {
  openConversation: () => {},
  sessionOver: () => {},
  fetchGroup: () => {},
  scheduleRead: () => {},
  closeMembers: () => {},
  presenceChanged: () => {},
};
