// The export: every assignment as CSV (GET .../assignments.csv), now or as
// of a past day, saved under the name the API gives it (Content-Disposition).
// The file is read whole before it is offered, and offered only when it ends
// with the API's end line ("#end,N"): one cut short is an error, never a
// file that looks whole.
import { download, query } from './api.js';
import { h, field, messageSlot, showErrors, showNotice, clear } from './dom.js';

const PATH = '/lead_care_managers/assignments.csv';

export function exportSection(ctx) {
  const asOf = h('input', { type: 'date', id: 'export-as-of', name: 'as_of' });
  const role = h('select', { id: 'export-role', name: 'role' },
    h('option', { value: '' }, 'Both roles'),
    h('option', { value: 'olcm' }, 'oLCM only'),
    h('option', { value: 'ilcm' }, 'iLCM only'));
  const button = h('button', { type: 'submit', id: 'export-download' }, 'Download assignments.csv');
  const slot = messageSlot();
  const form = h('form', { 'aria-labelledby': 'export-h' },
    h('div', { class: 'row' },
      field('As of (optional)', asOf, 'Empty: now. A past day: who held each patient at the end of that day (UTC).'),
      field('Which', role), button), slot);
  let url = null; // the last file's object URL, kept until the next one

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(slot);
    button.disabled = true;
    try {
      const file = await download(PATH + query({ as_of: asOf.value, role: role.value }));
      if (!ctx.current()) return;
      const end = /(?:^|\r?\n)#end,(\d+)\r?\n?$/.exec(file.text);
      if (!end) {
        showErrors(slot, { messages: ['The export was cut short: it lacks its end line, so it is not whole. Nothing was saved; download it again.'] });
        return;
      }
      if (url) URL.revokeObjectURL(url);
      url = URL.createObjectURL(new Blob([file.text], { type: file.type }));
      const name = file.filename || 'assignments.csv';
      const a = h('a', { href: url, download: name, id: 'export-file' }, `Save ${name} again`);
      a.click();
      showNotice(slot, `Downloaded ${name}: ${end[1]} ${end[1] === '1' ? 'row' : 'rows'}.`);
      slot.append(h('p', {}, a));
    } catch (err) {
      if (ctx.current()) showErrors(slot, err);
    } finally {
      button.disabled = false;
    }
  });
  return h('section', { 'aria-labelledby': 'export-h', id: 'queue-export' },
    h('h2', { id: 'export-h' }, 'Export the assignments'), form);
}
