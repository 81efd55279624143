// Lead Care Managers: the list endpoint's page with its search, role filter,
// sort and "available only", each person's load as a bar. The filter lives
// in the URL (#/list?search=...&sort=workload), so back and forward work.
import { api, query } from './api.js';
import { h, field, checkbox, messageSlot, showErrors, clear, table, pager, ROLE_SHORT } from './dom.js';
import { loadOf, scaleOf, loadBar, legend } from './bars.js';

const PER_PAGE = 25;

function stateOf(qs) {
  const q = new URLSearchParams(qs || '');
  return {
    search: q.get('search') || '',
    role: q.get('role') || '',
    sort: q.get('sort') || 'name',
    available: q.get('available') === 'true',
    page: Number(q.get('page')) >= 1 ? Math.floor(Number(q.get('page'))) : 1,
  };
}

function hashOf(s) {
  return '#/list' + query({
    search: s.search, role: s.role, sort: s.sort === 'name' ? '' : s.sort,
    available: s.available ? 'true' : '', page: s.page > 1 ? s.page : '',
  });
}

export async function listView(root, [qs], ctx) {
  const state = stateOf(qs);
  if (root.dataset.view !== 'list' || !root.listParts) mount(root, ctx);
  root.listParts.set(state);
  await load(root.listParts, state, ctx);
}

function mount(root, ctx) {
  const search = h('input', { type: 'search', id: 'lcm-search', name: 'search', autocomplete: 'off' });
  const role = h('select', { id: 'lcm-role', name: 'role' },
    h('option', { value: '' }, 'Any'),
    h('option', { value: 'olcm' }, 'Holds an oLCM assignment'),
    h('option', { value: 'ilcm' }, 'Holds an iLCM assignment'));
  const sort = h('select', { id: 'lcm-sort', name: 'sort' },
    h('option', { value: 'name' }, 'Name'),
    h('option', { value: 'workload' }, 'Workload (fewest patients first)'));
  const avail = checkbox('Available only (below their limit)', { id: 'lcm-available', name: 'available' });
  const form = h('form', { role: 'search', 'aria-label': 'Filter care managers' },
    h('div', { class: 'row' },
      field('Search by name', search),
      h('button', { type: 'submit' }, 'Search'),
      field('Role', role),
      field('Sort by', sort),
      avail.wrap));
  const slot = messageSlot();
  const results = h('div', { id: 'lcm-results' });
  const status = h('p', { class: 'hint', id: 'lcm-status', role: 'status' });

  const current = () => ({
    search: search.value.trim(), role: role.value, sort: sort.value, available: avail.box.checked, page: 1,
  });
  form.addEventListener('submit', (e) => { e.preventDefault(); ctx.go(hashOf(current())); });
  for (const c of [role, sort, avail.box]) c.addEventListener('change', () => ctx.go(hashOf(current())));

  root.dataset.view = 'list';
  root.listParts = {
    slot, results, status,
    set(s) {
      search.value = s.search;
      role.value = s.role;
      sort.value = s.sort;
      avail.box.checked = s.available;
    },
  };
  root.replaceChildren(h('h1', {}, 'Lead Care Managers'), form, slot, status, legend(), results);
  // Leaving the view: the next one replaces main's children and must not find these parts.
  const observer = new MutationObserver(() => {
    if (!root.contains(results)) {
      delete root.dataset.view;
      delete root.listParts;
      observer.disconnect();
    }
  });
  observer.observe(root, { childList: true });
}

async function load(parts, state, ctx) {
  const { slot, results, status } = parts;
  status.textContent = 'Loading…';
  let data;
  try {
    ({ data } = await api('GET', '/lead_care_managers' + query({
      page: state.page, per_page: PER_PAGE, search: state.search, role: state.role,
      sort: state.sort === 'name' ? '' : state.sort, available: state.available ? 'true' : '',
    })));
  } catch (err) {
    if (!ctx.current()) return;
    status.textContent = '';
    results.replaceChildren();
    showErrors(slot, err);
    return;
  }
  if (!ctx.current()) return;
  clear(slot);
  const people = data.lead_care_managers;
  const p = data.pagination;
  status.textContent = p.total_count === 0 ? 'Nobody matches.' : `${p.total_count} ${p.total_count === 1 ? 'person' : 'people'}, page ${p.current_page} of ${p.total_pages}.`;
  const loads = people.map(loadOf);
  const scale = scaleOf(loads);
  const limit = (n) => (n === null ? '—' : String(n));
  const rows = people.map((person, i) => h('tr', { 'data-user-id': person.id },
    h('th', { scope: 'row' }, h('a', { href: `#/person/${person.id}` }, person.name)),
    h('td', {}, person.email),
    h('td', { class: 'num' }, `${person.olcm_assignments_count} / ${limit(person.max_olcm)}`),
    h('td', { class: 'num' }, `${person.ilcm_assignments_count} / ${limit(person.max_ilcm)}`),
    h('td', { class: 'num' }, String(person.assigned_patients_count)),
    h('td', {}, loadBar(loads[i], scale, person.name)),
    h('td', {},
      person.active === false ? h('span', { class: 'badge inactive' }, 'inactive') : null,
      ['olcm', 'ilcm'].filter((r) => person.at_capacity[r]).map((r) => h('span', { class: 'badge full' }, `${ROLE_SHORT[r]} full`)))));
  const go = (page) => ctx.go(hashOf({ ...state, page }));
  results.replaceChildren(
    table('Care managers and their load', ['Name', 'Email', { text: 'oLCM / limit', num: true },
      { text: 'iLCM / limit', num: true }, { text: 'Patients', num: true }, 'Load', 'Status'], rows),
    pager(p, go, 'people', 'Care manager pages'));
}
