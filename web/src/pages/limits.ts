// Rate limits per app and endpoint: the limit, what remains of the window, when it resets.
import { get, type App, type Limit } from '../api';
import { h, isoMinute, table } from '../dom';

export async function limitsPage(main: HTMLElement, [id]: string[]): Promise<void> {
  const [limits, apps] = await Promise.all([get<Limit[]>(`/admin/v1/projects/${id}/limits`), get<App[]>(`/admin/v1/projects/${id}/apps`)]);
  const names = new Map(apps.map((a) => [a.id, a.name]));
  const window = (s: number) => (s % 3600 === 0 ? `${s / 3600} h` : s % 60 === 0 ? `${s / 60} min` : `${s} s`);
  main.append(h('h1', {}, 'Limits'),
    limits.length === 0 ? h('p', {}, 'No live app: no limits to show.') :
      table('Rate limits per endpoint', ['App', 'Endpoint', 'Limit', 'Remaining', 'Window', 'Resets'],
        limits.map((l) => [names.get(l.app_id) ?? l.app_id, h('code', {}, l.endpoint), String(l.limit), String(l.remaining),
          window(l.window_s), isoMinute(l.reset)]), 'limits-table'));
}
