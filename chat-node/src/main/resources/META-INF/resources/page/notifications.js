// What reaches the person when the page is in the background: the unread count in the title and on the
// favicon, and browser notifications (asked for once, when the person first sends).
import { hooks, mentions, nameIn, state, totalUnread } from './store.js';
import { oneLine } from './text.js';

const iconLink = () => document.querySelector('link[rel="icon"]');
const FAVICON = iconLink() ? iconLink().href : null;
let faviconCount = 0; // what the favicon shows now: a memo of the DOM, so it outlives a sign-out (not page state)

/** The title and the favicon carry the total unread count. */
export function updateTitle() {
  const unread = totalUnread(state);
  document.title = (unread > 0 ? `(${unread}) ` : '') + 'Chat';
  paintFavicon(unread);
}

/** The favicon carries the unread count too (a red dot with the number), so a background tab shows it. */
function paintFavicon(unread) {
  const link = iconLink();
  if (!link || !FAVICON || unread === faviconCount) return;
  faviconCount = unread;
  if (unread === 0) {
    link.href = FAVICON;
    return;
  }
  const text = unread > 9 ? '9+' : String(unread);
  const svg = `<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'><rect width='32' height='32' rx='8' fill='#4338ca'/>`
    + `<circle cx='22' cy='10' r='10' fill='#d92d20'/><text x='22' y='14.5' font-size='13' font-family='sans-serif'`
    + ` font-weight='700' text-anchor='middle' fill='white'>${text}</text></svg>`;
  link.href = 'data:image/svg+xml,' + encodeURIComponent(svg);
}

/**
 * Asks for the browser's permission to notify once, when the person first sends a message (a moment they are
 * engaged and clicked or pressed a key), never on load.
 */
export function askNotificationPermission() {
  if (typeof Notification === 'undefined' || Notification.permission !== 'default') return;
  if (localStorage.getItem('chat.notificationsAsked')) return;
  localStorage.setItem('chat.notificationsAsked', '1');
  try {
    Notification.requestPermission().catch(() => {});
  } catch (e) {
    // an old browser's callback form: nothing to do
  }
}

/** Whether a group message mentions the signed-in person. */
export function mentionsMe(body) {
  return !!state.session && mentions(body, state.session.username);
}

/**
 * A new message while the page is in the background: a browser notification (when allowed), always for an
 * @mention, even while another conversation is open; a conversation's earlier notification is replaced, not
 * stacked, but a mention keeps one of its own (a later message of the group does not replace it). The sender is
 * named as the page names them (display name, the username beside it when it disambiguates).
 */
export function notifyInBackground(peer, m, groupName) {
  const mention = !!groupName && mentionsMe(m.body);
  if (document.visibilityState === 'visible' && !(mention && state.openPeer !== peer)) return;
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  const from = nameIn(state, peer, m.from);
  const title = mention ? `${from} mentioned you in ${groupName}` : groupName ? `${from} in ${groupName}` : from;
  try {
    const n = new Notification(title, {
      body: oneLine(m.body), tag: mention ? `chat:mention:${peer}:${m.from}:${m.id}` : 'chat:' + peer, silent: false,
    });
    n.onclick = () => {
      window.focus();
      hooks.openConversation(peer);
      n.close();
    };
  } catch (e) {
    // notifications unavailable here (e.g. a page that is not a secure context)
  }
}
