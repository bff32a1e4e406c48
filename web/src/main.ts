// The portal: a page per location hash (#/p/<project>/overview, #/admin/ledger, ...), built
// from the admin API's answers. Pages that poll return a function that stops them.
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { ApiError, currentSession, loadSession, signOut } from './api';
import { announce, append, clear, h } from './dom';
import { signInPage } from './pages/signin';
import { overviewPage } from './pages/overview';
import { appsPage } from './pages/apps';
import { limitsPage } from './pages/limits';
import { invoicesPage } from './pages/invoices';
import { licensePage } from './pages/license';
import { adminProjectsPage } from './pages/admin_projects';
import { ledgerPage } from './pages/ledger';
import { tracesPage } from './pages/traces';

export type Stop = () => void;
export type Page = (main: HTMLElement, args: string[]) => Promise<Stop | void>;

interface RouteDef { pattern: RegExp; page: Page; title: string; admin?: boolean }

const routes: RouteDef[] = [
  { pattern: /^\/p\/(\d+)\/overview$/, page: overviewPage, title: 'Overview' },
  { pattern: /^\/p\/(\d+)\/apps$/, page: appsPage, title: 'Apps and keys' },
  { pattern: /^\/p\/(\d+)\/limits$/, page: limitsPage, title: 'Limits' },
  { pattern: /^\/p\/(\d+)\/invoices$/, page: invoicesPage, title: 'Invoices' },
  { pattern: /^\/p\/(\d+)\/license$/, page: licensePage, title: 'Licence' },
  { pattern: /^\/admin\/projects$/, page: adminProjectsPage, title: 'Projects and plans', admin: true },
  { pattern: /^\/admin\/ledger$/, page: ledgerPage, title: 'Ledger', admin: true },
  { pattern: /^\/admin\/traces$/, page: tracesPage, title: 'Trace runs', admin: true },
];

let stop: Stop | void;
let rendering = 0;
let navigated = false;  // a page was shown before this one

function location(): string {
  return decodeURIComponent(window.location.hash.replace(/^#/, '')) || '/';
}

export function go(path: string): void {
  if (location() === path) void render();
  else window.location.hash = path;
}

function home(): string {
  const s = currentSession();
  if (!s) return '/signin';
  return s.role === 'admin' ? '/admin/projects' : `/p/${s.project_id}/overview`;
}

function navLinks(path: string): void {
  const nav = document.getElementById('nav')!;
  const who = document.getElementById('who')!;
  clear(nav);
  clear(who);
  const s = currentSession();
  if (!s) return;
  const links: [string, string][] = [];
  const project = path.match(/^\/p\/(\d+)\//)?.[1] ?? (s.role === 'project' ? s.project_id : undefined);
  if (s.role === 'admin') {
    links.push(['/admin/projects', 'Projects'], ['/admin/ledger', 'Ledger'], ['/admin/traces', 'Traces']);
  }
  if (project) {
    links.push([`/p/${project}/overview`, 'Overview'], [`/p/${project}/apps`, 'Apps and keys'], [`/p/${project}/limits`, 'Limits'],
      [`/p/${project}/invoices`, 'Invoices'], [`/p/${project}/license`, 'Licence']);
  }
  const ul = h('ul', {});
  for (const [href, text] of links) {
    ul.appendChild(h('li', {}, h('a', { href: '#' + href, 'aria-current': href === path ? 'page' : null }, text)));
  }
  nav.appendChild(ul);
  const button = h('button', { type: 'button', id: 'sign-out' }, 'Sign out');
  button.addEventListener('click', async () => {
    await signOut().catch(() => undefined);
    go('/signin');
  });
  append(who, h('span', { class: 'role' }, s.role === 'admin' ? 'Operator' : `Project ${s.project_id}`), ' ', button);
}

export function showError(main: HTMLElement, e: unknown): void {
  const text = e instanceof ApiError ? `${e.status} ${e.title}${e.detail ? ': ' + e.detail : ''}` : String(e);
  main.appendChild(h('p', { class: 'error', role: 'alert' }, text));
}

async function render(): Promise<void> {
  const mine = ++rendering;
  if (stop) stop();
  stop = undefined;
  const main = document.getElementById('main')!;
  let path = location();
  if (!currentSession() && path !== '/signin') path = '/signin';
  if (path === '/' || (path === '/signin' && currentSession())) path = home();
  if (location() !== path) {
    window.location.hash = path;  // renders again
    return;
  }
  navLinks(path);
  clear(main);
  if (path === '/signin') {
    document.title = 'Sign in · Sluice portal';
    await signInPage(main, []);
    return;
  }
  const route = routes.find((r) => r.pattern.test(path));
  if (!route || (route.admin && currentSession()?.role !== 'admin')) {
    document.title = 'Not found · Sluice portal';
    append(main, h('h1', {}, 'Not found'), h('p', {}, 'There is no such page. ', h('a', { href: '#' + home() }, 'Go to the start.')));
    return;
  }
  document.title = `${route.title} · Sluice portal`;
  const args = path.match(route.pattern)!.slice(1);
  try {
    const s = await route.page(main, args);
    if (mine !== rendering) { if (s) s(); return; }
    stop = s;
    announce(`${route.title} loaded`);
    // After a navigation, keyboard and screen-reader users start at the new content.
    if (navigated) main.focus({ preventScroll: true });
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      await loadSession().catch(() => undefined);
      if (!currentSession()) { go('/signin'); return; }
    }
    showError(main, e);
  }
}

async function start(): Promise<void> {
  try {
    await loadSession();
  } catch (e) {
    showError(document.getElementById('main')!, e);
  }
  window.addEventListener('hashchange', () => {
    navigated = true;
    void render();
  });
  // The skip link focuses the content without touching the hash (the hash is the page).
  document.querySelector('.skip')?.addEventListener('click', (e) => {
    e.preventDefault();
    document.getElementById('main')?.focus();
  });
  await render();
}

void start();
