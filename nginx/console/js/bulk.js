// Bulk: a CSV (patient_id,olcm_user_id,ilcm_user_id,reason) pasted or
// uploaded; its dry run's per-row results; then the real run in batches of
// up to 1000 with a progress bar. Failed rows become editable in place and
// "Resend failed rows" sends only those.
import { api } from './api.js';
import { h, field, messageSlot, showErrors, showNotice, clear, table } from './dom.js';
import { parseBulkCsv, itemOf, batches, BULK_COLUMNS, BATCH_SIZE } from './csv.js';

const CELLS = ['patient_id', 'olcm_user_id', 'ilcm_user_id', 'reason'];

export async function bulkView(root, _params, ctx) {
  const file = h('input', { type: 'file', id: 'bulk-file', accept: '.csv,text/csv' });
  const text = h('textarea', { id: 'bulk-csv', class: 'csv', spellcheck: 'false', wrap: 'off', placeholder: BULK_COLUMNS.join(',') });
  const previewButton = h('button', { type: 'button', class: 'secondary', id: 'bulk-preview' }, 'Preview (dry run)');
  const sendButton = h('button', { type: 'submit', id: 'bulk-send' }, 'Send');
  const slot = messageSlot();
  const progress = h('progress', { id: 'bulk-progress', max: 1, value: 0 });
  const progressText = h('span', { id: 'bulk-progress-text', role: 'status' });
  const progressBox = h('div', { class: 'field', hidden: true }, h('label', { for: 'bulk-progress' }, 'Progress'), progress, progressText);
  const summary = h('div', { id: 'bulk-summary' });
  const runError = messageSlot(); // a request that failed as a whole
  runError.id = 'bulk-run-error';
  const results = h('div', { id: 'bulk-results' });
  const resendButton = h('button', { type: 'button', id: 'bulk-resend', hidden: true }, 'Resend failed rows');
  const form = h('form', { 'aria-label': 'Bulk assignment CSV' },
    field('Upload a CSV file', file),
    field('CSV', text, `First line: ${BULK_COLUMNS.join(',')}. Empty cell: leave that role alone. Reason: a note, a code (workload_balance) or a code and a note (workload_balance: evening shift). Sent ${BATCH_SIZE} rows per request.`),
    h('div', { class: 'row' }, previewButton, sendButton), slot);
  root.replaceChildren(h('h1', {}, 'Bulk assign'), form, progressBox, summary, runError, results, resendButton);

  let rows = [];
  let busy = false;
  let sentText = null; // the CSV as last sent for real: sending it again needs a change

  file.addEventListener('change', async () => {
    clear(slot);
    const f = file.files && file.files[0];
    if (!f) return;
    try {
      text.value = await f.text();
      text.dispatchEvent(new Event('input'));
      showNotice(slot, `Read ${f.name}.`);
    } catch (err) {
      showErrors(slot, { messages: [`${f.name} could not be read: ${err.message}`] });
    }
  });
  text.addEventListener('input', () => {
    sendButton.disabled = busy;
  });

  const parse = () => {
    clear(slot);
    try {
      return parseBulkCsv(text.value).map((r) => ({ ...r, status: 'pending', errors: [] }));
    } catch (err) {
      showErrors(slot, err);
      return null;
    }
  };

  // Sends rows (all or the failed ones) in batches; each row takes its result.
  const run = async (list, dryRun) => {
    busy = true;
    for (const b of [previewButton, sendButton, resendButton]) b.disabled = true;
    clear(summary);
    clear(runError);
    const parts = batches(list);
    progressBox.hidden = false;
    progress.max = list.length;
    progress.value = 0;
    let done = 0;
    const say = () => {
      progressText.textContent = `${dryRun ? 'Checked' : 'Sent'} ${done} of ${list.length} rows (${parts.length} ${parts.length === 1 ? 'request' : 'requests'} of up to ${BATCH_SIZE}).`;
    };
    say();
    let stopped = null;
    for (const part of parts) {
      if (stopped) {
        for (const r of part) Object.assign(r, { status: 'failed', errors: ['Not sent: an earlier request failed. Resend it.'] });
        continue;
      }
      try {
        const { data } = await api('POST', '/lead_care_managers/bulk_assign', {
          body: { assignments: part.map(itemOf), ...(dryRun ? { dry_run: true } : {}) },
        });
        part.forEach((r, i) => {
          const res = data.results[i];
          r.status = res && res.status === 'success' ? 'success' : 'failed';
          r.errors = res && res.errors ? res.errors : (r.status === 'failed' ? ['The API gave no result for this row.'] : []);
        });
      } catch (err) {
        stopped = err;
        for (const r of part) Object.assign(r, { status: 'failed', errors: ['Not sent: ' + err.messages.join(' ')] });
      }
      done += part.length;
      progress.value = done;
      say();
      if (!ctx.current()) return;
    }
    busy = false;
    previewButton.disabled = false;
    sendButton.disabled = !dryRun && text.value === sentText;
    draw(dryRun);
    if (stopped) showErrors(runError, stopped);
  };

  const draw = (dryRun) => {
    const failed = rows.filter((r) => r.status === 'failed');
    const ok = rows.filter((r) => r.status === 'success');
    summary.append(h('p', { id: 'bulk-counts', role: 'status' }, dryRun
      ? `Dry run: ${ok.length} would succeed, ${failed.length} would fail. Nothing was changed.`
      : `${ok.length} succeeded, ${failed.length} failed.`));
    const editable = !dryRun;
    results.replaceChildren(table(dryRun ? 'Dry run, row by row' : 'Results, row by row',
      ['Line', 'patient_id', 'olcm_user_id', 'ilcm_user_id', 'reason', 'Result', 'Messages'],
      rows.map((r) => h('tr', { 'data-line': r.line, 'data-status': r.status },
        h('td', { class: 'num' }, String(r.line)),
        CELLS.map((c) => h('td', {}, editable && r.status === 'failed'
          ? (r.inputs = r.inputs || {}, r.inputs[c] = h('input', {
            type: 'text', value: r[c], class: c === 'reason' ? 'reason' : null, 'aria-label': `Line ${r.line} ${c}`,
          }))
          : r[c])),
        h('td', {}, h('span', { class: `badge ${r.status}` }, dryRun ? (r.status === 'success' ? 'would succeed' : 'would fail') : r.status)),
        h('td', {}, r.errors.join(' '))))));
    resendButton.hidden = dryRun || failed.length === 0;
    resendButton.disabled = false;
    resendButton.textContent = `Resend failed rows (${failed.length})`;
  };

  previewButton.addEventListener('click', async () => {
    const parsed = parse();
    if (!parsed) return;
    rows = parsed;
    await run(rows, true);
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const parsed = parse();
    if (!parsed) return;
    rows = parsed;
    sentText = text.value;
    await run(rows, false);
  });
  resendButton.addEventListener('click', async () => {
    const failed = rows.filter((r) => r.status === 'failed');
    for (const r of failed) {
      for (const c of CELLS) if (r.inputs && r.inputs[c]) r[c] = r.inputs[c].value.trim();
      r.inputs = null;
    }
    await run(failed, false);
    const first = results.querySelector('tr[data-status="failed"] input');
    if (first) first.focus();
  });
}
