// A person's load as one bar in two parts, oLCM then iLCM: each part filled
// to the person's count in that role, followed by the room left below their
// limit (a paler tint of the role's colour) or by what is above it (red). Bars that share a scale (the
// largest count-or-limit among them) compare at a glance.
import { h } from './dom.js';

/* load: {olcm, ilcm, max_olcm, max_ilcm} (limits null for none). */
export function loadOf(entry) {
  return {
    olcm: entry.olcm_assignments_count,
    ilcm: entry.ilcm_assignments_count,
    max_olcm: entry.max_olcm,
    max_ilcm: entry.max_ilcm,
  };
}

function extent(count, max) {
  return Math.max(count, max ?? 0);
}

/* The scale of a set of loads: the widest one's count-or-limit, at least 1. */
export function scaleOf(loads) {
  return Math.max(1, ...loads.map((l) => extent(l.olcm, l.max_olcm) + extent(l.ilcm, l.max_ilcm)));
}

function limitText(max) {
  return max === null || max === undefined ? 'no limit' : `limit ${max}`;
}

/* "oLCM 3 of limit 5, iLCM 2, no limit" and the shorter visible text. */
export function loadText(l) {
  const part = (name, n, max) => (max === null || max === undefined ? `${name} ${n}` : `${name} ${n}/${max}`);
  return {
    long: `oLCM ${l.olcm} (${limitText(l.max_olcm)}), iLCM ${l.ilcm} (${limitText(l.max_ilcm)})`,
    short: `${part('oLCM', l.olcm, l.max_olcm)} · ${part('iLCM', l.ilcm, l.max_ilcm)}`,
  };
}

function seg(cls, n, scale) {
  if (n <= 0) return null;
  const s = h('span', { class: cls });
  s.style.width = `${(100 * n) / scale}%`; // CSSOM, which the CSP allows (a style attribute it would not)
  return s;
}

function part(role, count, max, scale) {
  if (max === null || max === undefined) return [seg(role, count, scale)];
  const within = Math.min(count, max);
  return [seg(role, within, scale), seg(`${role} over`, count - within, scale), seg(`${role}-room`, max - within, scale)];
}

/* The bar and its text; caption (optional) names it for assistive technology. */
export function loadBar(l, scale, caption) {
  const text = loadText(l);
  const over = (l.max_olcm != null && l.olcm > l.max_olcm) || (l.max_ilcm != null && l.ilcm > l.max_ilcm);
  const bar = h('div', {
    class: 'bar', role: 'img', 'aria-label': (caption ? caption + ': ' : '') + text.long + (over ? ', over a limit' : ''),
    'data-olcm': l.olcm, 'data-ilcm': l.ilcm, 'data-scale': scale,
  }, part('olcm', l.olcm, l.max_olcm, scale), part('ilcm', l.ilcm, l.max_ilcm, scale));
  return h('div', { class: 'load' }, bar, h('span', { class: 'load-text', 'aria-hidden': 'true' }, text.short));
}

export function legend() {
  return h('ul', { class: 'legend', 'aria-label': 'Load bar colours' },
    h('li', {}, h('span', { class: 'swatch olcm' }), 'oLCM patients'),
    h('li', {}, h('span', { class: 'swatch ilcm' }), 'iLCM patients'),
    h('li', {}, h('span', { class: 'swatch olcm-room' }), 'room below the oLCM limit'),
    h('li', {}, h('span', { class: 'swatch ilcm-room' }), 'room below the iLCM limit'),
    h('li', {}, h('span', { class: 'swatch over' }), 'above the limit'));
}
