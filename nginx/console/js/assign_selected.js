// The selected patients' assignment, from the queue: one person in a role
// (bulk_assign) or auto-assign (auto_assign). Each is a dry run first,
// shown as every row and each taker's load before and after; "Confirm"
// then sends the same body for real under an Idempotency-Key made with the
// preview, so a confirm sent again (its answer lost, a 503) is applied
// once. The real run's result says what became of each row, and marks the
// rows it found otherwise than the preview (someone changed them meanwhile).
import { api, idempotencyKey } from './api.js';
import { h, field, checkbox, messageSlot, showErrors, showNotice, clear, table, ROLE_SHORT } from './dom.js';
import { reasonFields } from './reason.js';
import { personLabel } from './people.js';
import { loadOf, scaleOf, loadBar, legend } from './bars.js';

const BULK = '/lead_care_managers/bulk_assign';
const AUTO = '/lead_care_managers/auto_assign';

function roleSelect(id) {
  return h('select', { id },
    h('option', { value: 'olcm' }, 'oLCM'),
    h('option', { value: 'ilcm' }, 'iLCM'));
}

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

/*
 * The section: {el, selectionChanged(), people(eligible, inactive),
 * peopleFailed(err)}. selected() gives the selected list entries; done()
 * runs after a real run (the queue reads its list and counts again).
 */
export function actionsSection({ selected, done, ctx }) {
  let byId = new Map(); // user id -> their list entry: names and limits for the report
  let plan = null; // the preview awaiting its confirm
  let asking = null; // {sig}: the dry run under way, dropped as a plan is
  const count = h('p', { id: 'actions-count' });
  const slot = messageSlot();
  const result = h('div', { id: 'queue-result' });

  const person = h('select', { id: 'bulk-person', disabled: true }, h('option', { value: '' }, 'Loading people…'));
  const bulkRole = roleSelect('bulk-role');
  const bulkReason = reasonFields('initial_assignment');
  const override = checkbox('Override the caseload limit (needs a reason)', { id: 'bulk-override' });
  const bulkForm = h('form', { class: 'action', 'aria-labelledby': 'assign-one-h' },
    h('h3', { id: 'assign-one-h' }, 'Assign one person'),
    h('p', { class: 'hint' }, 'Every selected patient gets this person in the role, in place of whoever holds it.'),
    h('div', { class: 'row' }, field('Person', person), field('Role', bulkRole)),
    bulkReason.el, override.wrap,
    h('div', { class: 'row' }, h('button', { type: 'submit', id: 'bulk-preview' }, 'Preview the assignment (dry run)')));

  const autoRole = roleSelect('auto-role');
  const takersBox = h('div', { class: 'takers' }, h('p', { class: 'hint' }, 'Loading people…'));
  const takers = h('details', { id: 'auto-takers' },
    h('summary', {}, 'Only some people (none ticked: everyone eligible)'), takersBox);
  const autoReason = reasonFields('initial_assignment');
  const autoForm = h('form', { class: 'action', 'aria-labelledby': 'auto-h' },
    h('h3', { id: 'auto-h' }, 'Auto-assign'),
    h('p', { class: 'hint' }, 'Each patient goes back to whoever last held the role for them if they may take it, else to the person with the most room below their limit; a patient who has someone in the role is left alone. No limit is passed.'),
    h('div', { class: 'row' }, field('Role', autoRole)), takers, autoReason.el,
    h('div', { class: 'row' }, h('button', { type: 'submit', id: 'auto-preview' }, 'Preview auto-assign (dry run)')));

  const rowsSig = (rows) => rows.map((p) => p.id).join(',');
  const drop = () => {
    plan = null;
    asking = null;
    clear(result);
    clear(slot);
  };
  // A preview is for the form and the selection it was made from: a change asks for a new one.
  for (const f of [bulkForm, autoForm]) {
    f.addEventListener('input', drop);
    f.addEventListener('change', drop);
  }
  const name = (uid) => (byId.has(uid) ? personLabel(byId.get(uid)) : `User ${uid}`);

  const start = (rows, what) => {
    drop();
    if (rows.length === 0) {
      showErrors(slot, { messages: [`Select the patients to ${what} in the list above first.`] });
      return false;
    }
    return true;
  };

  bulkForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const rows = selected();
    if (!start(rows, 'assign')) return;
    if (!person.value) {
      showErrors(slot, { messages: ['Choose the person who takes them first.'] });
      person.focus();
      return;
    }
    const uid = Number(person.value);
    const role = bulkRole.value;
    const reason = bulkReason.value();
    const item = (p) => ({
      patient_id: p.id, [`${role}_user_id`]: uid,
      ...(reason !== undefined ? { reason } : {}), ...(override.box.checked ? { override_capacity: true } : {}),
    });
    const body = { assignments: rows.map(item) };
    await preview(bulkForm, rows, async () => {
      const [{ data }, { data: taker }] = await Promise.all([
        api('POST', BULK, { body: { ...body, dry_run: true } }),
        api('GET', `/lead_care_managers/${uid}`)]);
      byId.set(taker.id, taker);
      return { kind: 'bulk', path: BULK, body, rows, role, uid, taker, data };
    });
  });

  autoForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const rows = selected();
    if (!start(rows, 'auto-assign')) return;
    const body = { role: autoRole.value, patient_ids: rows.map((p) => p.id) };
    const users = [...takersBox.querySelectorAll('input:checked')].map((b) => Number(b.value));
    if (users.length) body.user_ids = users;
    const reason = autoReason.value();
    if (reason !== undefined) body.reason = reason;
    await preview(autoForm, rows, async () => {
      const { data } = await api('POST', AUTO, { body: { ...body, dry_run: true } });
      return { kind: 'auto', path: AUTO, body, rows, role: body.role, data };
    });
  });

  // The dry run, then its report with "Confirm". A change of the form or of
  // the selection while it runs drops it: its answer is of a choice no longer
  // on the page, and is not shown.
  async function preview(form, rows, run) {
    const button = form.querySelector('button[type="submit"]');
    const mine = { sig: rowsSig(rows) };
    asking = mine;
    button.disabled = true;
    try {
      const p = await run();
      if (!ctx.current() || asking !== mine) return;
      asking = null;
      p.key = idempotencyKey();
      p.sig = mine.sig;
      plan = p;
      const ok = p.kind === 'bulk' ? p.data.successful_count : p.data.planned_count;
      const confirm = h('button', { type: 'button', id: 'queue-confirm', disabled: ok === 0 },
        `Confirm: ${p.kind === 'bulk' ? 'assign' : 'auto-assign'} ${plural(ok, 'patient', 'patients')}`);
      confirm.addEventListener('click', () => confirmRun(p, confirm));
      result.replaceChildren(report(p, null, confirm));
      result.querySelector('h3').focus();
    } catch (err) {
      if (ctx.current() && asking === mine) {
        asking = null;
        showErrors(slot, err);
      }
    } finally {
      button.disabled = false;
    }
  }

  async function confirmRun(p, confirm) {
    confirm.disabled = true;
    clear(slot);
    let data;
    let after = null;
    try {
      ({ data } = await api('POST', p.path, { body: { ...p.body, dry_run: false }, headers: { 'Idempotency-Key': p.key } }));
      if (p.kind === 'bulk') after = (await api('GET', `/lead_care_managers/${p.uid}`)).data;
    } catch (err) {
      if (!ctx.current() || plan !== p) return;
      // No answer, or one that says nothing was kept: the same key again is safe.
      const again = err.status === 0 || err.status === 409 || err.status >= 500;
      showErrors(slot, err, h('p', {}, again
        ? 'It may or may not have been applied. "Confirm again" sends the same request with the same Idempotency-Key: the API applies it once.'
        : 'Nothing was changed. Change the choice and preview again.'));
      if (again) {
        confirm.textContent = 'Confirm again';
        confirm.disabled = false;
      }
      return;
    }
    if (!ctx.current()) return;
    plan = null;
    const shown = report(p, { data, after }, null);
    result.replaceChildren(shown);
    const n = p.kind === 'bulk' ? data.successful_count : data.assigned_count;
    showNotice(slot, `${p.kind === 'bulk' ? 'Assigned' : 'Auto-assigned'}: ${n} done, ${data.failed_count} failed.`);
    shown.querySelector('h3').focus();
    await done();
  }

  /*
   * A preview (run null) or a real run's result: the takers' load before
   * and after as bars on one scale, then every row; a run's rows are set
   * beside what the preview said.
   */
  function report(p, run, confirm) {
    const pname = new Map(p.rows.map((r) => [r.id, personLabel(r)]));
    const data = run ? run.data : p.data;
    const dry = !run;
    let loads, rows, head;
    if (p.kind === 'bulk') {
      const holderOf = (r) => (r.case_load ? r.case_load[`${p.role}_user_id`] : null);
      const gained = p.data.results.filter((res, i) => res.status === 'success' && holderOf(p.rows[i]) !== p.uid).length;
      const before = loadOf(p.taker);
      const after = run ? loadOf(run.after) : { ...before, [p.role]: before[p.role] + gained };
      loads = [{ user_id: p.uid, before, after }];
      head = ['Patient', 'Role', 'From', 'To', 'Result', 'Messages'];
      rows = data.results.map((res, i) => {
        const r = p.rows[i];
        const from = holderOf(r);
        const was = p.data.results[i].status;
        return {
          id: r.id, changed: run && was !== res.status, preview: run ? (was === 'success' ? 'would succeed' : `would fail: ${(p.data.results[i].errors || []).join(' ')}`) : null,
          cells: [ROLE_SHORT[p.role], from ? personLabel({ id: from, name: r.case_load[`${p.role}_name`] }) : 'none', name(p.uid)],
          status: res.status, label: dry ? (res.status === 'success' ? 'would succeed' : 'would fail') : res.status,
          errors: res.errors || [],
        };
      });
    } else {
      const limits = (uid) => {
        const u = byId.get(uid);
        return { max_olcm: u ? u.max_olcm : null, max_ilcm: u ? u.max_ilcm : null };
      };
      loads = data.counts.map((c) => ({
        user_id: c.user_id,
        before: { olcm: c.olcm_before, ilcm: c.ilcm_before, ...limits(c.user_id) },
        after: { olcm: c.olcm_after, ilcm: c.ilcm_after, ...limits(c.user_id) },
      }));
      const planned = new Map(p.data.assignments.map((a) => [a.patient_id, a]));
      head = ['Patient', 'Role', 'To', 'Result', 'Messages'];
      rows = data.assignments.map((a) => {
        const was = planned.get(a.patient_id);
        const wasText = !was ? 'not in the preview'
          : was.status === 'failed' ? `failed: ${(was.errors || []).join(' ')}` : `${name(was.user_id)}`;
        const same = was && (was.status === 'failed') === (a.status === 'failed') && was.user_id === a.user_id;
        return {
          id: a.patient_id, changed: run && !same, preview: run ? wasText : null,
          cells: [ROLE_SHORT[a.role], h('span', {}, a.user_id ? name(a.user_id) : '—',
            a.continuity ? [' ', h('span', { class: 'badge planned' }, 'previous holder')] : null)],
          status: a.status, label: a.status, errors: a.errors || [],
        };
      });
    }
    const scale = scaleOf(loads.flatMap((l) => [l.before, l.after]));
    const changed = rows.filter((r) => r.changed).length;
    const ok = rows.filter((r) => r.status !== 'failed').length;
    const title = dry
      ? `Preview (dry run, nothing changed yet): ${ok} ${p.kind === 'bulk' ? 'would succeed' : 'planned'}, ${rows.length - ok} ${p.kind === 'bulk' ? 'would fail' : 'failed'}`
      : `Done: ${ok} ${p.kind === 'bulk' ? 'assigned' : 'auto-assigned'}, ${rows.length - ok} failed`;
    return h('div', { class: 'transfer-report', id: dry ? 'queue-preview' : 'queue-done', 'data-kind': p.kind },
      h('h3', { tabindex: '-1' }, title),
      changed ? h('p', { class: 'errors', id: 'queue-changed' },
        `${plural(changed, 'row', 'rows')} turned out otherwise than the preview said: someone changed ${changed === 1 ? 'it' : 'them'} meanwhile. Each says what happened below.`) : null,
      confirm ? h('div', { class: 'row' }, confirm) : null,
      legend(),
      table(dry ? 'Load before and after' : 'Load before (at the preview) and after', ['Person', 'Before', 'After'],
        loads.map((l) => h('tr', { 'data-user-id': l.user_id },
          h('th', { scope: 'row' }, h('a', { href: `#/person/${l.user_id}` }, name(l.user_id))),
          h('td', {}, loadBar(l.before, scale, `${name(l.user_id)} before`)),
          h('td', {}, loadBar(l.after, scale, `${name(l.user_id)} after`))))),
      table(dry ? 'Each patient' : 'What happened to each patient', run ? [...head, 'The preview said'] : head,
        rows.map((r) => h('tr', { 'data-patient-id': r.id, 'data-status': r.status, 'data-changed': r.changed ? 'true' : null },
          h('td', {}, h('a', { href: `#/patient/${r.id}` }, pname.get(r.id) || String(r.id))),
          r.cells.map((c) => h('td', {}, c)),
          h('td', {}, h('span', { class: `badge ${r.status}` }, r.label),
            r.changed ? [' ', h('span', { class: 'badge full' }, 'changed since the preview')] : null),
          h('td', {}, r.errors.join(' ')),
          run ? h('td', {}, r.preview) : null))));
  }

  const el = h('section', { 'aria-labelledby': 'actions-h', id: 'queue-actions' },
    h('h2', { id: 'actions-h' }, 'Assign the selected patients'), count,
    h('div', { class: 'team' }, bulkForm, autoForm), slot, result);

  return {
    el,
    selectionChanged() {
      const rows = selected();
      count.textContent = rows.length === 0 ? 'No patient selected: select them in the list above, or all that match.'
        : `${plural(rows.length, 'patient', 'patients')} selected.`;
      const shown = plan || asking;
      if (shown && shown.sig !== rowsSig(rows)) drop();
    },
    people(eligible, inactive) {
      byId = new Map([...inactive, ...eligible].map((p) => [p.id, p]));
      const keep = person.value;
      person.replaceChildren(h('option', { value: '' }, 'Choose a person'), ...eligible.map((p) => h('option', { value: p.id },
        `${personLabel(p)}: ${p.olcm_assignments_count} oLCM, ${p.ilcm_assignments_count} iLCM`)));
      person.value = keep;
      person.disabled = false;
      takersBox.replaceChildren(...eligible.map((p) => checkbox(personLabel(p), { id: `auto-taker-${p.id}`, value: p.id }).wrap));
    },
    peopleFailed(err) {
      person.replaceChildren(h('option', { value: '' }, 'The people could not be read'));
      showErrors(slot, err);
    },
  };
}
