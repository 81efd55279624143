// Patients: the clinic's queue, and the page the console opens on. The
// summary's counts on top, each a link that filters the list; the list with
// each ECM member's acuity and authorization, and its filters in the URL
// (#/patients?unassigned=olcm&provider_id=456&acuity=high...),
// so back and forward work; rows to select, or all that match (up to 1000),
// for an assignment with a preview (assign_selected.js); the export
// (export.js).
import { api, query } from './api.js';
import { h, field, checkbox, messageSlot, showErrors, clear, table, pager } from './dom.js';
import { allPeople, personLabel } from './people.js';
import { actionsSection } from './assign_selected.js';
import { exportSection } from './export.js';
import { acuityText, authorizationText } from './member.js';

const PER_PAGE = 25;
const READ_PAGE = 100; // the list's largest page: "all that match" reads it a page at a time
export const SELECT_MAX = 1000; // what one bulk_assign or auto_assign takes

const UNASSIGNED = [
  ['', 'Any'],
  ['olcm', 'Without an oLCM'],
  ['ilcm', 'Without an iLCM'],
  ['any', 'Without an oLCM or an iLCM'],
  ['both', 'Without both'],
];

const ACUITY = [['', 'Any'], ['low', 'Low'], ['medium', 'Medium'], ['high', 'High']];
const AUTHORIZATION = [['', 'Any'], ['active', 'Active'], ['ended', 'Ended'], ['not_started', 'Not started']];
const ASSIGNED = [['', 'Any'], ['true', 'Someone holds a role'], ['false', 'No one holds a role']];

// The summary's counts: the field of /patients/summary, what it says, the
// filter it links to (the API's summary is each list's total).
const COUNTS = [
  ['patients', 'patients', {}],
  ['without_olcm', 'without an oLCM', { unassigned: 'olcm' }],
  ['without_ilcm', 'without an iLCM', { unassigned: 'ilcm' }],
  ['without_both', 'without both', { unassigned: 'both' }],
  ['assigned_to_inactive', 'held by a deactivated person', { inactive: true }],
  ['high_acuity_without_ilcm', 'high acuity, authorized, without an iLCM', { acuity: 'high', authorization: 'active', unassigned: 'ilcm' }],
  ['authorization_ended_assigned', 'authorization ended, still held', { authorization: 'ended', assigned: 'true' }],
];

/* No filter, page 1. */
const BLANK = {
  search: '', unassigned: '', provider: '', holder: '', inactive: false,
  acuity: '', authorization: '', ends: '', assigned: '', page: 1,
};

/* The filter and page the URL holds; values are kept as given, for the API to judge. */
function stateOf(qs) {
  const q = new URLSearchParams(qs || '');
  return {
    search: q.get('search') || '',
    unassigned: q.get('unassigned') || '',
    provider: q.get('provider_id') || '',
    holder: q.get('lcm_user_id') || '',
    inactive: q.get('held_by_inactive') === 'true',
    acuity: q.get('acuity') || '',
    authorization: q.get('authorization') || '',
    ends: q.get('auth_ends_within_days') || '',
    assigned: q.get('assigned') || '',
    page: Number(q.get('page')) >= 1 ? Math.floor(Number(q.get('page'))) : 1,
  };
}

function params(s) {
  return {
    search: s.search, unassigned: s.unassigned, provider_id: s.provider,
    lcm_user_id: s.holder, held_by_inactive: s.inactive ? 'true' : '',
    acuity: s.acuity, authorization: s.authorization, auth_ends_within_days: s.ends, assigned: s.assigned,
  };
}

export function hashOf(s) {
  return '#/patients' + query({ ...params(s), page: s.page > 1 ? s.page : '' });
}

/* The filter without its page: a selection is of one filter's patients. */
function filterKey(s) {
  return hashOf({ ...s, page: 1 });
}

// What the admin selected, kept while they page through one filter's
// patients: id -> the list's entry (name, provider, holders).
const selection = { key: '', rows: new Map() };

export async function patientsView(root, [qs], ctx) {
  const state = stateOf(qs);
  if (root.dataset.view !== 'patients' || !root.queueParts) mount(root, ctx);
  const parts = root.queueParts;
  if (selection.key !== filterKey(state)) {
    selection.key = filterKey(state);
    selection.rows.clear();
    parts.selectionChanged();
  }
  parts.set(state);
  await Promise.all([loadSummary(parts, ctx), loadList(parts, state, ctx)]);
  parts.peopleOnce();
}

function mount(root, ctx) {
  // The view stays mounted while its filter changes (each change a route of
  // its own): what it started draws as long as it is still on the page.
  const live = { current: () => root.queueParts === parts, go: ctx.go };
  const search = h('input', { type: 'search', id: 'queue-search', name: 'search', autocomplete: 'off' });
  const unassigned = h('select', { id: 'queue-unassigned', name: 'unassigned' },
    UNASSIGNED.map(([v, t]) => h('option', { value: v }, t)));
  const provider = h('input', { type: 'text', id: 'queue-provider', name: 'provider_id', inputmode: 'numeric', autocomplete: 'off', class: 'narrow' });
  const holder = h('select', { id: 'queue-holder', name: 'lcm_user_id' }, h('option', { value: '' }, 'Anyone or no one'));
  const inactive = checkbox('Held by a deactivated person', { id: 'queue-inactive', name: 'held_by_inactive' });
  const choice = (id, name, options) => h('select', { id, name }, options.map(([v, t]) => h('option', { value: v }, t)));
  const acuity = choice('queue-acuity', 'acuity', ACUITY);
  const authorization = choice('queue-authorization', 'authorization', AUTHORIZATION);
  const ends = h('input', { type: 'text', id: 'queue-ends', name: 'auth_ends_within_days', inputmode: 'numeric', autocomplete: 'off', class: 'narrow' });
  const assigned = choice('queue-assigned', 'assigned', ASSIGNED);
  const form = h('form', { role: 'search', 'aria-label': 'Filter patients' },
    h('div', { class: 'row' },
      field('Search by name', search),
      field('Assignment', unassigned),
      field('Care team', assigned),
      field('Provider id', provider),
      field('Held by', holder)),
    h('div', { class: 'row' },
      field('Acuity', acuity),
      field('Authorization', authorization),
      field('Authorization ends within (days)', ends),
      inactive.wrap,
      h('button', { type: 'submit' }, 'Filter'),
      h('a', { href: '#/patients', id: 'queue-clear' }, 'Clear filters')));
  // The counts' links, made once: a redraw keeps the one the focus is on.
  const summary = h('ul', { class: 'summary', id: 'queue-summary', 'aria-label': 'Counts; each shows its patients below' },
    COUNTS.map(([k, text, f]) => h('li', {}, h('a', {
      href: hashOf({ ...BLANK, ...f }), 'data-count': k,
    }, h('span', { class: 'count' }, '…'), ' ', text))));
  const slot = messageSlot();
  const status = h('p', { class: 'hint', id: 'queue-status', role: 'status' });
  const results = h('div', { id: 'queue-results' });
  const selStatus = h('span', { id: 'queue-selected', role: 'status' });
  const selectAll = h('button', { type: 'button', class: 'secondary', id: 'queue-select-all', hidden: true });
  const selectNone = h('button', { type: 'button', class: 'secondary', id: 'queue-select-none', disabled: true }, 'Clear selection');
  const selSlot = messageSlot();
  const bar = h('div', { class: 'row selection' }, selStatus, selectAll, selectNone);

  let state = null;
  let total = 0;
  let pageRows = [];
  const current = () => ({
    search: search.value.trim(), unassigned: unassigned.value, provider: provider.value.trim(),
    holder: holder.value, inactive: inactive.box.checked,
    acuity: acuity.value, authorization: authorization.value, ends: ends.value.trim(), assigned: assigned.value, page: 1,
  });
  form.addEventListener('submit', (e) => { e.preventDefault(); live.go(hashOf(current())); });
  for (const c of [unassigned, holder, inactive.box, acuity, authorization, assigned]) c.addEventListener('change', () => live.go(hashOf(current())));

  const actions = actionsSection({
    selected: () => [...selection.rows.values()],
    done: async () => {
      selection.rows.clear();
      parts.selectionChanged();
      if (state) await Promise.all([loadSummary(parts, live), loadList(parts, state, live)]);
    },
    ctx: live,
  });

  // The selection's line and buttons, and the page's boxes, as the selection is.
  const selectionChanged = () => {
    const n = selection.rows.size;
    selStatus.textContent = n === 0 ? 'No patient selected.' : `${n} ${n === 1 ? 'patient' : 'patients'} selected.`;
    selectNone.disabled = n === 0;
    const all = Math.min(total, SELECT_MAX);
    selectAll.hidden = total === 0 || n >= all;
    selectAll.textContent = total <= SELECT_MAX ? `Select all ${total} that match` : `Select the first ${SELECT_MAX} of ${total} that match`;
    for (const box of results.querySelectorAll('input[data-patient-id]')) box.checked = selection.rows.has(Number(box.dataset.patientId));
    const head = results.querySelector('#queue-select-page');
    if (head) {
      const on = pageRows.filter((p) => selection.rows.has(p.id)).length;
      head.checked = pageRows.length > 0 && on === pageRows.length;
      head.indeterminate = on > 0 && on < pageRows.length;
    }
    actions.selectionChanged();
  };
  selectNone.addEventListener('click', () => {
    selection.rows.clear();
    clear(selSlot);
    selectionChanged();
  });
  selectAll.addEventListener('click', async () => {
    const key = selection.key;
    const s = state;
    selectAll.disabled = true;
    clear(selSlot);
    try {
      const want = Math.min(total, SELECT_MAX);
      const got = [];
      for (let page = 1; got.length < want; page += 1) {
        selStatus.textContent = `Reading the patients that match: ${got.length} of ${want}…`;
        const { data } = await api('GET', '/patients' + query({ ...params(s), page, per_page: READ_PAGE }));
        got.push(...data.patients);
        if (page >= data.pagination.total_pages) break;
      }
      if (!live.current() || selection.key !== key) return;
      for (const p of got.slice(0, SELECT_MAX)) selection.rows.set(p.id, p);
    } catch (err) {
      if (live.current()) showErrors(selSlot, err);
    } finally {
      selectAll.disabled = false;
      if (live.current()) selectionChanged();
    }
  });

  let peopleAsked = false;
  const parts = {
    summary, slot, status, results,
    asked: { summary: 0, list: 0 }, // the reads started: only the last one started draws
    inactive: new Set(), // deactivated holders, once the people are read
    set(s) {
      state = s;
      search.value = s.search;
      unassigned.value = s.unassigned;
      provider.value = s.provider;
      inactive.box.checked = s.inactive;
      acuity.value = s.acuity;
      authorization.value = s.authorization;
      ends.value = s.ends;
      assigned.value = s.assigned;
      if (s.holder && ![...holder.options].some((o) => o.value === s.holder)) {
        holder.append(h('option', { value: s.holder }, `User ${s.holder}`));
      }
      holder.value = s.holder;
      for (const a of summary.querySelectorAll('a')) {
        if (a.getAttribute('href') === filterKey(s)) a.setAttribute('aria-current', 'true');
        else a.removeAttribute('aria-current');
      }
    },
    drawn(rows, count) {
      pageRows = rows;
      total = count;
      selectionChanged();
    },
    select(p, on) {
      if (on && selection.rows.size >= SELECT_MAX && !selection.rows.has(p.id)) {
        showErrors(selSlot, { messages: [`At most ${SELECT_MAX} patients at a time: one request of the API takes that many.`] });
        return false;
      }
      if (on) selection.rows.set(p.id, p);
      else selection.rows.delete(p.id);
      clear(selSlot);
      selectionChanged();
      return true;
    },
    selectionChanged,
    // The people of the "Held by" filter and of the assignment's pickers, read once, after the list.
    peopleOnce() {
      if (peopleAsked) return;
      peopleAsked = true;
      Promise.all([allPeople(), allPeople({ inactive: true })]).then(([eligible, inactivePeople]) => {
        if (!live.current()) return;
        const keep = holder.value;
        holder.replaceChildren(h('option', { value: '' }, 'Anyone or no one'),
          ...[...eligible, ...inactivePeople].sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id)
            .map((p) => h('option', { value: p.id }, personLabel(p) + (p.active === false ? ', inactive' : ''))));
        if (keep && ![...holder.options].some((o) => o.value === keep)) holder.append(h('option', { value: keep }, `User ${keep}`));
        holder.value = keep;
        parts.inactive = new Set(inactivePeople.map((p) => p.id));
        markInactive(parts);
        actions.people(eligible, inactivePeople);
      }).catch((err) => {
        if (live.current()) actions.peopleFailed(err);
      });
    },
  };
  root.dataset.view = 'patients';
  root.queueParts = parts;
  root.replaceChildren(h('h1', {}, 'Patients'),
    h('section', { 'aria-labelledby': 'summary-h' }, h('h2', { id: 'summary-h', class: 'first' }, 'The clinic'), summary),
    h('section', { 'aria-labelledby': 'queue-h' }, h('h2', { id: 'queue-h' }, 'The list'),
      form, slot, status, bar, selSlot, results),
    actions.el, exportSection(live));
  // Leaving the view: the next one replaces main's children and must not find these parts.
  const observer = new MutationObserver(() => {
    if (!root.contains(results)) {
      delete root.dataset.view;
      delete root.queueParts;
      observer.disconnect();
    }
  });
  observer.observe(root, { childList: true });
}

/*
 * ctx.current() and no later read of the same part started: the list read
 * again after a confirm (done) answers late, when the admin may have chosen
 * another filter since, whose list it must not replace.
 */
function latest(parts, part, ctx) {
  parts.asked[part] += 1;
  const mine = parts.asked[part];
  return () => ctx.current() && parts.asked[part] === mine;
}

async function loadSummary(parts, ctx) {
  const current = latest(parts, 'summary', ctx);
  let data;
  try {
    ({ data } = await api('GET', '/patients/summary'));
  } catch (err) {
    if (current()) showErrors(parts.slot, err);
    return;
  }
  if (!current()) return;
  for (const a of parts.summary.querySelectorAll('a')) a.querySelector('.count').textContent = String(data[a.dataset.count]);
}

/* A member's fact in its cell; muted for a patient who is no member. */
function ecmCell(kind, e, text) {
  return h('td', { 'data-ecm': kind }, e ? text(e) : h('span', { class: 'muted' }, text(e)));
}

function holderCell(id, name) {
  return id ? h('a', { href: `#/person/${id}`, 'data-user-id': id }, personLabel({ id, name })) : h('span', { class: 'muted' }, 'none');
}

/* An "inactive" badge after each deactivated holder the list shows (the list entry does not say who is). */
function markInactive(parts) {
  for (const a of parts.results.querySelectorAll('td[data-role] a[data-user-id]')) {
    if (parts.inactive.has(Number(a.dataset.userId)) && !a.parentNode.querySelector('.badge')) {
      a.after(' ', h('span', { class: 'badge inactive' }, 'inactive'));
    }
  }
}

async function loadList(parts, state, ctx) {
  const { slot, results, status } = parts;
  const current = latest(parts, 'list', ctx);
  status.textContent = 'Loading…';
  let data;
  try {
    ({ data } = await api('GET', '/patients' + query({ ...params(state), page: state.page, per_page: PER_PAGE })));
  } catch (err) {
    if (!current()) return;
    status.textContent = '';
    results.replaceChildren();
    parts.drawn([], 0);
    showErrors(slot, err);
    return;
  }
  if (!current()) return;
  clear(slot);
  const p = data.pagination;
  status.textContent = p.total_count === 0 ? 'No patient matches.'
    : `${p.total_count} ${p.total_count === 1 ? 'patient' : 'patients'}, page ${p.current_page} of ${p.total_pages}.`;
  const pageBox = h('input', { type: 'checkbox', id: 'queue-select-page', 'aria-label': 'Select every patient of this page' });
  pageBox.addEventListener('change', () => {
    for (const pt of data.patients) if (!parts.select(pt, pageBox.checked) && pageBox.checked) break;
  });
  const rows = data.patients.map((pt) => {
    const cl = pt.case_load;
    const label = personLabel(pt);
    const box = h('input', { type: 'checkbox', 'data-patient-id': pt.id, 'aria-label': `Select ${label}` });
    box.addEventListener('change', () => { if (!parts.select(pt, box.checked)) box.checked = false; });
    const providerId = cl ? cl.provider_id : null;
    return h('tr', { 'data-patient-id': pt.id },
      h('td', { class: 'pick' }, box),
      h('th', { scope: 'row' }, h('a', { href: `#/patient/${pt.id}` }, label)),
      h('td', {}, providerId
        ? h('a', { href: hashOf({ ...state, provider: String(providerId), page: 1 }), title: `Only ${cl.provider_name}'s patients` }, `${cl.provider_name} (${providerId})`)
        : h('span', { class: 'muted' }, cl ? 'none' : 'no case load yet')),
      h('td', { 'data-role': 'olcm' }, holderCell(cl && cl.olcm_user_id, cl && cl.olcm_name)),
      h('td', { 'data-role': 'ilcm' }, holderCell(cl && cl.ilcm_user_id, cl && cl.ilcm_name)),
      ecmCell('acuity', pt.ecm_eligibility_information, acuityText),
      ecmCell('authorization', pt.ecm_eligibility_information, authorizationText));
  });
  const go = (page) => ctx.go(hashOf({ ...state, page }));
  results.replaceChildren(
    table('Patients and their Lead Care Managers', [h('span', {}, pageBox), 'Patient', 'Provider', 'oLCM', 'iLCM', 'Acuity', 'Authorization'], rows),
    pager(p, go, 'patients', 'Patient pages'));
  markInactive(parts);
  parts.drawn(data.patients, p.total_count);
}
