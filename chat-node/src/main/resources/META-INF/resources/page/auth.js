// The signed-out screen: sign in, or create an account and sign in.
import { ChatApi } from '../chat-client.js';
import { state } from './store.js';
import { $, hideBanner } from './dom.js';
import { authMessage, checkCredentials } from './session.js';

/** `onSignedIn(session)` starts the chat with the new session. */
export function bindAuth({ onSignedIn }) {
  $('auth-switch').addEventListener('click', () => {
    setAuthMode(state.authMode === 'signin' ? 'signup' : 'signin');
    $('auth-notice').hidden = true;
    $('auth-username').focus();
  });
  $('auth-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const username = $('auth-username').value.trim().toLowerCase();
    const password = $('auth-password').value;
    const problem = checkCredentials(state.authMode, username, password);
    if (problem) {
      authError(problem.text, problem.field);
      return;
    }
    const button = $('auth-submit');
    const label = button.textContent;
    const signUp = state.authMode === 'signup';
    button.disabled = true;
    button.textContent = signUp ? 'Creating your account…' : 'Signing in…';
    $('auth-error').textContent = '';
    try {
      const a = new ChatApi();
      if (signUp) await a.signUp(username, password);
      const r = await a.signIn(username, password);
      $('auth-password').value = '';
      onSignedIn({ username, token: r.token, expiresAt: r.expiresAt });
    } catch (e) {
      authError(authMessage(e), e.code === 'username_taken' || e.code === 'invalid_username' ? 'auth-username'
        : e.code === 'invalid_password' ? 'auth-password' : null);
    } finally {
      button.disabled = false;
      button.textContent = label;
    }
  });
}

/** The sign-in screen, with a notice saying why (signed out, expired, deleted) when there is one. */
export function showAuth(notice) {
  document.body.dataset.view = 'auth';
  document.title = 'Sign in · Chat';
  $('chat-view').hidden = true;
  $('auth-view').hidden = false;
  hideBanner();
  setAuthMode('signin');
  const n = $('auth-notice');
  n.textContent = notice || '';
  n.hidden = !notice;
  $('auth-error').textContent = '';
  $('auth-password').value = '';
  $('auth-username').focus();
}

function setAuthMode(mode) {
  state.authMode = mode;
  const up = mode === 'signup';
  $('auth-title').textContent = up ? 'Create your account' : 'Sign in';
  $('auth-submit').textContent = up ? 'Create account' : 'Sign in';
  $('auth-switch-text').textContent = up ? 'Have an account?' : 'New here?';
  $('auth-switch').textContent = up ? 'Sign in' : 'Create an account';
  $('auth-username-hint').hidden = !up;
  $('auth-password-hint').hidden = !up;
  $('auth-password').autocomplete = up ? 'new-password' : 'current-password';
  $('auth-error').textContent = '';
  for (const id of ['auth-username', 'auth-password']) $(id).removeAttribute('aria-invalid');
}

function authError(text, field) {
  $('auth-error').textContent = text;
  for (const id of ['auth-username', 'auth-password']) {
    if (id === field) $(id).setAttribute('aria-invalid', 'true');
    else $(id).removeAttribute('aria-invalid');
  }
  if (field) $(field).focus();
}
