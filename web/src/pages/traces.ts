// Trace runs: start one from an uploaded dataset or a file on the server, follow its progress,
// read its report (the apps it names, their p-values) and download each app's evidence bundle.
import { call, get, post, type TraceRun } from '../api';
import { announce, clear, h, isoMinute, table } from '../dom';
import { showError } from '../main';

const POLL_MS = 1500;

function progress(run: TraceRun): HTMLElement {
  const { bytes_read, bytes_total } = run.progress;
  const pct = bytes_total > 0 ? Math.min(100, (100 * bytes_read) / bytes_total) : run.state === 'done' ? 100 : 0;
  const p = h('progress', { max: 100, value: pct.toFixed(0), 'aria-label': `Progress of run ${run.id}` });
  return h('span', { class: 'progress' }, p, ` ${pct.toFixed(0)}%`);
}

function report(run: TraceRun): HTMLElement {
  const box = h('section', { class: 'card', id: 'trace-report', 'aria-labelledby': 'report-title' },
    h('h2', { id: 'report-title' }, `Run ${run.id}: ${run.name}`));
  if (run.state === 'failed') {
    box.appendChild(h('p', { class: 'error' }, `Failed: ${run.error ?? 'unknown error'}`));
    return box;
  }
  if (!run.report) {
    box.appendChild(h('p', {}, `The run is ${run.state}; its report appears when it is done.`));
    return box;
  }
  const r = run.report;
  const apps = r.apps ?? [];
  box.append(
    h('p', {}, `${r.corpus?.documents ?? 0} documents read; ${r.posts_matched ?? 0} of ${r.indexed_posts ?? 0} served posts found in them.`),
    apps.length === 0 ? h('p', {}, 'No app is linked to these posts.') :
      table('Apps that received the matched posts', ['App', 'Project', 'Named', 'Matched posts received', 'Share', 'p-value', 'Trap hits', 'Evidence'],
        apps.map((a) => [`${a.app_name} (${a.app_id})`, a.project_id, a.named ? 'Named' : 'No',
          `${a.matched_posts_received} of ${a.posts_received}`, `${(a.share * 100).toFixed(1)}%`, a.p_value, String(a.trap_hits.length),
          h('a', { href: `/admin/v1/traces/${run.id}/evidence/${a.app_id}`, download: true,
            'aria-label': `Download the evidence for ${a.app_name}` }, 'Evidence')]), 'trace-apps'));
  return box;
}

export async function tracesPage(main: HTMLElement, _args: string[] = []): Promise<() => void> {
  const errors = h('div', {});
  const list = h('section', { class: 'card', 'aria-label': 'Trace runs', id: 'traces' });
  const detail = h('div', { 'aria-live': 'polite' });
  let selected: string | null = null;
  let timer = 0;
  let stopped = false;

  const refresh = async () => {
    const runs = await get<TraceRun[]>('/admin/v1/traces');
    clear(list);
    list.appendChild(runs.length === 0 ? h('p', {}, 'No trace run yet.') :
      table('Trace runs, newest first', ['Id', 'Dataset', 'State', 'Progress', 'Started', 'Finished', 'Report'],
        runs.map((run) => [run.id, run.name, run.state, progress(run), isoMinute(run.created_at), run.finished_at ? isoMinute(run.finished_at) : '—',
          h('button', { type: 'button', 'aria-label': `Show the report of run ${run.id}`, onclick: () => { selected = run.id; void refresh(); } }, 'Report')]),
        'traces-table'));
    // The list carries no reports: the selected run is read whole.
    if (selected) {
      const listed = runs.find((x) => x.id === selected);
      const run = listed && (listed.state === 'done' || listed.state === 'failed') ? await get<TraceRun>(`/admin/v1/traces/${selected}`) : listed;
      clear(detail);
      if (run) detail.appendChild(report(run));
    }
    if (!stopped && runs.some((x) => x.state === 'queued' || x.state === 'running')) {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => void refresh().catch(() => undefined), POLL_MS);
    }
  };

  const file = h('input', { id: 'trace-file', type: 'file', accept: '.jsonl,.csv,.txt,.gz,.zst' });
  const path = h('input', { id: 'trace-path', type: 'text', placeholder: '/srv/leak.jsonl', autocomplete: 'off', spellcheck: 'false' });
  const form = h('form', { class: 'card', 'aria-labelledby': 'trace-start-title' },
    h('h2', { id: 'trace-start-title' }, 'Start a trace run'),
    h('p', { class: 'help' }, 'A leaked dataset: upload it, or name a file on the server. Its name tells its format (.jsonl, .csv or text, .gz or .zst).'),
    h('label', { for: 'trace-file' }, 'Upload a file'), file,
    h('label', { for: 'trace-path' }, 'Or a path on the server'), path,
    h('button', { type: 'submit' }, 'Start'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(errors);
    try {
      let run: TraceRun;
      const f = file.files?.[0];
      if (f) {
        run = await call<TraceRun>('POST', `/admin/v1/traces?name=${encodeURIComponent(f.name)}`, undefined, { bytes: f, type: 'application/octet-stream' });
      } else if (path.value.trim()) {
        run = await post<TraceRun>('/admin/v1/traces', { path: path.value.trim() });
      } else {
        throw new Error('Choose a file or name a path.');
      }
      selected = run.id;
      form.reset();
      announce(`Trace run ${run.id} started`);
      await refresh();
    } catch (err) {
      showError(errors, err);
    }
  });

  main.append(h('h1', {}, 'Trace runs'), errors, form, list, detail);
  await refresh();
  return () => {
    stopped = true;
    window.clearTimeout(timer);
  };
}
