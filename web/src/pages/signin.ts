// Sign-in: a project's console key (sluice_console_...) or the operator's admin token
// (sluice_admin_...), one field; the prefix tells which to send.
import { ApiError, signIn } from '../api';
import { h } from '../dom';
import { go } from '../main';

export async function signInPage(main: HTMLElement, _args: string[] = []): Promise<void> {
  const input = h('input', {
    id: 'secret', name: 'secret', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false',
    'aria-describedby': 'secret-help',
  });
  const error = h('p', { class: 'error', role: 'alert', id: 'signin-error' });
  const form = h('form', { class: 'card signin', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Sign in'),
    h('label', { for: 'secret' }, 'Console key or admin token'),
    input,
    h('p', { id: 'secret-help', class: 'help' },
      'A project signs in with its console key (sluice_console_…); the operator with the admin token (sluice_admin_…).'),
    h('button', { type: 'submit' }, 'Sign in'),
    error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    const secret = input.value.trim();
    try {
      await signIn(secret.startsWith('sluice_admin_') ? { admin_token: secret } : { console_key: secret });
      input.value = '';
      go('/');
    } catch (err) {
      error.textContent = err instanceof ApiError && err.status === 401
        ? 'That key or token is not valid.' : `Sign-in failed: ${String(err instanceof Error ? err.message : err)}`;
      input.focus();
    }
  });
  // Platform accounts have a page of their own (the OAuth server's, docs/oauth.md): the apps
  // they authorised, each revocable. It signs in with the account's password, not a key.
  const accounts = h('p', { class: 'help signin-note', id: 'account-apps' },
    'An account of this platform? The apps you authorised are on ',
    h('a', { href: '/i/account/apps' }, "your account's apps page"), '.');
  main.append(form, accounts);
  input.focus();
}
