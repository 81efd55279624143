// The reason every write carries: a code of the API's list and a note.
import { h, field, newId } from './dom.js';

export const REASON_CODES = [
  ['member_request', 'Member request'],
  ['provider_request', 'Provider request'],
  ['staffing_change', 'Staffing change'],
  ['workload_balance', 'Workload balance'],
  ['acuity_change', 'Acuity change'],
  ['initial_assignment', 'Initial assignment'],
  ['other', 'Other'],
  ['authorization_ended', 'Authorization ended'],
];

/*
 * The reason's controls: {el, value()}. value() is what the API takes:
 * {code, note} with a code, the note alone without one, undefined when
 * both are empty.
 */
export function reasonFields(defaultCode = '') {
  const code = h('select', { id: newId('reason-code') },
    h('option', { value: '' }, '(no code)'),
    REASON_CODES.map(([v, t]) => h('option', { value: v, selected: v === defaultCode }, t)));
  const note = h('textarea', { id: newId('reason-note'), rows: 2 });
  return {
    el: h('div', { class: 'row align-top' }, field('Reason', code), h('div', { class: 'field grow' },
      h('label', { for: note.id }, 'Note'), note)),
    value() {
      const n = note.value.trim();
      if (code.value) return { code: code.value, note: n || null };
      return n ? n : undefined;
    },
    reset() {
      code.value = defaultCode;
      note.value = '';
    },
  };
}
