// The ledger's status: the latest signed checkpoint, the last verification, a button that
// verifies now and one that signs a checkpoint now.
import { get, post, type Checkpoint, type LedgerStatus, type Verify } from '../api';
import { announce, clear, h, isoMinute } from '../dom';
import { showError } from '../main';

function verifyFacts(v: Verify | null): HTMLElement {
  if (!v) return h('p', { id: 'verify-result' }, 'Not verified since the server started.');
  return h('div', { id: 'verify-result', class: v.ok ? 'ok' : 'bad' },
    h('p', {}, h('strong', {}, v.ok ? 'Verified: intact' : 'Verification FAILED'),
      ` · ${v.records.toLocaleString('en-US')} records, ${v.checkpoints} checkpoints, ${isoMinute(v.checked_at)}`),
    v.problems.length ? h('ul', {}, ...v.problems.map((p) => h('li', {}, p))) : null);
}

export async function ledgerPage(main: HTMLElement, _args: string[] = []): Promise<void> {
  const errors = h('div', {});
  const status = h('section', { class: 'card', 'aria-labelledby': 'ledger-title', id: 'ledger-status' });
  const verifyBox = h('div', { 'aria-live': 'polite' });
  const render = (s: LedgerStatus) => {
    clear(status);
    const c: Checkpoint | null = s.latest_checkpoint;
    status.append(h('h2', { id: 'ledger-title' }, 'Status'),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Origin'), h('dd', {}, s.origin),
        h('dt', {}, 'Records'), h('dd', { id: 'ledger-records' }, s.records.toLocaleString('en-US')),
        h('dt', {}, 'Size'), h('dd', {}, `${(s.size_bytes / 1024).toFixed(1)} KiB`),
        h('dt', {}, 'Latest checkpoint'), h('dd', { id: 'ledger-checkpoint' },
          c ? `tree size ${c.tree_size}, signed ${isoMinute(c.signed_at)}` : 'none yet'),
        h('dt', {}, 'Root'), h('dd', {}, h('code', { class: 'hash' }, c ? c.root : '—')),
        h('dt', {}, 'Public key'), h('dd', {}, h('code', { class: 'hash' }, s.public_key))));
    clear(verifyBox);
    verifyBox.appendChild(verifyFacts(s.last_verify));
  };
  render(await get<LedgerStatus>('/admin/v1/ledger'));

  const verify = h('button', { type: 'button', id: 'verify' }, 'Verify now');
  verify.addEventListener('click', async () => {
    clear(errors);
    verify.disabled = true;
    verify.textContent = 'Verifying…';
    try {
      const v = await post<Verify>('/admin/v1/ledger/verify');
      clear(verifyBox);
      verifyBox.appendChild(verifyFacts(v));
      announce(v.ok ? 'Ledger verified' : 'Ledger verification failed');
    } catch (e) {
      showError(errors, e);
    } finally {
      verify.disabled = false;
      verify.textContent = 'Verify now';
    }
  });
  const sign = h('button', { type: 'button', id: 'sign-checkpoint' }, 'Sign a checkpoint now');
  sign.addEventListener('click', async () => {
    clear(errors);
    try {
      await post<Checkpoint>('/admin/v1/ledger/checkpoints');
      render(await get<LedgerStatus>('/admin/v1/ledger'));
      announce('Checkpoint signed');
    } catch (e) {
      showError(errors, e);
    }
  });
  main.append(h('h1', {}, 'Ledger'), errors, status,
    h('section', { class: 'card', 'aria-labelledby': 'verify-title' },
      h('h2', { id: 'verify-title' }, 'Verification'), verifyBox, h('div', { class: 'actions' }, verify, sign)));
}
