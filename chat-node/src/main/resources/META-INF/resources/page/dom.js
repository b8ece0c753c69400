// Small DOM helpers every view uses: element lookup and creation, avatars, the announcer and the connection
// banner. User text only ever goes through textContent.
import { state } from './store.js';
import { groupInitials, hueOf, personInitials } from './text.js';

export const $ = (id) => document.getElementById(id);

export function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Says text to screen readers (the live region is emptied first, so the same words are said again). */
export function announce(text) {
  const a = $('announcer');
  a.textContent = '';
  setTimeout(() => {
    a.textContent = text;
  }, 50);
}

/**
 * A person's avatar: a circle in their colour with the initials of the name shown for them (`shown`: their display
 * name, or the username), or their picture (a same-origin URL) when there is one; a dot when online. The colour
 * follows the username, so it stays when the display name changes. A picture already shown is kept (no reload, no
 * flicker on a re-render).
 */
export function paintAvatar(node, name, online = false, picture = null, shown = name) {
  node.style.setProperty('--hue', String(hueOf(name)));
  const img = node.firstElementChild;
  if (!picture || !img || img.tagName !== 'IMG' || img.getAttribute('src') !== picture) {
    node.textContent = personInitials(name, shown);
    paintPicture(node, picture);
  }
  node.classList.toggle('online', online);
  node.classList.remove('group');
}

/**
 * One person in a list of people found ("Find people", a new group's member search): a button (`data-user` is the
 * username) with an avatar, the name as shown and the username under it; `onPick(username)` on a click. Filled by
 * `fillPersonRow`, so a list can be repainted in place without losing focus.
 */
export function personRow(username, onPick) {
  const li = el('li');
  const b = el('button', 'person');
  b.type = 'button';
  b.dataset.user = username;
  const av = el('span', 'avatar');
  av.setAttribute('aria-hidden', 'true');
  const text = el('span', 'person-text');
  text.append(el('span', 'person-name', username), el('span', 'person-user'));
  b.append(av, text);
  b.addEventListener('click', () => onPick(username));
  li.append(b);
  return li;
}

/**
 * A person row shows `shown` (the display name, or the username) and, when that is not the username, "@username"
 * under it (people are found by username); the avatar with their picture and online dot.
 */
export function fillPersonRow(b, shown, online = false, picture = null) {
  const name = b.dataset.user;
  b.querySelector('.person-name').textContent = shown;
  const user = b.querySelector('.person-user');
  user.textContent = shown === name ? '' : '@' + name;
  user.hidden = shown === name;
  paintAvatar(b.querySelector('.avatar'), name, online, picture, shown);
}

/** A group's avatar: a rounded square with the initials of its name's first two words. */
export function paintGroupAvatar(node, name) {
  node.style.setProperty('--hue', String(hueOf(name)));
  node.textContent = groupInitials(name);
  node.classList.add('group');
  node.classList.remove('online');
}

/** Puts the picture at url (a same-origin avatar URL) into an avatar circle; none keeps the initials. */
export function paintPicture(node, url) {
  if (!url) return;
  const img = el('img');
  img.alt = '';
  img.src = url;
  node.replaceChildren(img);
}

export function showBanner(kind, text) {
  clearTimeout(state.timers.banner);
  const b = $('banner');
  b.dataset.state = kind;
  $('banner-text').textContent = text;
  $('banner-retry').hidden = kind !== 'down';
  b.hidden = false;
}

export function hideBanner() {
  clearTimeout(state.timers.banner);
  const b = $('banner');
  b.hidden = true;
  delete b.dataset.state;
}
