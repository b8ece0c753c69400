// Groups: the "New group" form, the open group's members panel (add, invite link, leave), and joining by an
// invite link (#join=CODE).
import {
  applyGroupInfo, convName, dropConversation, groupIdOf, groupKey, isGroupKey, nameAmong, namesAround, pictureOf,
  shownName, sortedMembers, state,
} from './store.js';
import { $, announce, el, fillPersonRow, hideBanner, paintAvatar, personRow, showBanner } from './dom.js';
import { attempt, call } from './calls.js';
import { ensureGroup, renderConversations } from './conversations.js';
import { closeConversation, openConversation, openHeader, renderPeerHeader } from './thread.js';
import { groupError, USERNAME } from './session.js';

/**
 * Members whose display names and pictures the panel fetches (the rest show usernames): a large group's panel
 * must not ask for thousands of profiles at once.
 */
const MEMBER_PROFILES = 50;

/** Fetches a group (name, role, members) into the list, the header and the members panel. */
export async function fetchGroup(id) {
  const s = state.session;
  const g = await call(() => state.api.group(id));
  if (!g || state.session !== s) return null;
  const c = state.convs.get(groupKey(id));
  if (c) applyGroupInfo(c, g);
  if (state.openPeer === groupKey(id)) {
    state.groupMembers = { id, role: g.role, members: g.members || [] };
    renderMembers();
    openHeader();
    renderPeerHeader();
  }
  renderConversations();
  return g;
}

export function bindGroups() {
  $('new-group').addEventListener('click', () => openNewGroup());
  $('new-group-cancel').addEventListener('click', () => closeNewGroup(true));
  $('new-group-form').addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') closeNewGroup(true);
  });
  const search = $('group-member-search');
  search.addEventListener('input', () => {
    clearTimeout(state.timers.groupSearch);
    state.timers.groupSearch = setTimeout(runGroupSearch, 200);
  });
  search.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      clearTimeout(state.timers.groupSearch);
      runGroupSearch().then(() => {
        if (state.newGroupResults.length) chooseMember(state.newGroupResults[0].username);
      });
    }
  });
  $('new-group-form').addEventListener('submit', createGroup);
  $('members-toggle').addEventListener('click', () => {
    if ($('members-panel').hidden) openMembers();
    else closeMembers(true);
  });
  $('members-close').addEventListener('click', () => closeMembers(true));
  $('members-panel').addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') closeMembers(true);
  });
  $('add-member-form').addEventListener('submit', addMember);
  $('invite-button').addEventListener('click', makeInvite);
  $('leave-group').addEventListener('click', leaveGroup);
  window.addEventListener('hashchange', joinFromHash);
}

async function createGroup(ev) {
  ev.preventDefault();
  const name = $('group-name').value.trim();
  if (!name) {
    $('new-group-error').textContent = 'Give the group a name.';
    $('group-name').focus();
    return;
  }
  const button = $('new-group-create');
  button.disabled = true;
  $('new-group-error').textContent = '';
  const [g, e] = await attempt(() => state.api.createGroup(name, state.newGroupChosen));
  button.disabled = false;
  if (!g) {
    $('new-group-error').textContent = groupError(e, 'The group could not be created.');
    return;
  }
  const conv = ensureGroup(g.id, g);
  closeNewGroup(false);
  renderConversations();
  openConversation(conv.key);
  announce(`Group ${g.name} created.`);
}

async function addMember(ev) {
  ev.preventDefault();
  if (!isGroupKey(state.openPeer)) return;
  const key = state.openPeer;
  const input = $('add-member-input');
  const name = input.value.trim().toLowerCase();
  if (!USERNAME.test(name)) {
    $('members-error').textContent = 'Enter a username.';
    input.focus();
    return;
  }
  const [, e] = await attempt(() => state.api.addMember(groupIdOf(key), name));
  if (e) {
    $('members-error').textContent = groupError(e, 'That person could not be added.');
    return;
  }
  $('members-error').textContent = '';
  input.value = '';
  announce(`${shownName(state, name)} was added.`);
  fetchGroup(groupIdOf(key));
}

async function makeInvite() {
  if (!isGroupKey(state.openPeer)) return;
  const [r, e] = await attempt(() => state.api.invite(groupIdOf(state.openPeer)));
  if (!r) {
    $('members-error').textContent = groupError(e, 'No invite link could be made.');
    return;
  }
  $('members-error').textContent = '';
  const url = new URL(location.href);
  url.hash = 'join=' + encodeURIComponent(r.code);
  const field = $('invite-url');
  field.value = url.toString();
  field.dataset.code = r.code;
  $('invite-result').hidden = false;
  field.focus();
  field.select();
}

async function leaveGroup() {
  if (!isGroupKey(state.openPeer)) return;
  const key = state.openPeer;
  const name = convName(state, key);
  const [, e] = await attempt(() => state.api.removeMember(groupIdOf(key), state.session.username));
  if (e && e.status !== 404) {
    $('members-error').textContent = groupError(e, 'You could not leave the group.');
    return;
  }
  dropConversation(state, key);
  closeConversation(false);
  $('new-group').focus();
  announce(`You left ${name}.`);
}

function openNewGroup() {
  state.newGroupChosen = [];
  state.newGroupResults = [];
  state.newGroupShown.clear();
  $('group-name').value = '';
  $('group-member-search').value = '';
  $('new-group-error').textContent = '';
  renderNewGroup();
  $('new-group-form').hidden = false;
  $('new-group').setAttribute('aria-expanded', 'true');
  $('group-name').focus();
}

export function closeNewGroup(focus) {
  $('new-group-form').hidden = true;
  $('new-group').setAttribute('aria-expanded', 'false');
  state.newGroupChosen = [];
  state.newGroupResults = [];
  state.newGroupShown.clear();
  if (focus) $('new-group').focus();
}

async function runGroupSearch() {
  const q = $('group-member-search').value.trim().toLowerCase();
  if (!q) {
    state.newGroupResults = [];
    renderNewGroup();
    return;
  }
  const found = await call(() => state.api.searchUsers(q, 8));
  if (!found || $('group-member-search').value.trim().toLowerCase() !== q) return;
  state.newGroupResults = found
    .filter((u) => u.username !== state.session.username && !state.newGroupChosen.includes(u.username));
  renderNewGroup();
}

/** A found person's name as shown: the display name the search answered, else the username. */
function foundName(u) {
  return (typeof u.displayName === 'string' && u.displayName.trim()) || u.username;
}

function chooseMember(name) {
  const u = state.newGroupResults.find((r) => r.username === name);
  state.newGroupShown.set(name, u ? foundName(u) : name);
  if (!state.newGroupChosen.includes(name)) state.newGroupChosen.push(name);
  state.newGroupResults = [];
  $('group-member-search').value = '';
  renderNewGroup();
  $('group-member-search').focus();
  announce(`${state.newGroupShown.get(name)} added to the new group.`);
}

function renderNewGroup() {
  const results = $('group-member-results');
  results.replaceChildren(...state.newGroupResults.map((u) => {
    const li = personRow(u.username, chooseMember);
    const b = li.firstChild;
    const shown = foundName(u);
    fillPersonRow(b, shown, false, typeof u.avatar === 'string' ? u.avatar : null);
    b.setAttribute('aria-label', `Add ${shown === u.username ? shown : `${shown} (${u.username})`}`);
    return li;
  }));
  results.hidden = state.newGroupResults.length === 0;
  $('group-chosen').replaceChildren(...state.newGroupChosen.map((name) => {
    const li = el('li', 'chip');
    li.dataset.user = name;
    const x = el('button', 'chip-remove', '\u00D7');
    x.type = 'button';
    x.setAttribute('aria-label', `Remove ${state.newGroupShown.get(name) || name}`);
    x.addEventListener('click', () => {
      state.newGroupChosen = state.newGroupChosen.filter((n) => n !== name);
      renderNewGroup();
      $('group-member-search').focus();
    });
    const shown = state.newGroupShown.get(name) || name;
    const label = el('span', null, shown);
    if (shown !== name) label.title = name;
    li.append(label, x);
    return li;
  }));
  $('group-chosen-empty').hidden = state.newGroupChosen.length > 0;
}

function openMembers() {
  if (!isGroupKey(state.openPeer)) return;
  $('members-panel').hidden = false;
  $('members-toggle').setAttribute('aria-expanded', 'true');
  $('members-error').textContent = '';
  $('invite-result').hidden = true;
  renderMembers();
  fetchGroup(groupIdOf(state.openPeer));
  $('members-title').focus();
}

export function closeMembers(focus) {
  $('members-panel').hidden = true;
  $('members-toggle').setAttribute('aria-expanded', 'false');
  if (focus) $('members-toggle').focus();
}

export function renderMembers() {
  const ul = $('member-list');
  const gm = state.groupMembers;
  const g = gm && state.openPeer === groupKey(gm.id) ? gm : null;
  const conv = state.openPeer && state.convs.get(state.openPeer);
  const role = g ? g.role : conv && conv.role;
  const members = g ? sortedMembers(g.members) : [];
  const around = namesAround(state, state.openPeer);
  ul.replaceChildren(...members.map((m, i) => {
    const li = el('li', 'member');
    li.dataset.user = m.username;
    li.dataset.role = m.role;
    const av = el('span', 'avatar');
    av.setAttribute('aria-hidden', 'true');
    const want = i < MEMBER_PROFILES;
    paintAvatar(av, m.username, false, pictureOf(state, m.username, want), shownName(state, m.username, want));
    const you = m.username === state.session.username ? ' (you)' : '';
    const shown = nameAmong(state, m.username, around, want);
    const name = el('span', 'member-name', shown + you);
    if (shown !== m.username) name.title = m.username;
    li.append(av, name, el('span', 'role', m.role));
    return li;
  }));
  const manager = role === 'owner' || role === 'admin';
  $('add-member-form').hidden = !manager;
  $('invite-box').hidden = !manager;
  $('members-title').textContent = g ? `Members (${members.length})` : 'Members';
}

/** Opening the page with #join=CODE while signed in joins that group and opens it. */
export async function joinFromHash() {
  const m = /^#join=([^&]+)$/.exec(location.hash);
  if (!m || !state.session) return;
  history.replaceState(null, '', location.pathname + location.search);
  let code;
  try {
    code = decodeURIComponent(m[1]);
  } catch (e) {
    code = m[1];
  }
  const [g, e] = await attempt(() => state.api.joinGroup(code));
  if (!g) {
    // 404: unknown or revoked (a member was removed); 410: expired or used up; 403: you were removed.
    const stale = e && (e.status === 404 || e.status === 410);
    const barred = e && e.status === 403 && e.code === 'removed_member';
    showBanner('down', stale ? 'That invite link is not valid any more.'
      : barred ? 'You were removed from that group. Only its owner or an admin can add you back.'
        : groupError(e, 'Could not join the group.'));
    $('banner-retry').hidden = true;
    state.timers.banner = setTimeout(hideBanner, 6000);
    return;
  }
  const conv = ensureGroup(g.id, g);
  renderConversations();
  openConversation(conv.key);
  announce(`You joined ${g.name}.`);
}
