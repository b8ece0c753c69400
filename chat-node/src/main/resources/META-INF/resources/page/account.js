// The person's own account: the header's name and picture, and the account dialog (profile, password,
// deletion).
import { state } from './store.js';
import { $, paintAvatar } from './dom.js';
import { call, renewing } from './calls.js';

const AVATAR_MAX_BYTES = 64 * 1024;

/** `onDeleted(username)` ends the session once the account is gone. */
export function bindAccount({ onDeleted }) {
  $('account-open').addEventListener('click', openAccount);
  $('account-close').addEventListener('click', closeAccount);
  $('profile-form').addEventListener('submit', saveProfile);
  $('profile-avatar-remove').addEventListener('click', removePicture);
  $('password-form').addEventListener('submit', changePassword);
  $('delete-form').addEventListener('submit', (ev) => deleteAccount(ev, onDeleted));
}

/** Shows the account's display name and picture in the header (the username stays in its title). */
export async function loadProfile(s) {
  const me = await call(() => state.api.me());
  if (me && state.session === s) showProfile(me);
}

function showProfile(me) {
  state.profile = me;
  const name = $('me-name');
  name.textContent = me.displayName || me.username;
  name.title = me.username;
  paintAvatar($('me-avatar'), me.username, false, me.avatar, me.displayName);
  paintAvatar($('profile-avatar'), me.username, false, me.avatar, me.displayName);
  // Wherever the page shows the person among others (a group's members, its change lines), the new name too.
  if (state.profiles) state.profiles.learn(me.username, me);
}

function openAccount() {
  if (!state.session) return;
  const me = state.profile || { username: state.session.username };
  $('profile-display-name').value = me.displayName || '';
  $('profile-avatar-file').value = '';
  for (const id of ['profile-error', 'profile-status', 'password-error', 'password-status', 'delete-error']) {
    $(id).textContent = '';
  }
  for (const id of ['password-current', 'password-new', 'delete-password']) $(id).value = '';
  for (const u of document.querySelectorAll('.account-username')) u.value = state.session.username;
  paintAvatar($('profile-avatar'), me.username, false, me.avatar, me.displayName);
  const d = $('account-dialog');
  if (!d.open) d.showModal();
}

export function closeAccount() {
  const d = $('account-dialog');
  if (d.open) d.close();
}

async function saveProfile(ev) {
  ev.preventDefault();
  const s = state.session;
  $('profile-error').textContent = '';
  $('profile-status').textContent = '';
  const file = $('profile-avatar-file').files[0];
  if (file && file.size > AVATAR_MAX_BYTES) {
    $('profile-error').textContent = 'That picture is too large: at most 64 KB.';
    return;
  }
  try {
    let me = await renewing(() => state.api.updateProfile($('profile-display-name').value));
    if (file) me = await renewing(() => state.api.setAvatar(file));
    if (state.session !== s) return;
    showProfile(me);
    $('profile-avatar-file').value = '';
    $('profile-status').textContent = 'Saved.';
  } catch (e) {
    if (state.session !== s) return;
    $('profile-error').textContent = e.code === 'unsupported_image' ? 'That file is not a PNG or JPEG picture.'
      : e.code === 'avatar_too_large' || e.code === 'body_too_large' ? 'That picture is too large: at most 64 KB and 1024 pixels a side.'
        : e.code === 'invalid_display_name' ? 'A display name is at most 64 characters.'
          : 'Could not save: ' + (e.message || 'try again');
  }
}

async function removePicture() {
  const s = state.session;
  try {
    await renewing(() => state.api.removeAvatar());
    const me = await renewing(() => state.api.me());
    if (state.session === s) showProfile(me);
  } catch (e) {
    if (state.session === s) $('profile-error').textContent = 'Could not remove the picture: ' + (e.message || 'try again');
  }
}

async function changePassword(ev) {
  ev.preventDefault();
  const s = state.session;
  $('password-error').textContent = '';
  $('password-status').textContent = '';
  try {
    await renewing(() => state.api.changePassword($('password-current').value, $('password-new').value));
    if (state.session !== s) return;
    $('password-current').value = '';
    $('password-new').value = '';
    $('password-status').textContent = 'Password changed. Your other devices were signed out.';
  } catch (e) {
    if (state.session !== s) return;
    $('password-error').textContent = e.code === 'wrong_password' ? 'The current password is wrong.'
      : e.code === 'invalid_password' ? e.message : 'Could not change the password: ' + (e.message || 'try again');
  }
}

async function deleteAccount(ev, onDeleted) {
  ev.preventDefault();
  const s = state.session;
  $('delete-error').textContent = '';
  try {
    await renewing(() => state.api.deleteAccount($('delete-password').value));
  } catch (e) {
    if (state.session === s) {
      $('delete-error').textContent = e.code === 'wrong_password' ? 'The password is wrong.'
        : 'Could not delete the account: ' + (e.message || 'try again');
    }
    return;
  }
  if (state.session === s) onDeleted(s.username);
}
