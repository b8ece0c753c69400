// The words and short forms the page shows, as plain functions of their inputs (no DOM, no state): unit-tested
// in page-spec.js.

export const STATE_TEXT = { sending: 'Sending', sent: 'Sent', delivered: 'Delivered', failed: 'Not sent' };
export const STATE_MARK = { sending: '\u25F7', sent: '\u2713', delivered: '\u2713\u2713', failed: '!' };

/** Text on one line (a preview, a notification). */
export function oneLine(text) {
  return String(text).replace(/\s+/g, ' ').trim();
}

export function memberText(n) {
  return n === 1 ? '1 member' : `${n || 0} members`;
}

/** "alice is typing…", for the names typing now. */
export function typingText(names) {
  return !names.length ? ''
    : names.length === 1 ? `${names[0]} is typing…`
      : names.length === 2 ? `${names[0]} and ${names[1]} are typing…` : 'Several people are typing…';
}

/** The list's preview of a conversation's last message; `nameOf(username)` is the sender's name as shown. */
export function previewText(last, me, isGroup, nameOf = (u) => u) {
  if (!last) return 'No messages yet';
  return (last.from === me ? 'You: ' : isGroup ? `${nameOf(last.from)}: ` : '') + oneLine(last.body);
}

const GROUP_CHANGE_TEXT = {
  created: (by) => `${by} created the group`,
  added: (by, user) => `${by} added ${user}`,
  removed: (by, user) => `${by} removed ${user}`,
  left: (by, user) => `${user} left`,
  joined: (by, user) => `${user} joined`,
  renamed: (by, user, f) => `${by} renamed the group to "${f.name}"`,
  role: (by, user, f) => `${by} made ${user} ${f.role === 'admin' ? 'an admin' : f.role === 'owner' ? 'the owner' : 'a member'}`,
};

/**
 * The line a group change notice adds to the conversation; null for a change the page does not know. `nameOf`
 * gives a person's name as shown (their username by default).
 */
export function groupChangeText(f, nameOf = (u) => u) {
  const text = GROUP_CHANGE_TEXT[f.change];
  return text ? text(f.by ? nameOf(f.by) : f.by, f.user ? nameOf(f.user) : f.user, f) : null;
}

/** A name's colour on the avatar wheel (0-359), the same for the same name everywhere. */
export function hueOf(name) {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.codePointAt(0)) % 360;
  return h;
}

/**
 * A person's initials, from the name people see: the display name's first two words ("Grace Hopper" → GH) when
 * there is one with a letter or digit, else the username's: one letter, two for names in parts ("mary.jones" → mj).
 */
export function personInitials(username, displayName = null) {
  const shown = typeof displayName === 'string' && displayName !== username ? wordInitials(displayName) : '';
  if (shown) return shown;
  const parts = username.split(/[._-]+/).filter((p) => /^[a-z]/i.test(p));
  return parts.length > 1 ? parts[0][0] + parts[1][0] : username.slice(0, 1);
}

/** A group's initials: the first letters of its name's first two words; '#' when it has none. */
export function groupInitials(name) {
  return wordInitials(name) || '#';
}

/** The first letters (or digits) of text's first two words that have one; '' when none has. */
function wordInitials(text) {
  const words = text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w));
  const first = (w) => [...w.replace(/^[^\p{L}\p{N}]+/u, '')][0] || '';
  return words.length > 1 ? first(words[0]) + first(words[1]) : words.length ? first(words[0]) : '';
}

/** A local calendar day, as a key to compare. */
export function dayOf(ts) {
  const d = new Date(ts);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

/** The date line before a day's first message: Today, Yesterday, or the date. */
export function dayText(ts, now = Date.now()) {
  const today = new Date(now);
  if (dayOf(ts) === dayOf(now)) return 'Today';
  if (dayOf(ts) === dayOf(now - 86400000)) return 'Yesterday';
  return new Date(ts).toLocaleDateString(undefined, { weekday: 'long', day: 'numeric', month: 'long',
    year: new Date(ts).getFullYear() === today.getFullYear() ? undefined : 'numeric' });
}

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayFmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

/** A message's time: the hour today, else the day too (compact: the day only). */
export function shortTime(ts, compact) {
  const d = new Date(ts);
  const today = new Date();
  if (d.toDateString() === today.toDateString()) return timeFmt.format(d);
  return compact ? dayFmt.format(d) : `${dayFmt.format(d)}, ${timeFmt.format(d)}`;
}
