// A project's overview: plan, the cycle's usage against the cap (a bar: percent, posts, reset
// date), posts per day per app over the cycle (uPlot), the credit balance. Polls the usage
// every few seconds so that calls made elsewhere show.
import uPlot from 'uplot';
import { get, type App, type Project, type Usage } from '../api';
import { clear, h, isoDate, usd } from '../dom';

const POLL_MS = 3000;
const COLORS = ['#1f6feb', '#d1242f', '#1a7f37', '#9a6700', '#8250df', '#bf3989', '#0969da', '#57606a'];

function days(usage: Usage): number[] {
  // Every day of the cycle, cycle_start to reset_at (exclusive), as seconds at 00:00 UTC.
  const out: number[] = [];
  const start = Date.parse(usage.cycle_start.slice(0, 10) + 'T00:00:00Z');
  const end = Date.parse(usage.reset_at);
  for (let t = start; t < end && out.length < 62; t += 86_400_000) out.push(t / 1000);
  return out;
}

export async function overviewPage(main: HTMLElement, [id]: string[]): Promise<() => void> {
  const [project, apps] = await Promise.all([get<Project>(`/admin/v1/projects/${id}`), get<App[]>(`/admin/v1/projects/${id}/apps`)]);
  const names = new Map(apps.map((a) => [a.id, a.name]));

  const bar = h('div', { class: 'bar', id: 'usage-bar', role: 'progressbar', 'aria-labelledby': 'usage-title', 'aria-valuemin': 0, 'aria-valuemax': 100 },
    h('div', { class: 'bar-fill' }));
  const usageText = h('p', { id: 'usage-text' });
  const resetText = h('p', { id: 'usage-reset' });
  const credits = h('dl', { class: 'facts', id: 'credits' });
  const chartBox = h('div', { class: 'chart', id: 'usage-chart', role: 'img', 'aria-label': 'Posts per day per app over this cycle' });
  const chartTable = h('div', { class: 'sr-only', id: 'usage-chart-table' });
  const planText = h('dd', { id: 'plan' }, project.plan);

  main.append(
    h('h1', {}, project.name),
    h('section', { class: 'card', 'aria-labelledby': 'project-title' },
      h('h2', { id: 'project-title' }, 'Project'),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Project id'), h('dd', {}, project.id),
        h('dt', {}, 'Plan'), planText,
        h('dt', {}, 'Cap resets on day'), h('dd', {}, String(project.cap_reset_day)))),
    h('section', { class: 'card', 'aria-labelledby': 'usage-title' },
      h('h2', { id: 'usage-title' }, 'Posts this cycle'), bar, usageText, resetText),
    h('section', { class: 'card', 'aria-labelledby': 'chart-title' },
      h('h2', { id: 'chart-title' }, 'Posts per day by app'), chartBox, chartTable),
    h('section', { class: 'card', 'aria-labelledby': 'credits-title' },
      h('h2', { id: 'credits-title' }, 'Credits'), credits));

  let plot: uPlot | null = null;
  let seriesKey = '';
  let width = 0;

  const draw = (usage: Usage) => {
    const fill = bar.firstElementChild as HTMLElement;
    // From the counts: the API's `percent` has two decimals, too few for a large cap.
    const pct = usage.cap ? (usage.used * 100) / usage.cap : 0;
    // A few posts of a large cap still show: the fill is never thinner than 3 px once used.
    fill.style.width = usage.used > 0 ? `max(3px, ${Math.min(100, pct)}%)` : '0';
    bar.classList.toggle('over', pct >= 90);
    bar.setAttribute('aria-valuenow', String(Number(pct.toPrecision(3))));
    bar.setAttribute('aria-valuetext', usage.cap === null ? `${usage.used} posts, no cap` : `${percentText(pct)} of the cap`);
    usageText.textContent = usage.cap === null
      ? `${usage.used.toLocaleString('en-US')} posts (no monthly cap)`
      : `${percentText(pct)} · ${usage.used.toLocaleString('en-US')} of ${usage.cap.toLocaleString('en-US')} posts`;
    resetText.textContent = `Resets ${isoDate(usage.reset_at)} (cycle began ${isoDate(usage.cycle_start)})`;
    planText.textContent = usage.plan;
    clear(credits);
    credits.append(
      h('dt', {}, 'Balance'), h('dd', { id: 'credit-balance' }, usd(usage.credits.balance_micro_usd)),
      h('dt', {}, 'Added'), h('dd', {}, usd(usage.credits.added_micro_usd)),
      h('dt', {}, 'Spent'), h('dd', {}, usd(usage.credits.spent_micro_usd)));

    // The chart: one series per app that has posts in the cycle (or every live app).
    const xs = days(usage);
    const appIds = new Set<string>();
    for (const d of usage.daily) for (const a of d.apps) appIds.add(a.app_id);
    if (appIds.size === 0) for (const a of apps) if (!a.revoked_at) appIds.add(a.id);
    const ids = [...appIds].sort();
    const byDay = new Map(usage.daily.map((d) => [d.date, new Map(d.apps.map((a) => [a.app_id, a.posts]))]));
    // Days still to come in the cycle have no value (a gap), past days without posts are 0.
    const today = Date.now() / 1000;
    const data: uPlot.AlignedData = [xs, ...ids.map((app) => xs.map((t) =>
      t > today ? null : byDay.get(new Date(t * 1000).toISOString().slice(0, 10))?.get(app) ?? 0))];
    const w = Math.max(280, chartBox.clientWidth || 600);
    const key = ids.join(',');
    if (!plot || key !== seriesKey || Math.abs(w - width) > 20) {
      plot?.destroy();
      seriesKey = key;
      width = w;
      plot = new uPlot({
        width: w, height: 260,
        scales: { x: { time: true } },
        axes: [{}, { label: 'posts' }],
        series: [{ label: 'day' }, ...ids.map((app, i) => ({
          label: names.get(app) ?? `app ${app}`, stroke: COLORS[i % COLORS.length], width: 2,
          points: { show: true },
        }))],
      }, data, chartBox);
    } else {
      plot.setData(data);
    }
    clear(chartTable);
    chartTable.appendChild(h('table', {}, h('caption', {}, 'Posts per day by app'),
      h('tbody', {}, ...usage.daily.flatMap((d) => d.apps.map((a) =>
        h('tr', {}, h('td', {}, d.date), h('td', {}, names.get(a.app_id) ?? a.app_id), h('td', {}, String(a.posts))))))));
  };

  draw(await get<Usage>(`/admin/v1/projects/${id}/usage`));
  // The chart follows its box's width (a window resized, a phone turned).
  const resize = new ResizeObserver(() => {
    const w = Math.max(280, chartBox.clientWidth);
    if (plot && Math.abs(w - width) > 4) {
      width = w;
      plot.setSize({ width: w, height: 260 });
    }
  });
  resize.observe(chartBox);
  let stopped = false;
  let timer = 0;
  const poll = async () => {
    try {
      const usage = await get<Usage>(`/admin/v1/projects/${id}/usage`);
      if (!stopped) draw(usage);
    } catch {
      // the next poll tries again; a signed-out session is found on navigation
    }
    if (!stopped) timer = window.setTimeout(poll, POLL_MS);
  };
  timer = window.setTimeout(poll, POLL_MS);
  return () => {
    stopped = true;
    window.clearTimeout(timer);
    resize.disconnect();
    plot?.destroy();
  };
}

// "12.5%", "0.0029%", "<0.001%": two significant digits below 10 %, so that a small use is not "0.0%".
function percentText(pct: number): string {
  if (pct === 0) return '0%';
  if (pct < 0.001) return '<0.001%';
  if (pct >= 10) return `${pct.toFixed(1)}%`;
  return `${Number(pct.toPrecision(2))}%`;
}
