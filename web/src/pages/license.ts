// The licence terms of the project's plan: GET /2/license/<plan> (public, JSON).
import { get, type Project } from '../api';
import { h } from '../dom';

interface License {
  plan: string; title: string; uses: Record<string, boolean>; content_usage: string; content_signal: string;
  prices_usd?: Record<string, string>; monthly_price_usd?: string; terms: string;
}

export async function licensePage(main: HTMLElement, [id]: string[]): Promise<void> {
  const project = await get<Project>(`/admin/v1/projects/${id}`);
  if (!project.plan) {
    main.append(h('h1', {}, 'Licence'), h('p', {}, 'This project has no plan yet: its first app gives it one.'));
    return;
  }
  const lic = await get<License>(`/2/license/${encodeURIComponent(project.plan)}`);
  main.append(h('h1', {}, `Licence: ${lic.title || lic.plan}`),
    h('section', { class: 'card', 'aria-labelledby': 'uses-title' },
      h('h2', { id: 'uses-title' }, 'Uses this plan permits'),
      h('ul', { class: 'uses-list', id: 'license-uses' }, ...Object.entries(lic.uses).map(([use, ok]) =>
        h('li', { class: ok ? 'yes' : 'no' }, `${use}: ${ok ? 'permitted' : 'not permitted'}`)))),
    h('section', { class: 'card', 'aria-labelledby': 'terms-title' },
      h('h2', { id: 'terms-title' }, 'Terms'),
      h('p', { id: 'license-terms' }, lic.terms),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Content-Usage'), h('dd', {}, h('code', {}, lic.content_usage)),
        h('dt', {}, 'Content-Signal'), h('dd', {}, h('code', {}, lic.content_signal)),
        ...(lic.monthly_price_usd ? [h('dt', {}, 'Monthly price'), h('dd', {}, '$' + lic.monthly_price_usd)] : []),
        ...Object.entries(lic.prices_usd ?? {}).flatMap(([k, v]) => [h('dt', {}, `Price per ${k.replace('_', ' ')}`), h('dd', {}, '$' + v)]))),
    h('p', {}, h('a', { href: `/2/license/${encodeURIComponent(project.plan)}` }, 'The terms as JSON')));
}
