// Small DOM helpers: elements are built with properties and text, never from HTML strings.

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((e: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, ...children);
  return el;
}

export function append(el: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

// A table with a caption, column headers and rows of cells.
export function table(caption: string, headers: string[], rows: Child[][], id?: string): HTMLElement {
  return h('div', { class: 'table-wrap' },
    h('table', { id },
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, ...headers.map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c, i) => h('td', { 'data-label': headers[i] }, c)))))));
}

// The announcement screen readers hear (the polite live region in index.html).
export function announce(text: string): void {
  const s = document.getElementById('status');
  if (s) s.textContent = text;
}

export function isoDate(iso: string): string {
  return iso ? iso.slice(0, 10) : '';
}

export function isoMinute(iso: string): string {
  return iso ? iso.slice(0, 16).replace('T', ' ') + ' UTC' : '';
}

export function usd(micro: number): string {
  const neg = micro < 0;
  const cents = Math.round(Math.abs(micro) / 10_000);
  return (neg ? '-$' : '$') + Math.floor(cents / 100).toLocaleString('en-US') + '.' + String(cents % 100).padStart(2, '0');
}

// A secret shown once: the value, a copy button, and a note that it is not shown again.
export function secretBox(label: string, value: string): HTMLElement {
  const out = h('output', { class: 'secret-value', 'aria-label': label }, value);
  const note = h('span', { class: 'copy-note', role: 'status' });
  const copy = h('button', { type: 'button', class: 'copy' }, 'Copy');
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(value);
      note.textContent = 'Copied.';
    } catch {
      const range = document.createRange();
      range.selectNodeContents(out);
      const sel = window.getSelection();
      sel?.removeAllRanges();
      sel?.addRange(range);
      note.textContent = 'Selected: press Ctrl+C to copy.';
    }
  });
  return h('div', { class: 'secret', role: 'group', 'aria-label': label },
    h('p', {}, h('strong', {}, label), ' (shown once: copy it now, it is not shown again)'),
    h('div', { class: 'secret-row' }, out, copy, note));
}
