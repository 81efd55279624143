// A patient: look up by id; the care team (oLCM and iLCM, since when, who is
// inactive); assign, change or remove each role with a reason, guarded by
// the care team's ETag (If-Match: a change someone made meanwhile is a 412
// that offers to reload); the patient's facts as an ECM member (the plan's
// MIF: member id, CIN, acuity, the authorization's dates and its state on
// the clinic's day); the change history and the access log.
import { api, query } from './api.js';
import { h, field, checkbox, messageSlot, showErrors, showNotice, clear, fmtTime, table, pager, ROLE_NAMES, ROLE_SHORT } from './dom.js';
import { reasonFields } from './reason.js';
import { allPeople, personLabel } from './people.js';
import { memberFacts } from './member.js';

let pendingNotice = null; // what the last write did, shown once the view is drawn again
const SOURCE = { assign: 'assigned', update: 'changed', remove: 'removed', bulk: 'bulk', transfer: 'transfer' };

export async function patientView(root, [rawId], ctx) {
  const id = rawId ? decodeURIComponent(rawId) : '';
  const input = h('input', { type: 'text', id: 'patient-id', name: 'patient_id', inputmode: 'numeric', autocomplete: 'off', value: id });
  const lookup = h('form', { role: 'search', 'aria-label': 'Look up a patient' },
    h('div', { class: 'row' }, field('Patient id', input), h('button', { type: 'submit' }, 'Look up')));
  lookup.addEventListener('submit', (e) => {
    e.preventDefault();
    ctx.go('#/patient/' + encodeURIComponent(input.value.trim()));
  });
  const top = messageSlot();
  const body = h('div', {});
  root.replaceChildren(h('h1', {}, 'Patient'), lookup, top, body);
  if (pendingNotice) {
    showNotice(top, pendingNotice);
    pendingNotice = null;
  }
  if (!id) return;

  const path = `/patients/${encodeURIComponent(id)}`;
  let team, etag, people;
  try {
    const [t, p] = await Promise.all([api('GET', path + '/lead_care_managers'), allPeople()]);
    team = t.data;
    etag = t.etag;
    people = p;
  } catch (err) {
    if (ctx.current()) showErrors(top, err);
    return;
  }
  if (!ctx.current()) return;
  ctx.title(`${team.patient_name} (patient ${team.patient_id})`);
  const reload = () => ctx.go(`#/patient/${team.patient_id}`);
  const cl = team.case_load;
  const history = h('section', { 'aria-labelledby': 'history-h' }, h('h2', { id: 'history-h' }, 'Change history'));
  const access = h('section', { 'aria-labelledby': 'access-h' }, h('h2', { id: 'access-h' }, 'Access log'));
  body.replaceChildren(
    h('h2', { id: 'team-h' }, `${team.patient_name} (patient ${team.patient_id})`),
    h('p', { class: 'muted' }, cl
      ? `Provider: ${cl.provider_name ? `${cl.provider_name} (${cl.provider_id})` : 'none'}. Care team version ${etag}.`
      : 'No case load yet: the first assignment makes one.'),
    h('div', { class: 'team' }, ['olcm', 'ilcm'].map((role) => roleForm(role, team, etag, people, reload, ctx))),
    memberSection(team.ecm_eligibility_information),
    history, access);
  await Promise.all([
    paged(history, (page) => api('GET', `${path}/lead_care_managers/history` + query({ page, per_page: 10 })), historyTable, 'history entries', ctx),
    paged(access, (page) => api('GET', `${path}/access_log` + query({ page, per_page: 10 })), accessTable, 'accesses', ctx),
  ]);
}

/* The patient's facts as an ECM member, as the care team's ecm_eligibility_information says them. */
function memberSection(e) {
  return h('section', { 'aria-labelledby': 'member-h' }, h('h2', { id: 'member-h' }, 'ECM member'),
    e ? h('dl', { class: 'facts' }, memberFacts(e).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]))
      : h('p', { class: 'muted' }, 'Not an ECM member: no Member Information File has named this patient.'));
}

function roleForm(role, team, etag, people, reload, ctx) {
  const member = team.case_load ? team.case_load[role] : null;
  const short = ROLE_SHORT[role];
  const select = h('select', { id: `${role}-user`, name: `${role}_user_id` },
    h('option', { value: '' }, 'Choose a person'),
    people.map((p) => {
      const n = p[`${role}_assignments_count`];
      const max = p[`max_${role}`];
      const full = p.at_capacity[role] ? ', full' : '';
      return h('option', { value: p.id, selected: member && member.user_id === p.id },
        `${personLabel(p)}: ${n}${max === null ? '' : ' of ' + max} ${short}${full}`);
    }));
  const reason = reasonFields();
  const override = checkbox('Override the caseload limit (needs a reason)', { id: `${role}-override` });
  const slot = messageSlot();
  const assign = h('button', { type: 'submit' }, member ? `Change ${short}` : `Assign ${short}`);
  const remove = member ? h('button', { type: 'button', class: 'danger' }, `Remove ${short}`) : null;
  const form = h('form', { 'aria-labelledby': `${role}-h` },
    h('div', { class: 'row' }, field(`New ${short}`, select)),
    reason.el, override.wrap,
    h('div', { class: 'row' }, assign, remove), slot);

  const send = async (method, body, done) => {
    for (const b of [assign, remove]) if (b) b.disabled = true;
    clear(slot);
    try {
      await api(method, '/lead_care_managers/assign', { body, headers: { 'If-Match': etag } });
      // Answered after the admin went elsewhere: they stay there, and no later page says it.
      if (!ctx.current()) return;
      pendingNotice = done;
      reload();
    } catch (err) {
      if (!ctx.current()) return;
      if (err.status === 412) {
        showErrors(slot, err,
          h('p', {}, 'Someone changed this care team after this page read it. Reload it to see the change, then decide again.'),
          h('button', { type: 'button', class: 'secondary', onclick: reload }, 'Reload the care team'));
      } else {
        showErrors(slot, err);
      }
      for (const b of [assign, remove]) if (b) b.disabled = false;
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const body = { patient_id: team.patient_id };
    if (select.value) body[`${role}_user_id`] = Number(select.value);
    const r = reason.value();
    if (r !== undefined) body.reason = r;
    if (override.box.checked) body.override_capacity = true;
    const who = people.find((p) => String(p.id) === select.value);
    send('POST', body, `${short} set to ${who ? personLabel(who) : select.value}.`);
  });
  if (remove) {
    remove.addEventListener('click', () => {
      const body = { patient_id: team.patient_id, role };
      const r = reason.value();
      if (r !== undefined) body.reason = r;
      send('DELETE', body, `${short} ${personLabel({ name: member.name, id: member.user_id })} removed.`);
    });
  }
  return h('section', { class: 'role', 'aria-labelledby': `${role}-h`, 'data-role': role },
    h('h3', { id: `${role}-h` }, ROLE_NAMES[role]),
    h('p', { class: 'holder', id: `${role}-holder` }, member
      ? [h('a', { href: `#/person/${member.user_id}` }, personLabel({ name: member.name, id: member.user_id })),
        member.active === false ? [' ', h('span', { class: 'badge inactive' }, 'inactive')] : null,
        h('br'), h('span', { class: 'muted' }, `assigned ${fmtTime(member.assigned_at)}`)]
      : h('span', { class: 'muted' }, 'No one')),
    form);
}

/* A section's paginated table: fetch(page) -> {data}; draw(data) -> node. */
async function paged(section, fetchPage, draw, noun, ctx) {
  const holder = h('div', {});
  const slot = messageSlot();
  section.append(slot, holder);
  const show = async (page) => {
    try {
      const { data } = await fetchPage(page);
      if (!ctx.current()) return;
      clear(slot);
      holder.replaceChildren(draw(data), pager(data.pagination, show, noun, `${noun} pages`));
    } catch (err) {
      if (ctx.current()) showErrors(slot, err);
    }
  };
  await show(1);
}

function reasonText(r) {
  if (!r) return '';
  return [r.code ? r.code.replace(/_/g, ' ') : null, r.note].filter(Boolean).join(': ');
}

function historyTable(data) {
  return table(null, ['Role', 'Person', 'Started', 'Ended', 'By', 'Reason', 'How'],
    data.history.map((e) => h('tr', {},
      h('td', {}, ROLE_SHORT[e.role]),
      h('td', {}, h('a', { href: `#/person/${e.user.id}` }, personLabel(e.user))),
      h('td', {}, fmtTime(e.started_at)),
      h('td', {}, e.ended_at ? fmtTime(e.ended_at) : 'current'),
      h('td', {}, e.started_by.name, e.ended_by ? ` (ended by ${e.ended_by.name})` : ''),
      h('td', {}, reasonText(e.reason)),
      h('td', {}, SOURCE[e.source] || e.source, e.capacity_override ? [' ', h('span', { class: 'badge full' }, 'over limit')] : null))));
}

function accessTable(data) {
  return table(null, ['When', 'Who', 'What', 'Request id'],
    data.access_log.map((e) => h('tr', {},
      h('td', {}, fmtTime(e.at)),
      h('td', {}, personLabel(e.actor)),
      h('td', {}, e.action.replace(/_/g, ' ')),
      h('td', {}, h('code', {}, e.request_id)))));
}
