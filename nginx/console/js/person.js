// A person: their load, their limits (edit them), their patients by role,
// and "transfer their caseload": a dry run shown as before/after bars, then
// the real run on confirmation. The person is one request
// (GET .../lead_care_managers/{user_id}); the takers of a transfer are read
// from the list only when the admin asks to choose them.
import { api, query } from './api.js';
import { h, field, checkbox, messageSlot, showErrors, showNotice, clear, fmtTime, table, pager, ROLE_SHORT } from './dom.js';
import { reasonFields } from './reason.js';
import { allPeople, personLabel } from './people.js';
import { loadOf, scaleOf, loadBar, legend } from './bars.js';

let pending = null; // {notice, transfer, byId}: shown once the view is drawn again after a write

export async function personView(root, [idText], ctx) {
  const top = messageSlot();
  const heading = h('h1', {}, `Person ${idText}`);
  root.replaceChildren(heading, top);
  const shown = pending;
  pending = null;
  if (shown && shown.notice) showNotice(top, shown.notice);

  let person;
  try {
    ({ data: person } = await api('GET', `/lead_care_managers/${idText}`));
  } catch (err) {
    if (!ctx.current()) return;
    showErrors(top, err);
    if (err.status === 404) {
      root.append(h('p', { class: 'muted' }, `User ${idText} is not a Lead Care Manager: no such user, or one who is neither eligible (active, with the ecm role) nor holding patients.`));
    }
    return;
  }
  if (!ctx.current()) return;
  const id = person.id;
  // After a write: the page read again, saying what was done. A write answered
  // after the admin went elsewhere leaves them there, and no later page says it.
  const reload = (next) => {
    if (!ctx.current()) return;
    pending = next;
    ctx.go(`#/person/${id}`);
  };

  heading.textContent = personLabel(person);
  ctx.title(person.name);
  const summary = h('div', {},
    h('p', {}, person.email, ' · roles: ', person.roles.join(', '),
      person.active === false ? [' ', h('span', { class: 'badge inactive' }, 'inactive')] : null),
    legend(), loadBar(loadOf(person), scaleOf([loadOf(person)]), person.name));
  const patients = h('section', { 'aria-labelledby': 'patients-h' }, h('h2', { id: 'patients-h' }, 'Patients'));
  root.append(summary, limitsForm(person, reload, ctx), patients, transferSection(person, shown, reload, ctx));
  await Promise.all(['olcm', 'ilcm'].map((role) => patientsOf(patients, id, role, ctx)));
}

function limitValue(text) {
  const t = text.trim();
  if (t === '') return null;
  return /^[0-9]+$/.test(t) && Number.isSafeInteger(Number(t)) ? Number(t) : t; // the API judges the rest
}

function limitsForm(person, reload, ctx) {
  const maxO = h('input', { type: 'text', inputmode: 'numeric', id: 'max-olcm', class: 'narrow', value: person.max_olcm ?? '' });
  const maxI = h('input', { type: 'text', inputmode: 'numeric', id: 'max-ilcm', class: 'narrow', value: person.max_ilcm ?? '' });
  const slot = messageSlot();
  const save = h('button', { type: 'submit' }, 'Save limits');
  const form = h('form', { 'aria-labelledby': 'limits-h' },
    h('div', { class: 'row' }, field('Most oLCM patients', maxO), field('Most iLCM patients', maxI), save),
    h('p', { class: 'hint' }, 'Empty: no limit. A lower limit refuses new assignments only; nobody is taken away.'), slot);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    save.disabled = true;
    try {
      await api('PUT', `/lead_care_managers/${person.id}/capacity`, {
        body: { max_olcm: limitValue(maxO.value), max_ilcm: limitValue(maxI.value) },
      });
      reload({ notice: 'Limits saved.' });
    } catch (err) {
      if (ctx.current()) showErrors(slot, err);
      save.disabled = false;
    }
  });
  return h('section', { 'aria-labelledby': 'limits-h' }, h('h2', { id: 'limits-h' }, 'Caseload limits'), form);
}

async function patientsOf(section, id, role, ctx) {
  const holder = h('div', { 'data-role': role });
  const slot = messageSlot();
  section.append(h('h3', {}, `As ${ROLE_SHORT[role]}`), slot, holder);
  const show = async (page) => {
    try {
      const { data } = await api('GET', `/lead_care_managers/${id}/patients` + query({ role, page, per_page: 25 }));
      if (!ctx.current()) return;
      clear(slot);
      holder.replaceChildren(
        table(null, ['Patient', 'Assigned'], data.patients.map((p) => h('tr', {},
          h('td', {}, h('a', { href: `#/patient/${p.patient_id}` }, `${p.patient_name} (${p.patient_id})`)),
          h('td', {}, fmtTime(p.assigned_at))))),
        pager(data.pagination, show, `${ROLE_SHORT[role]} patients`, `${ROLE_SHORT[role]} patient pages`));
    } catch (err) {
      if (ctx.current()) showErrors(slot, err);
    }
  };
  await show(1);
}

/*
 * The transfer: its form once the admin asks to choose the takers (every
 * eligible person, read from the list then, not with the page), and the
 * last transfer's report after one.
 */
function transferSection(person, shown, reload, ctx) {
  const slot = messageSlot();
  const holder = h('div', {});
  const choose = h('button', { type: 'button', id: 'transfer-choose' }, 'Choose who takes them');
  choose.addEventListener('click', async () => {
    choose.disabled = true;
    clear(slot);
    try {
      const people = await allPeople();
      if (!ctx.current()) return;
      const byId = new Map([[person.id, person], ...people.map((p) => [p.id, p])]);
      const form = transferForm(person, people, byId, reload, ctx);
      holder.replaceChildren(form);
      choose.remove();
      const first = form.querySelector('input, select');
      if (first) first.focus();
    } catch (err) {
      if (ctx.current()) showErrors(slot, err);
      choose.disabled = false;
    }
  });
  const last = shown && shown.transfer
    ? transferReport(shown.transfer, shown.byId || new Map([[person.id, person]]), 'Last transfer') : null;
  return h('section', { 'aria-labelledby': 'transfer-h' },
    h('h2', { id: 'transfer-h' }, 'Transfer their caseload'),
    h('p', { class: 'hint' }, 'Each patient goes to the chosen person with the most room below their limit, then the fewest patients in the role.'),
    last, h('div', { class: 'row' }, choose), slot, holder);
}

function transferForm(person, people, byId, reload, ctx) {
  const others = people.filter((p) => p.id !== person.id);
  const boxes = others.map((p) => checkbox(`${personLabel(p)}: ${p.olcm_assignments_count} oLCM, ${p.ilcm_assignments_count} iLCM`,
    { id: `taker-${p.id}`, value: p.id, name: 'to_user_ids' }));
  const role = h('select', { id: 'transfer-role' },
    h('option', { value: '' }, 'Both roles'),
    h('option', { value: 'olcm' }, 'oLCM only'),
    h('option', { value: 'ilcm' }, 'iLCM only'));
  const reason = reasonFields('workload_balance');
  const override = checkbox('Override the takers\' caseload limits (needs a reason)', { id: 'transfer-override' });
  const slot = messageSlot();
  const result = h('div', { id: 'transfer-result' });
  const previewButton = h('button', { type: 'submit' }, 'Preview transfer (dry run)');
  const form = h('form', { 'aria-labelledby': 'transfer-h' },
    h('fieldset', {}, h('legend', {}, 'Move to'),
      others.length ? h('div', { class: 'takers' }, boxes.map((b) => b.wrap)) : h('p', {}, 'Nobody else is eligible.')),
    h('div', { class: 'row' }, field('Which patients', role)),
    reason.el, override.wrap,
    h('div', { class: 'row' }, previewButton), slot);

  const body = () => {
    const b = { from_user_id: person.id, to_user_ids: boxes.filter((x) => x.box.checked).map((x) => Number(x.box.value)) };
    if (role.value) b.role = role.value;
    const r = reason.value();
    if (r !== undefined) b.reason = r;
    if (override.box.checked) b.override_capacity = true;
    return b;
  };
  // A plan is for the form it was made from: any change asks for a new
  // preview, and drops the one under way (its answer is not shown).
  let asked = 0;
  const drop = () => { asked += 1; clear(result); clear(slot); };
  form.addEventListener('input', drop);
  form.addEventListener('change', drop);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    drop();
    const mine = asked;
    previewButton.disabled = true;
    const sent = body();
    try {
      const { data } = await api('POST', '/lead_care_managers/transfer', { body: { ...sent, dry_run: true } });
      if (!ctx.current() || asked !== mine) return;
      const confirm = h('button', { type: 'button', id: 'transfer-confirm', disabled: data.planned_count === 0 },
        `Confirm: move ${data.planned_count} ${data.planned_count === 1 ? 'assignment' : 'assignments'}`);
      confirm.addEventListener('click', async () => {
        confirm.disabled = true;
        try {
          const { data: done } = await api('POST', '/lead_care_managers/transfer', { body: { ...sent, dry_run: false } });
          reload({ notice: `Transferred: ${done.moved_count} moved, ${done.failed_count} failed.`, transfer: done, byId });
        } catch (err) {
          if (ctx.current()) showErrors(slot, err);
          confirm.disabled = false;
        }
      });
      result.replaceChildren(transferReport(data, byId, 'Preview (dry run, nothing changed yet)'), confirm);
    } catch (err) {
      if (ctx.current() && asked === mine) showErrors(slot, err);
    } finally {
      previewButton.disabled = false;
    }
  });
  return h('div', {}, form, result);
}

/* Counts before and after as bars on one scale, then every move. */
function transferReport(data, byId, title) {
  const limits = (id) => {
    const p = byId.get(id);
    return { max_olcm: p ? p.max_olcm : null, max_ilcm: p ? p.max_ilcm : null };
  };
  const before = data.counts.map((c) => ({ olcm: c.olcm_before, ilcm: c.ilcm_before, ...limits(c.user_id) }));
  const after = data.counts.map((c) => ({ olcm: c.olcm_after, ilcm: c.ilcm_after, ...limits(c.user_id) }));
  const scale = scaleOf([...before, ...after]);
  const name = (uid) => (byId.has(uid) ? personLabel(byId.get(uid)) : `User ${uid}`);
  const done = data.dry_run ? data.planned_count : data.moved_count;
  return h('div', { class: 'transfer-report', id: data.dry_run ? 'transfer-preview' : 'transfer-done' },
    h('h3', {}, `${title}: ${done} ${data.dry_run ? 'planned' : 'moved'}, ${data.failed_count} failed`),
    legend(),
    table('Load before and after', ['Person', 'Before', 'After'], data.counts.map((c, i) => h('tr', { 'data-user-id': c.user_id },
      h('th', { scope: 'row' }, name(c.user_id)),
      h('td', {}, loadBar(before[i], scale, `${name(c.user_id)} before`)),
      h('td', {}, loadBar(after[i], scale, `${name(c.user_id)} after`))))),
    table('Moves', ['Patient', 'Role', 'To', 'Status', 'Messages'], data.moves.map((m) => h('tr', {},
      h('td', {}, h('a', { href: `#/patient/${m.patient_id}` }, String(m.patient_id))),
      h('td', {}, ROLE_SHORT[m.role]),
      h('td', {}, m.to_user_id ? name(m.to_user_id) : '—'),
      h('td', {}, h('span', { class: `badge ${m.status}` }, m.status), m.capacity_override ? [' ', h('span', { class: 'badge full' }, 'over limit')] : null),
      h('td', {}, (m.errors || []).join(' '))))));
}
