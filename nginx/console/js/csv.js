// The bulk CSV: patient_id,olcm_user_id,ilcm_user_id,reason. No DOM here, so
// node can test it.

export const BULK_COLUMNS = ['patient_id', 'olcm_user_id', 'ilcm_user_id', 'reason'];
export const BATCH_SIZE = 1000; // the API's limit per bulk_assign request
const CODES = new Set(['member_request', 'provider_request', 'staffing_change', 'workload_balance',
  'acuity_change', 'initial_assignment', 'other', 'authorization_ended']);

/*
 * RFC 4180 records of text (quoted fields may hold commas, quotes doubled,
 * line breaks; CRLF or LF). Throws Error on an unterminated quote.
 */
export function parseRecords(text) {
  const records = [];
  let rec = [];
  let f = '';
  let i = 0;
  let quoted = false;
  let line = 1;
  let startLine = 1;
  let any = false;
  const endField = () => { rec.push(f); f = ''; };
  const endRecord = () => {
    endField();
    if (!(rec.length === 1 && rec[0] === '' && !any)) records.push({ line: startLine, fields: rec });
    rec = [];
    any = false;
    startLine = line;
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { f += '"'; i += 2; continue; }
        quoted = false;
        i += 1;
        continue;
      }
      if (c === '\n') line += 1;
      f += c;
      i += 1;
      continue;
    }
    if (c === '"' && f === '') { quoted = true; any = true; i += 1; continue; }
    if (c === ',') { endField(); any = true; i += 1; continue; }
    if (c === '\r' && text[i + 1] === '\n') { i += 1; continue; }
    if (c === '\n') { line += 1; endRecord(); i += 1; continue; }
    f += c;
    any = true;
    i += 1;
  }
  if (quoted) throw new Error(`Line ${startLine}: a quoted field is not closed`);
  if (f !== '' || rec.length || any) endRecord();
  return records;
}

/*
 * The rows of a bulk CSV: [{line, patient_id, olcm_user_id, ilcm_user_id,
 * reason}] (cells as text, trimmed). The header names the columns, in any
 * order; reason may be left out. Throws Error naming what is wrong with the
 * file itself; the values are the API's to judge.
 */
export function parseBulkCsv(text) {
  const records = parseRecords(text.replace(/^\uFEFF/, ''));
  if (records.length === 0) throw new Error('The CSV is empty: its first line must be the header ' + BULK_COLUMNS.join(','));
  const header = records[0].fields.map((s) => s.trim().toLowerCase());
  const unknown = header.filter((n) => !BULK_COLUMNS.includes(n));
  if (unknown.length || !header.includes('patient_id') || new Set(header).size !== header.length) {
    throw new Error(`The first line must be the header ${BULK_COLUMNS.join(',')} (reason may be left out); it is: ${records[0].fields.join(',')}`);
  }
  const rows = [];
  for (const r of records.slice(1)) {
    if (r.fields.every((s) => s.trim() === '')) continue;
    if (r.fields.length > header.length) {
      throw new Error(`Line ${r.line}: ${r.fields.length} fields, the header has ${header.length}`);
    }
    const row = { line: r.line, patient_id: '', olcm_user_id: '', ilcm_user_id: '', reason: '' };
    header.forEach((name, k) => { row[name] = (r.fields[k] ?? '').trim(); });
    rows.push(row);
  }
  if (rows.length === 0) throw new Error('The CSV has a header and no rows');
  return rows;
}

/* An id cell as the API should see it: digits are a number, empty is absent, anything else is sent as is for the API to refuse. */
function idValue(cell) {
  if (cell === '') return undefined;
  if (/^[0-9]+$/.test(cell)) {
    const n = Number(cell);
    return Number.isSafeInteger(n) ? n : cell;
  }
  return cell;
}

/* A reason cell: a code ("workload_balance"), a code and a note ("workload_balance: rebalanced"), or a note. */
export function reasonValue(cell) {
  if (cell === '') return undefined;
  const m = /^([a-z_]+)\s*(?::\s*(.*))?$/s.exec(cell);
  if (m && CODES.has(m[1])) return { code: m[1], note: m[2] ? m[2] : null };
  return cell;
}

/* A row's bulk_assign item. */
export function itemOf(row) {
  const item = {};
  for (const k of ['patient_id', 'olcm_user_id', 'ilcm_user_id']) {
    const v = idValue(row[k]);
    if (v !== undefined) item[k] = v;
  }
  const reason = reasonValue(row.reason);
  if (reason !== undefined) item.reason = reason;
  return item;
}

/* list cut into arrays of at most size. */
export function batches(list, size = BATCH_SIZE) {
  const out = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}
