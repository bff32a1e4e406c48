// The admin API (/admin/v1, docs/admin-api.md) as the portal's session calls it: the session
// cookie goes with every request; every change carries X-CSRF-Token from the session.

export interface Session {
  role: 'admin' | 'project';
  project_id?: string;
  csrf_token: string;
  expires_at: string;
}

export class ApiError extends Error {
  constructor(public status: number, public title: string, public detail: string) {
    super(detail || title || `HTTP ${status}`);
  }
}

let session: Session | null = null;

export function currentSession(): Session | null {
  return session;
}

export function setSession(s: Session | null): void {
  session = s;
}

async function errorOf(res: Response): Promise<ApiError> {
  let title = res.statusText;
  let detail = '';
  try {
    const body = await res.json();
    title = body.title ?? title;
    detail = body.detail ?? (Array.isArray(body.errors) ? body.errors.map((e: { message?: string }) => e.message).join('; ') : '');
  } catch {
    // not JSON
  }
  return new ApiError(res.status, title, detail);
}

export async function call<T>(method: string, path: string, body?: unknown, raw?: { bytes: Blob; type: string }): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let payload: BodyInit | undefined;
  if (raw) {
    headers['Content-Type'] = raw.type;
    payload = raw.bytes;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  if (method !== 'GET' && method !== 'HEAD' && session) headers['X-CSRF-Token'] = session.csrf_token;
  const res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin', cache: 'no-store' });
  if (!res.ok) throw await errorOf(res);
  const json = await res.json();
  return (json && typeof json === 'object' && 'data' in json ? json.data : json) as T;
}

export const get = <T>(path: string) => call<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => call<T>('POST', path, body ?? {});

// GET /admin/v1/session: null when not signed in (401).
export async function loadSession(): Promise<Session | null> {
  try {
    session = await get<Session>('/admin/v1/session');
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) session = null;
    else throw e;
  }
  return session;
}

export async function signIn(secret: { admin_token?: string; console_key?: string }): Promise<Session> {
  session = null;
  session = await call<Session>('POST', '/admin/v1/session', secret);
  return session;
}

export async function signOut(): Promise<void> {
  try {
    await call('DELETE', '/admin/v1/session');
  } finally {
    session = null;
  }
}

// Shapes of docs/admin-api.md.
export interface Project { id: string; name: string; plan: string | null; created_at: string; cap_reset_day: number }
export interface App {
  id: string; project_id: string; name: string; plan: string; uses: string[]; created_at: string;
  revoked_at?: string; client_id?: string; bearer_token?: string;
}
export interface Usage {
  plan: string; cap: number | null; used: number; percent: number | null; cycle_start: string; reset_at: string;
  daily: { date: string; apps: { app_id: string; posts: number }[] }[];
  credits: { added_micro_usd: number; spent_micro_usd: number; balance_micro_usd: number };
}
export interface Limit { app_id: string; endpoint: string; limit: number; remaining: number; reset: string; window_s: number }
export interface InvoiceSummary { month: string; estimate: boolean; total_usd: string; total_micro_usd: number }
export interface Plan {
  name: string; monthly_post_cap: number | null; price_usd_month: string | null; price_per_post_micro_usd: number | null;
  uses: string[]; limits: { endpoint: string; limit: number; window_s: number }[];
}
export interface Verify { ok: boolean; records: number; checkpoints: number; checked_at: string; problems: string[] }
export interface Checkpoint { tree_size: number; root: string; signed_at: string }
export interface LedgerStatus {
  origin: string; size_bytes: number; records: number; latest_checkpoint: Checkpoint | null;
  last_verify: Verify | null; public_key: string;
}
export interface TraceApp {
  app_id: string; app_name: string; project_id: string; posts_received: number; matched_posts_received: number;
  share: number; p_value: string; named: boolean; trap_hits: string[];
}
export interface TraceRun {
  id: string; name: string; state: 'queued' | 'running' | 'done' | 'failed'; created_at: string; finished_at?: string;
  progress: { bytes_read: number; bytes_total: number };
  report: { posts_matched?: number; indexed_posts?: number; apps?: TraceApp[]; corpus?: { documents: number } } | null;
  error?: string;
}
