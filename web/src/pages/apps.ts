// A project's apps and their bearer tokens: create, rotate (the old token stops at once),
// revoke. A new token is shown once, with a copy button.
import { get, post, type App, type Plan, type Project } from '../api';
import { announce, clear, h, isoMinute, secretBox, table } from '../dom';
import { showError } from '../main';

export async function appsPage(main: HTMLElement, [id]: string[]): Promise<void> {
  // The uses an app may declare: those its project's plan permits.
  const [project, plans] = await Promise.all([get<Project>(`/admin/v1/projects/${id}`), get<Plan[]>('/admin/v1/plans')]);
  const USES = plans.find((p) => p.name === project.plan)?.uses ?? [];
  const secret = h('div', { id: 'new-token', 'aria-live': 'polite' });
  const list = h('div', { id: 'apps-list' });
  const errors = h('div', {});

  const refresh = async () => {
    const apps = await get<App[]>(`/admin/v1/projects/${id}/apps`);
    clear(list);
    list.appendChild(table('Apps of this project', ['Name', 'App id', 'Plan', 'Uses', 'Created', 'Status', 'Actions'],
      apps.map((a) => [
        a.name, a.id, a.plan, a.uses.join(', ') || '—', isoMinute(a.created_at),
        a.revoked_at ? `Revoked ${isoMinute(a.revoked_at)}` : 'Live',
        a.revoked_at ? '' : h('span', { class: 'actions' },
          h('button', { type: 'button', 'data-app': a.id, 'aria-label': `Rotate the token of ${a.name}`, onclick: () => act(a, 'rotate') }, 'Rotate'),
          h('button', { type: 'button', class: 'danger', 'data-app': a.id, 'aria-label': `Revoke ${a.name}`, onclick: () => act(a, 'revoke') }, 'Revoke')),
      ]), 'apps-table'));
  };

  const act = async (app: App, what: 'rotate' | 'revoke') => {
    if (what === 'revoke' && !window.confirm(`Revoke ${app.name}? Its token stops working at once.`)) return;
    clear(errors);
    try {
      const out = await post<App>(`/admin/v1/apps/${app.id}/${what}`);
      clear(secret);
      if (what === 'rotate' && out.bearer_token) secret.appendChild(secretBox(`New bearer token of ${out.name}`, out.bearer_token));
      announce(what === 'rotate' ? `Token of ${app.name} rotated` : `${app.name} revoked`);
      await refresh();
    } catch (e) {
      showError(errors, e);
    }
  };

  const name = h('input', { id: 'app-name', name: 'name', required: true, maxlength: 64, autocomplete: 'off' });
  const uses = h('fieldset', { class: 'uses' }, h('legend', {}, `Declared uses (optional; the ${project.plan} plan permits these)`),
    ...USES.map((u) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'uses', value: u }), ' ', u)));
  const form = h('form', { class: 'card', 'aria-labelledby': 'create-title' },
    h('h2', { id: 'create-title' }, 'Create an app'),
    h('label', { for: 'app-name' }, 'App name'), name, uses,
    h('button', { type: 'submit' }, 'Create app'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(errors);
    const chosen = [...form.querySelectorAll<HTMLInputElement>('input[name=uses]:checked')].map((x) => x.value);
    try {
      const app = await post<App>(`/admin/v1/projects/${id}/apps`, chosen.length ? { name: name.value.trim(), uses: chosen } : { name: name.value.trim() });
      clear(secret);
      if (app.bearer_token) secret.appendChild(secretBox(`Bearer token of ${app.name}`, app.bearer_token));
      form.reset();
      announce(`${app.name} created`);
      await refresh();
    } catch (err) {
      showError(errors, err);
    }
  });

  main.append(h('h1', {}, 'Apps and keys'), errors, secret, form, h('section', { class: 'card', 'aria-label': 'Apps' }, list));
  await refresh();
}
