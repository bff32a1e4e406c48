// The operator's projects and plans: every project (open its pages), a new project (its console
// key shown once), credits added to a project, the plans with their caps, prices and limits.
import { get, post, type Plan, type Project } from '../api';
import { announce, clear, h, isoMinute, secretBox, table } from '../dom';
import { showError } from '../main';

export async function adminProjectsPage(main: HTMLElement, _args: string[] = []): Promise<void> {
  const [projects, plans] = await Promise.all([get<Project[]>('/admin/v1/projects'), get<Plan[]>('/admin/v1/plans')]);
  const errors = h('div', {});
  const secret = h('div', { id: 'new-console-key', 'aria-live': 'polite' });

  const name = h('input', { id: 'project-name', required: true, maxlength: 64, autocomplete: 'off' });
  const plan = h('select', { id: 'project-plan', required: true }, ...plans.map((p) => h('option', { value: p.name }, p.name)));
  const create = h('form', { class: 'card', 'aria-labelledby': 'new-project-title' },
    h('h2', { id: 'new-project-title' }, 'New project'),
    h('label', { for: 'project-name' }, 'Name'), name,
    h('label', { for: 'project-plan' }, 'Plan'), plan,
    h('button', { type: 'submit' }, 'Create project'));
  create.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(errors);
    try {
      const p = await post<Project & { console_key: string }>('/admin/v1/projects', { name: name.value.trim(), plan: plan.value });
      clear(secret);
      secret.appendChild(secretBox(`Console key of ${p.name}`, p.console_key));
      announce(`Project ${p.name} created`);
      create.reset();
      renderList(await get<Project[]>('/admin/v1/projects'));
    } catch (err) {
      showError(errors, err);
    }
  });

  const creditProject = h('select', { id: 'credit-project', required: true });
  const amount = h('input', { id: 'credit-amount', type: 'number', min: '0.01', step: '0.01', required: true, inputmode: 'decimal' });
  const creditOut = h('p', { id: 'credit-result', role: 'status' });
  const credit = h('form', { class: 'card', 'aria-labelledby': 'credit-title' },
    h('h2', { id: 'credit-title' }, 'Add credits'),
    h('label', { for: 'credit-project' }, 'Project'), creditProject,
    h('label', { for: 'credit-amount' }, 'Amount in US dollars'), amount,
    h('button', { type: 'submit' }, 'Add credits'), creditOut);
  credit.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(errors);
    const micro = Math.round(Number(amount.value) * 1_000_000);
    try {
      const out = await post<{ balance_micro_usd: number }>(`/admin/v1/projects/${creditProject.value}/credits`, { micro_usd: micro });
      creditOut.textContent = `Added. Balance of project ${creditProject.value}: $${(out.balance_micro_usd / 1e6).toFixed(2)}`;
      credit.reset();
    } catch (err) {
      showError(errors, err);
    }
  });

  const list = h('section', { class: 'card', 'aria-label': 'Projects', id: 'projects' });
  const renderList = (ps: Project[]) => {
    clear(list);
    list.appendChild(table('Projects', ['Id', 'Name', 'Plan', 'Created', 'Cap resets on day', 'Pages'],
      ps.map((p) => [p.id, p.name, p.plan, isoMinute(p.created_at), String(p.cap_reset_day),
        h('a', { href: `#/p/${p.id}/overview`, 'aria-label': `Open ${p.name}` }, 'Open')]), 'projects-table'));
    clear(creditProject);
    for (const p of ps) creditProject.appendChild(h('option', { value: p.id }, `${p.name} (${p.id})`));
  };
  renderList(projects);

  const plansTable = table('Plans', ['Plan', 'Monthly post cap', 'Price per month', 'Price per post', 'Uses', 'Endpoint limits'],
    plans.map((p) => [p.name, p.monthly_post_cap === null ? 'none' : p.monthly_post_cap.toLocaleString('en-US'),
      p.price_usd_month === null ? '—' : '$' + p.price_usd_month,
      p.price_per_post_micro_usd === null ? '—' : `$${(p.price_per_post_micro_usd / 1e6).toFixed(4)}`,
      p.uses.join(', '), String(p.limits.length)]), 'plans-table');

  main.append(h('h1', {}, 'Projects and plans'), errors, secret, list,
    h('div', { class: 'two' }, create, credit),
    h('section', { class: 'card', 'aria-label': 'Plans' }, plansTable));
}
