// Building the page: elements from data with textContent only (nothing the
// API says is ever parsed as HTML), and the few pieces every view shares.

/*
 * h(tag, attrs, ...children): an element. attrs: class, for, text, on<Event>
 * handlers, boolean properties (disabled, checked, hidden, required,
 * selected), anything else as an attribute. Children: nodes, strings,
 * numbers, arrays of them; null, undefined and false are left out.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'for') el.htmlFor = v;
    else if (k === 'text') el.textContent = v;
    else if (k === 'value') el.value = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (['disabled', 'checked', 'hidden', 'required', 'selected', 'multiple'].includes(k)) el[k] = Boolean(v);
    else if (k === 'style') throw new Error('no inline styles: the Content-Security-Policy refuses them');
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

let uid = 0;
/* A fresh element id with a readable prefix (labels need ids). */
export function newId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

/* A labelled control: {wrap, control}. */
export function field(label, control, hint) {
  if (!control.id) control.id = newId('f');
  const hintEl = hint ? h('p', { class: 'hint', id: control.id + '-hint' }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hintEl);
}

/* A checkbox with its label after it. */
export function checkbox(label, attrs = {}) {
  const box = h('input', { type: 'checkbox', id: attrs.id || newId('c'), ...attrs });
  return { box, wrap: h('div', { class: 'check' }, box, h('label', { for: box.id }, label)) };
}

/* An empty region that showErrors/showNotice fill; announced when it does. */
export function messageSlot() {
  return h('div', { class: 'slot', 'aria-live': 'polite' });
}

/* The API's messages (or any error's), one item each, in slot. extra: nodes after them. */
export function showErrors(slot, err, ...extra) {
  const messages = err && Array.isArray(err.messages) ? err.messages : [err && err.message ? err.message : String(err)];
  slot.replaceChildren(h('div', { class: 'errors', role: 'alert' },
    h('ul', {}, messages.map((m) => h('li', {}, m))), extra));
}

export function showNotice(slot, text) {
  slot.replaceChildren(h('div', { class: 'notice', role: 'status' }, text));
}

export function clear(slot) {
  slot.replaceChildren();
}

/* 2024-11-27T10:00:00.000Z -> "2024-11-27 10:00:00 UTC"; null -> "". */
export function fmtTime(iso) {
  if (!iso) return '';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

/* A table in a scrolling wrapper: head is a list of header cells (strings, nodes or {text, num}). */
export function table(caption, head, rows) {
  return h('div', { class: 'table-wrap' },
    h('table', {},
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, head.map((c) => (typeof c === 'string' || c instanceof Node
        ? h('th', { scope: 'col' }, c)
        : h('th', { scope: 'col', class: c.num ? 'num' : null }, c.text))))),
      h('tbody', {}, rows)));
}

/*
 * A pager for a pagination object: "Page 2 of 5 (103 people)" with previous
 * and next buttons calling go(page). noun: what is counted, plural.
 */
export function pager(pagination, go, noun, label) {
  const { current_page: page, total_pages: pages, total_count: count } = pagination;
  return h('nav', { class: 'pager', 'aria-label': label || 'Pages' },
    h('button', { type: 'button', class: 'secondary', disabled: page <= 1, onclick: () => go(page - 1) }, 'Previous page'),
    h('span', {}, pages === 0 ? `No ${noun}` : `Page ${page} of ${pages} (${count} ${noun})`),
    h('button', { type: 'button', class: 'secondary', disabled: page >= pages, onclick: () => go(page + 1) }, 'Next page'));
}

export const ROLE_NAMES = { olcm: 'Outreach LCM (oLCM)', ilcm: 'Intensive LCM (iLCM)' };
export const ROLE_SHORT = { olcm: 'oLCM', ilcm: 'iLCM' };

/* Focus the view's heading after a navigation, for keyboard and screen reader users. */
export function focusHeading(root) {
  const h1 = root.querySelector('h1');
  if (h1) {
    h1.setAttribute('tabindex', '-1');
    h1.focus();
  }
}
