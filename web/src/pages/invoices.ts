// Invoices: this month's estimate and past months, each with its lines and a CSV download.
import { get, type InvoiceSummary } from '../api';
import { clear, h, table } from '../dom';
import { showError } from '../main';

interface Invoice {
  month: string; plan: string; total_usd: string;
  lines: { item: string; description: string; quantity: number; unit_price_usd: string; amount_usd: string }[];
}

export async function invoicesPage(main: HTMLElement, [id]: string[]): Promise<void> {
  const invoices = await get<InvoiceSummary[]>(`/admin/v1/projects/${id}/invoices`);
  const detail = h('section', { class: 'card', id: 'invoice-detail', 'aria-live': 'polite', 'aria-label': 'Invoice lines' });
  const show = async (month: string) => {
    clear(detail);
    try {
      const inv = await get<Invoice>(`/admin/v1/projects/${id}/invoices/${month}`);
      detail.append(h('h2', {}, `Invoice ${inv.month} (${inv.plan})`),
        table(`Lines of ${inv.month}`, ['Item', 'Description', 'Quantity', 'Unit price', 'Amount'],
          inv.lines.map((l) => [l.item, l.description, String(l.quantity), '$' + l.unit_price_usd, '$' + l.amount_usd])),
        h('p', {}, h('strong', {}, `Total $${inv.total_usd}`)));
    } catch (e) {
      showError(detail, e);
    }
  };
  main.append(h('h1', {}, 'Invoices'),
    table('Invoices, newest first', ['Month', 'Kind', 'Total', 'Lines', 'Download'],
      invoices.map((inv) => [inv.month, inv.estimate ? 'Estimate (this month so far)' : 'Closed', '$' + inv.total_usd,
        h('button', { type: 'button', onclick: () => void show(inv.month), 'aria-label': `Show the lines of ${inv.month}` }, 'Show'),
        h('a', { href: `/admin/v1/projects/${id}/invoices/${inv.month}?format=csv`, download: true,
          class: 'csv', 'aria-label': `Download the invoice of ${inv.month} as CSV` }, 'CSV')]), 'invoices-table'),
    detail);
}
