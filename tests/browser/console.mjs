// End-to-end tests of the admin console (nginx/console/) in headless
// chromium against the real stack that tests/browser/run.sh started.
// Environment: BASE (the stack's URL), HVAR (its directory), DB_SOCK,
// CHROMIUM (the browser binary), SHOTS (where screenshots go).
// Each test starts from the demo data and a fresh browser context (so an
// empty sessionStorage). A failing test says what it expected, the page it
// was on, and leaves a screenshot failed-NAME.png in SHOTS.
import { chromium } from 'playwright-core';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRecords, parseBulkCsv, itemOf, batches } from '../../nginx/console/js/csv.js';
import { queueTests } from './queue.mjs';
import { demoTests } from './demo.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { BASE, HVAR, SHOTS } = process.env;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const API = '/v1/admin/clinic/ecm';
const ADMIN = 'dev-admin-token';
const TOKEN_KEY = 'lcm-console-token';
const only = process.argv[2] || '';
const saved = []; // the screenshots this run took
// How long a test waits for what it needs before it fails. It is a bound,
// not a guess at how long things take (a test goes on the moment its event
// comes), so it is generous: CI shares 2 cores with other jobs, and
// BROWSER_SLOW slows the page on purpose. LONG: for a thousand rows.
// BROWSER_WAIT_MS sets WAIT.
const WAIT = Number(process.env.BROWSER_WAIT_MS) || 20000;
const LONG = 3 * WAIT;

// ---- helpers ---------------------------------------------------------------

class Failure extends Error {}
function check(cond, what) {
  if (!cond) throw new Failure(what);
}
function eq(what, expected, actual) {
  const e = JSON.stringify(expected);
  const a = JSON.stringify(actual);
  if (e !== a) throw new Failure(`${what}: expected ${e}, got ${a}`);
}
/* Poll fn until it returns a truthy value (returned), or fail saying what was awaited and what fn last gave. */
async function eventually(what, fn, timeout = WAIT) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e.message;
    }
    if (Date.now() > end) throw new Failure(`${what} (waited ${timeout} ms; last saw ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/* The API itself, for setting up and for checking what the console did. */
async function call(method, path, body) {
  const res = await fetch(BASE + API + path, {
    method,
    headers: { 'X-User-Token': ADMIN, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json();
  if (!res.ok) throw new Error(`setup ${method} ${path} answered ${res.status}: ${JSON.stringify(data)}`);
  return data;
}
const assign = (body) => call('POST', '/lead_care_managers/assign', body);
const capacity = (id, body) => call('PUT', `/lead_care_managers/${id}/capacity`, body);
const team = async (id) => (await call('GET', `/patients/${id}/lead_care_managers`)).case_load;

function dbReset() {
  const r = spawnSync('bash', ['-c', '. tests/lib/harness.sh && db_reset'], { cwd: ROOT, env: process.env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error('db_reset failed: ' + r.stderr);
}
function dbSql(sql) {
  const r = spawnSync('bash', ['-c', '. tests/lib/harness.sh && db_sql "$1"', 'x', sql], { cwd: ROOT, env: process.env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error('db_sql failed: ' + r.stderr);
  return r.stdout;
}
function dbCount(sql) {
  const r = spawnSync('bash', ['-c', '. tests/lib/harness.sh && db_sql "$1"', 'x', sql], { cwd: ROOT, env: process.env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error('db_sql failed: ' + r.stderr);
  return Number(r.stdout.trim());
}

/* Signed in as the admin, on the list. (The sign-in form itself is the first test's.) */
async function signIn(page) {
  await page.addInitScript(([k, t]) => {
    if (!sessionStorage.getItem('signed-in-once')) {
      sessionStorage.setItem('signed-in-once', '1');
      sessionStorage.setItem(k, t);
    }
  }, [TOKEN_KEY, ADMIN]);
  await page.goto(BASE + '/console/#/list');
  await page.getByRole('heading', { level: 1, name: 'Lead Care Managers' }).waitFor();
  await page.locator('#lcm-results table').waitFor();
}
async function open(page, hash, heading) {
  await page.goto(BASE + '/console/' + hash);
  if (heading) await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}
const alertText = (scope) => scope.locator('[role="alert"]').first().innerText();
async function listNames(page) {
  return page.locator('#lcm-results tbody th a').allInnerTexts();
}
const readStorage = (page) => page.evaluate((k) => sessionStorage.getItem(k), TOKEN_KEY);

/*
 * The API answers the console has read, counted in the page (an init script:
 * call it before the page opens). The console reads an answer's text, then
 * draws (or, its view gone, draws nothing) in one run of promise jobs, with
 * no task between: once answersTo(page, re) has grown, what the console does
 * with that answer is done.
 */
async function countAnswers(page) {
  await page.addInitScript(() => {
    window.__answers = [];
    const text = Response.prototype.text;
    Response.prototype.text = async function () {
      const body = await text.call(this);
      window.__answers.push(this.url);
      return body;
    };
  });
}
const answersTo = (page, re) => page.evaluate((src) => window.__answers.filter((u) => new RegExp(src).test(u)).length, re.source);

/*
 * Holds the next request whose URL passes match (a URL -> boolean) until
 * release(): a slow answer, on cue. {held: resolves once it is held, release}.
 */
async function holdNext(page, match) {
  let armed = true;
  let gotIt;
  let release;
  const held = new Promise((r) => { gotIt = r; });
  const go = new Promise((r) => { release = r; });
  await page.route(match, async (route) => {
    if (!armed) return route.fallback();
    armed = false;
    gotIt();
    await go;
    return route.fallback();
  });
  return { held, release };
}

// ---- the tests -------------------------------------------------------------

const tests = [];
const test = (name, fn, opts = {}) => tests.push({ name, fn, opts });

test('sign_in_by_keyboard_401_and_sign_out', async (page, seen) => {
  await page.goto(BASE + '/console/');
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  eq('focus starts in the token field', 'token', await page.evaluate(() => document.activeElement.id));
  await page.keyboard.type('not-a-token');
  await page.keyboard.press('Enter');
  eq('an unknown token is refused with the API\'s message', 'Authentication required', await eventually('an alert', () => alertText(page)));
  eq('a refused token is not kept', null, await readStorage(page));
  await page.getByLabel('API token').fill('dev-user-token');
  await page.keyboard.press('Enter');
  await eventually('the non-admin message', async () => (await alertText(page)) === 'Admin access required');
  eq('a non-admin\'s token is not kept', null, await readStorage(page));
  await page.getByLabel('API token').fill(ADMIN);
  await page.keyboard.press('Enter');
  // The console opens on the patients' queue.
  await page.locator('#queue-results table').waitFor();
  eq('signed in, on the queue', ['Patients', '#/patients'],
    [await page.locator('h1').innerText(), new URL(page.url()).hash]);
  eq('the token is in sessionStorage', ADMIN, await readStorage(page));
  await page.reload();
  await page.locator('#queue-results table').waitFor();
  // The queue asks for the people after its list: once they are there, no request is under way,
  // and the patient's look-up below is the first to carry the dead token.
  await page.locator('#bulk-person option[value="102"]').waitFor({ state: 'attached' });
  // The token stops working (revoked, expired): the next request sends the console back to sign-in with the message.
  await page.evaluate((k) => sessionStorage.setItem(k, 'revoked-token'), TOKEN_KEY);
  await page.getByRole('link', { name: 'Patient', exact: true }).click();
  await page.getByLabel('Patient id').fill('123');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  eq('a 401 says why on the sign-in page', 'Authentication required', await alertText(page));
  eq('a 401 forgets the token', null, await readStorage(page));
  await page.getByLabel('API token').fill(ADMIN);
  await page.keyboard.press('Enter');
  await page.locator('#queue-results table').waitFor();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  eq('signing out says so', 'Signed out.', await page.locator('.notice').innerText());
  eq('signing out clears the token', null, await readStorage(page));
  check(!seen.urls.some((u) => u.includes(ADMIN) || u.includes('revoked-token')), 'a token appeared in a URL: ' + seen.urls.find((u) => u.includes('token')));
  const log = readFileSync(join(HVAR, 'log', 'nginx-access.log'), 'utf8');
  check(log.includes('/console/') && !log.includes(ADMIN), 'nginx\'s access log has the console\'s requests and no token');
});

test('list_search_sort_by_workload_available_and_bars', async (page) => {
  await assign({ patient_id: 123, olcm_user_id: 101, ilcm_user_id: 102 });
  await assign({ patient_id: 124, olcm_user_id: 101 });
  await assign({ patient_id: 125, olcm_user_id: 101, ilcm_user_id: 103 });
  await capacity(101, { max_olcm: 2, max_ilcm: 0 }); // a limit lowered below what she holds: over-full
  await capacity(102, { max_olcm: 5, max_ilcm: 5 });
  await signIn(page);
  eq('by name', ['Bob Manager', 'Carla Intensive', 'Jane Coordinator', 'Nora Nurse'], await listNames(page));
  await page.getByLabel('Sort by').selectOption('workload');
  await eventually('the list by workload', async () => (await listNames(page))[0] === 'Nora Nurse');
  eq('by workload, fewest patients first', ['Nora Nurse', 'Bob Manager', 'Carla Intensive', 'Jane Coordinator'], await listNames(page));
  check(page.url().includes('sort=workload'), 'the sort is in the URL: ' + page.url());
  const jane = page.locator('#lcm-results tr[data-user-id="101"]');
  eq('Jane\'s bar: 3 oLCM, 0 iLCM', ['3', '0'], [await jane.locator('.bar').getAttribute('data-olcm'), await jane.locator('.bar').getAttribute('data-ilcm')]);
  eq('Jane is full in both roles', 'oLCM full iLCM full', (await jane.locator('.badge').allInnerTexts()).join(' '));
  eq('Jane\'s bar: 2 oLCM within her limit, 1 above it, no room', ['olcm', 'olcm over'],
    await jane.locator('.bar span').evaluateAll((spans) => spans.map((x) => x.className)));
  eq('Jane\'s load as text', 'oLCM 3/2 · iLCM 0/0', await jane.locator('.load-text').innerText());
  const bob = page.locator('#lcm-results tr[data-user-id="102"] .bar');
  eq('Bob\'s bar: no oLCM and room for 5, then 1 iLCM and room for 4', ['olcm-room', 'ilcm', 'ilcm-room'],
    await bob.locator('span').evaluateAll((spans) => spans.map((x) => x.className)));
  await page.screenshot({ path: join(SHOTS, 'list.png'), fullPage: true });
  saved.push(join(SHOTS, 'list.png'));
  await page.getByLabel('Search by name').fill('bob');
  await page.keyboard.press('Enter');
  await eventually('the search', async () => (await listNames(page)).join() === 'Bob Manager');
  await page.getByLabel('Search by name').fill('');
  await page.getByLabel('Available only (below their limit)').check();
  await eventually('available only', async () => (await listNames(page)).length === 3);
  eq('Jane (full) is not available', ['Nora Nurse', 'Bob Manager', 'Carla Intensive'], await listNames(page));
  await page.getByLabel('Available only (below their limit)').uncheck();
  await page.getByLabel('Role').selectOption('ilcm');
  await eventually('role ilcm', async () => (await listNames(page)).length === 2);
  eq('holding an iLCM assignment', ['Bob Manager', 'Carla Intensive'], await listNames(page));
  await page.goBack();
  await eventually('back goes to the previous filter', async () => (await listNames(page)).length === 4);
  // 26 more people: two pages of 25.
  dbSql(`INSERT INTO users (id, name, email, active) SELECT 1000 + seq, CONCAT('Zed ', LPAD(seq, 2, '0')), CONCAT('zed', seq, '@example.test'), 1 FROM seq_1_to_26;
    INSERT INTO user_roles (user_id, role_id) SELECT 1000 + seq, 2 FROM seq_1_to_26`);
  await page.getByLabel('Role').selectOption('');
  await eventually('the first page', async () => (await page.locator('#lcm-status').innerText()) === '30 people, page 1 of 2.');
  eq('25 on a page', 25, (await listNames(page)).length);
  await page.getByRole('button', { name: 'Next page' }).click();
  await eventually('the second page', async () => (await page.locator('#lcm-status').innerText()) === '30 people, page 2 of 2.');
  eq('the rest, by workload then name', ['Zed 25', 'Zed 26', 'Bob Manager', 'Carla Intensive', 'Jane Coordinator'], await listNames(page));
  check(page.url().includes('page=2'), 'the page is in the URL: ' + page.url());
});

test('assign_change_and_remove_with_a_reason', async (page) => {
  await signIn(page);
  await page.getByRole('link', { name: 'Patient', exact: true }).click();
  await page.getByLabel('Patient id').fill('126');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Pat Noprovider (patient 126)' }).waitFor();
  const olcm = page.locator('section[data-role="olcm"]');
  eq('nobody holds the oLCM yet', 'No one', await olcm.locator('.holder').innerText());
  await olcm.getByLabel('New oLCM').selectOption('102');
  await olcm.getByLabel('Reason', { exact: true }).selectOption('member_request');
  await olcm.getByLabel('Note').fill('asked for Bob');
  await olcm.getByRole('button', { name: 'Assign oLCM' }).click();
  await eventually('the notice', async () => (await page.locator('.notice').innerText()) === 'oLCM set to Bob Manager (102).');
  await eventually('the holder', async () => (await page.locator('#olcm-holder').innerText()).startsWith('Bob Manager (102)'));
  const row = page.locator('section[aria-labelledby="history-h"] tbody tr').first();
  await eventually('the history row', async () => (await row.innerText()).includes('member request: asked for Bob'));
  eq('the API has it', 102, (await team(126)).olcm.user_id);
  const hist = await call('GET', '/patients/126/lead_care_managers/history');
  eq('the reason in the history', { code: 'member_request', note: 'asked for Bob' }, hist.history[0].reason);
  check((await page.locator('section[aria-labelledby="access-h"] tbody').innerText()).includes('read access log'), 'the access log is shown');
  // Change it, then remove it.
  const olcm2 = page.locator('section[data-role="olcm"]');
  await olcm2.getByLabel('New oLCM').selectOption('103');
  await olcm2.getByLabel('Reason', { exact: true }).selectOption('workload_balance');
  await olcm2.getByRole('button', { name: 'Change oLCM' }).click();
  await eventually('the change', async () => (await page.locator('#olcm-holder').innerText()).startsWith('Carla Intensive (103)'));
  await page.locator('section[data-role="olcm"]').getByLabel('Reason', { exact: true }).selectOption('staffing_change');
  await page.locator('section[data-role="olcm"]').getByRole('button', { name: 'Remove oLCM' }).click();
  await eventually('the removal', async () => (await page.locator('#olcm-holder').innerText()) === 'No one');
  eq('the API agrees', null, (await team(126)).olcm);
  const h2 = await call('GET', '/patients/126/lead_care_managers/history');
  eq('three periods, the last ended by the removal', ['staffing_change', 'workload_balance'],
    [h2.history[0].ended_by && 'staffing_change', h2.history[0].reason.code]);
});

test('api_errors_are_shown_as_their_messages', async (page) => {
  await signIn(page);
  await open(page, '#/person/101', 'Jane Coordinator (101)');
  await page.getByLabel('Most oLCM patients').fill('200000');
  await page.getByRole('button', { name: 'Save limits' }).click();
  eq('the validation error', 'max_olcm must be an integer from 0 to 100000, or null for no limit',
    await eventually('an alert', () => alertText(page.locator('section[aria-labelledby="limits-h"]'))));
  await page.getByLabel('Most oLCM patients').fill('0');
  await page.getByRole('button', { name: 'Save limits' }).click();
  await eventually('saved', async () => (await page.locator('.notice').innerText()) === 'Limits saved.');
  eq('the limit is the API\'s', 0, (await call('GET', '/lead_care_managers?search=Jane')).lead_care_managers[0].max_olcm);
  await open(page, '#/patient/123', 'Patient');
  const olcm = page.locator('section[data-role="olcm"]');
  await olcm.getByRole('button', { name: 'Assign oLCM' }).click();
  eq('nobody chosen', 'At least one of olcm_user_id or ilcm_user_id must be provided', await eventually('an alert', () => alertText(olcm)));
  await olcm.getByLabel('New oLCM').selectOption('101');
  await olcm.getByRole('button', { name: 'Assign oLCM' }).click();
  await eventually('at capacity', async () => (await alertText(olcm)) === 'User 101 is at capacity for olcm');
  await olcm.getByLabel('Override the caseload limit (needs a reason)').check();
  await olcm.getByRole('button', { name: 'Assign oLCM' }).click();
  eq('an override needs a reason', 'override_capacity needs a reason',
    await eventually('the reason message', async () => { const t = await alertText(olcm); return t !== 'User 101 is at capacity for olcm' && t; }));
  await olcm.getByLabel('Reason', { exact: true }).selectOption('acuity_change');
  await olcm.getByRole('button', { name: 'Assign oLCM' }).click();
  await eventually('assigned past the limit', async () => (await page.locator('#olcm-holder').innerText()).startsWith('Jane Coordinator (101)'));
  await eventually('the history says so', async () => (await page.locator('section[aria-labelledby="history-h"] tbody').innerText()).includes('over limit'));
  await page.getByLabel('Patient id').fill('999');
  await page.keyboard.press('Enter');
  await eventually('unknown patient', async () => (await alertText(page)) === 'Patient not found');
});

test('an_inactive_holder_is_marked', async (page) => {
  await assign({ patient_id: 124, olcm_user_id: 101, ilcm_user_id: 103 });
  dbSql('UPDATE users SET active = 0 WHERE id = 103');
  await signIn(page);
  await open(page, '#/patient/124', 'Patient');
  await page.getByRole('heading', { name: 'Mary Major (patient 124)' }).waitFor();
  eq('the iLCM is marked inactive', ['inactive'], await page.locator('#ilcm-holder .badge').allInnerTexts());
  eq('the oLCM is not', 0, await page.locator('#olcm-holder .badge').count());
});

test('a_stale_edit_says_so_and_offers_to_reload', async (page) => {
  await assign({ patient_id: 123, olcm_user_id: 101 });
  await signIn(page);
  await open(page, '#/patient/123', 'Patient');
  await page.getByRole('heading', { name: 'John Doe (patient 123)' }).waitFor();
  await assign({ patient_id: 123, olcm_user_id: 102 }); // another admin, meanwhile
  const olcm = page.locator('section[data-role="olcm"]');
  await olcm.getByLabel('New oLCM').selectOption('103');
  await olcm.getByRole('button', { name: 'Change oLCM' }).click();
  await eventually('the 412 message', async () => (await alertText(olcm)).includes('Case load has changed since it was read'));
  eq('nothing changed', 102, (await team(123)).olcm.user_id);
  await olcm.getByRole('button', { name: 'Reload the care team' }).click();
  await eventually('the other admin\'s change', async () => (await page.locator('#olcm-holder').innerText()).startsWith('Bob Manager (102)'));
  await page.locator('section[data-role="olcm"]').getByLabel('New oLCM').selectOption('103');
  await page.locator('section[data-role="olcm"]').getByRole('button', { name: 'Change oLCM' }).click();
  await eventually('the change, now on the current version', async () => (await page.locator('#olcm-holder').innerText()).startsWith('Carla Intensive (103)'));
  eq('the API has it', 103, (await team(123)).olcm.user_id);
});

test('transfer_dry_run_preview_then_the_real_one', async (page) => {
  for (const p of [123, 124, 125]) await assign({ patient_id: p, olcm_user_id: 101 });
  await assign({ patient_id: 126, ilcm_user_id: 101 });
  await capacity(102, { max_olcm: 1, max_ilcm: 2 });
  await capacity(103, { max_olcm: 1, max_ilcm: 2 }); // room for 2 of Jane's 3 oLCM patients
  await signIn(page);
  await page.getByRole('link', { name: 'Jane Coordinator' }).click();
  await page.getByRole('heading', { level: 1, name: 'Jane Coordinator (101)' }).waitFor();
  await page.getByRole('button', { name: 'Choose who takes them' }).click();
  await page.getByLabel('Bob Manager (102)').check();
  await page.getByLabel('Carla Intensive (103)').check();
  await page.getByRole('button', { name: 'Preview transfer (dry run)' }).click();
  const preview = page.locator('#transfer-preview');
  await preview.waitFor();
  eq('the preview', 'Preview (dry run, nothing changed yet): 3 planned, 1 failed', await preview.locator('h3').innerText());
  eq('nothing moved yet', 3, (await call('GET', '/lead_care_managers/101/patients?role=olcm')).pagination.total_count);
  const bar = (uid, col) => preview.locator(`tr[data-user-id="${uid}"] td:nth-of-type(${col}) .bar`);
  eq('Jane before and after', ['3', '1', '1', '0'], [await bar(101, 1).getAttribute('data-olcm'), await bar(101, 1).getAttribute('data-ilcm'),
    await bar(101, 2).getAttribute('data-olcm'), await bar(101, 2).getAttribute('data-ilcm')]);
  eq('Bob and Carla take one oLCM each, their limit', ['1', '1'], [await bar(102, 2).getAttribute('data-olcm'), await bar(103, 2).getAttribute('data-olcm')]);
  eq('Bob takes the iLCM (a tie: the lower id)', '1', await bar(102, 2).getAttribute('data-ilcm'));
  eq('three planned moves', 3, await preview.locator('.badge.planned').count());
  eq('the move nobody may take, with its message', 'No taker is below its olcm limit',
    await preview.locator('tr:has(.badge.failed) td:last-child').innerText());
  await page.locator('section[aria-labelledby="transfer-h"]').screenshot({ path: join(SHOTS, 'transfer-preview.png') });
  saved.push(join(SHOTS, 'transfer-preview.png'));
  // A changed form needs a new preview.
  await page.getByLabel('Which patients').selectOption('olcm');
  eq('the stale preview is gone', 0, await page.locator('#transfer-confirm').count());
  await page.getByLabel('Which patients').selectOption('');
  await page.getByRole('button', { name: 'Preview transfer (dry run)' }).click();
  await page.getByRole('button', { name: 'Confirm: move 3 assignments' }).click();
  await eventually('the result', async () => (await page.locator('.notice').innerText()) === 'Transferred: 3 moved, 1 failed.');
  eq('the last transfer is shown', 'Last transfer: 3 moved, 1 failed', await page.locator('#transfer-done h3').innerText());
  await eventually('Jane keeps the one nobody could take', async () => (await page.locator('section[aria-labelledby="patients-h"]').innerText()).includes('No iLCM patients'));
  eq('the API agrees', [125], (await call('GET', '/lead_care_managers/101/patients')).patients.map((p) => p.patient_id));
});

/*
 * The API requests a view made from the moment mark was taken (the
 * length of seen.urls then) until now: their paths below the API, with
 * their query strings.
 */
function apiRequests(seen, mark) {
  return seen.urls.slice(mark).map((u) => new URL(u)).filter((u) => u.pathname.startsWith(API + '/'))
    .map((u) => u.pathname.slice(API.length) + u.search);
}
/* The person view drawn in full: both patient lists have their pager. */
async function personDrawn(page) {
  for (const role of ['olcm', 'ilcm']) await page.locator(`[data-role="${role}"] .pager`).waitFor();
}

// The person view reads the person with one request, never the list: their
// list entry (limits, counts, active) is GET .../lead_care_managers/{id}.
test('a_person_is_read_in_one_request', async (page, seen) => {
  for (const p of [123, 124]) await assign({ patient_id: p, olcm_user_id: 101 });
  await assign({ patient_id: 125, ilcm_user_id: 101 });
  await capacity(101, { max_olcm: 2, max_ilcm: 5 });
  await assign({ patient_id: 126, olcm_user_id: 103 });
  dbSql('UPDATE users SET active = 0 WHERE id = 103');
  await signIn(page);
  const view = async (id, heading) => {
    const mark = seen.urls.length;
    await open(page, `#/person/${id}`, heading);
    return mark;
  };
  const onlyThePerson = (id, reqs) => {
    eq(`person ${id}: one request for the person`, 1, reqs.filter((r) => r === `/lead_care_managers/${id}`).length);
    eq(`person ${id}: no request of the list`, [], reqs.filter((r) => /^\/lead_care_managers(\?|$)/.test(r)));
  };

  let mark = await view(101, 'Jane Coordinator (101)');
  await personDrawn(page);
  let reqs = apiRequests(seen, mark);
  onlyThePerson(101, reqs);
  eq('and the two patient lists', ['/lead_care_managers/101/patients?role=olcm&page=1&per_page=25',
    '/lead_care_managers/101/patients?role=ilcm&page=1&per_page=25'], reqs.filter((r) => r.includes('/patients')).sort().reverse());
  eq('nothing else', 3, reqs.length);
  eq('the limits as the API has them', ['2', '5'], [await page.getByLabel('Most oLCM patients').inputValue(),
    await page.getByLabel('Most iLCM patients').inputValue()]);
  const bar = page.locator('main > div .bar').first();
  eq('the load bar', ['2', '1'], [await bar.getAttribute('data-olcm'), await bar.getAttribute('data-ilcm')]);
  check((await bar.getAttribute('aria-label')).includes('oLCM 2 (limit 2), iLCM 1 (limit 5)'), 'the bar says the counts and limits');
  await page.screenshot({ path: join(SHOTS, 'person.png'), fullPage: true });
  saved.push(join(SHOTS, 'person.png'));

  // A deactivated person still holding a patient: found, marked inactive.
  mark = await view(103, 'Carla Intensive (103)');
  await personDrawn(page);
  onlyThePerson(103, apiRequests(seen, mark));
  eq('marked inactive', ['inactive'], await page.locator('main .badge.inactive').allInnerTexts());

  // Nobody: the API's message and what it means, still one request.
  mark = await view(999999);
  eq('an unknown user', 'User not found', await eventually('the 404', () => alertText(page)));
  check((await page.locator('main').innerText()).includes('User 999999 is not a Lead Care Manager'), 'the 404 explained');
  onlyThePerson(999999, apiRequests(seen, mark));

  // The takers of a transfer are read from the list when asked for, not before.
  mark = await view(101, 'Jane Coordinator (101)');
  await personDrawn(page);
  onlyThePerson(101, apiRequests(seen, mark));
  await page.getByRole('button', { name: 'Choose who takes them' }).click();
  await page.getByLabel('Bob Manager (102)').waitFor();
  check(apiRequests(seen, mark).some((r) => r.startsWith('/lead_care_managers?')), 'the takers come from the list once asked for');
  eq('the focus goes to the first taker', 'taker-102', await page.evaluate(() => document.activeElement.id));
});

// A transfer's dry run answered after its form changed: the preview is of a choice no longer
// on the page, and its Confirm would send it; it is not shown.
test('a_transfer_preview_answered_after_its_form_changed_is_not_shown', async (page) => {
  for (const p of [123, 124]) await assign({ patient_id: p, olcm_user_id: 101 });
  await countAnswers(page);
  await signIn(page);
  await open(page, '#/person/101', 'Jane Coordinator (101)');
  await page.getByRole('button', { name: 'Choose who takes them' }).click();
  await page.getByLabel('Bob Manager (102)').check();
  const transfers = /\/transfer$/;
  const preview = async (what, meanwhile) => {
    const slow = await holdNext(page, (u) => u.pathname === API + '/lead_care_managers/transfer');
    const read = await answersTo(page, transfers);
    await page.getByRole('button', { name: 'Preview transfer (dry run)' }).click();
    await slow.held;
    await meanwhile();
    slow.release();
    await eventually(`${what}: the dry run's answer read`, async () => (await answersTo(page, transfers)) > read);
  };
  await preview('the role', () => page.getByLabel('Which patients').selectOption('ilcm'));
  eq('a changed form: no preview', [0, 0], [await page.locator('#transfer-preview').count(), await page.locator('#transfer-confirm').count()]);
  await preview('a taker', () => page.getByLabel('Carla Intensive (103)').check());
  eq('a changed taker: no preview', [0, 0], [await page.locator('#transfer-preview').count(), await page.locator('#transfer-confirm').count()]);
  // Nothing changed meanwhile: the same late answer is the preview (Jane holds no iLCM patient).
  await preview('nothing', async () => {});
  eq('the preview of the choice on the page', 'Preview (dry run, nothing changed yet): 0 planned, 0 failed',
    await page.locator('#transfer-preview h3').innerText());
});

// A write answered after the admin went to another page: the console stays where they went
// (the write is done: the API has it), and no later page says "done" for it.
test('a_write_answered_after_the_admin_left_keeps_them_where_they_went', async (page) => {
  for (const p of [123, 124]) await assign({ patient_id: p, olcm_user_id: 101 });
  await capacity(102, { max_olcm: 5, max_ilcm: 5 });
  await countAnswers(page);
  await signIn(page);
  // Each write: where it is made, the choice made first, the write itself, its answer's
  // URL, and what the API has once it is done.
  const olcm = page.locator('section[data-role="olcm"]');
  const writes = [
    ['an assignment', '#/patient/126', 'Pat Noprovider (patient 126)',
      () => olcm.getByLabel('New oLCM').selectOption('102'),
      () => olcm.getByRole('button', { name: 'Assign oLCM' }).click(),
      '/lead_care_managers/assign', async () => (await team(126)).olcm.user_id === 102],
    ['limits', '#/person/102', 'Bob Manager (102)',
      () => page.getByLabel('Most oLCM patients').fill('7'),
      () => page.getByRole('button', { name: 'Save limits' }).click(),
      '/lead_care_managers/102/capacity', async () => (await call('GET', '/lead_care_managers/102')).max_olcm === 7],
    ['a transfer', '#/person/101', 'Jane Coordinator (101)',
      async () => {
        await page.getByRole('button', { name: 'Choose who takes them' }).click();
        await page.getByLabel('Bob Manager (102)').check();
        await page.getByRole('button', { name: 'Preview transfer (dry run)' }).click();
        await page.getByRole('button', { name: 'Confirm: move 2 assignments' }).waitFor();
      },
      () => page.getByRole('button', { name: 'Confirm: move 2 assignments' }).click(),
      '/lead_care_managers/transfer', async () => (await team(123)).olcm.user_id === 102 && (await team(124)).olcm.user_id === 102],
  ];
  for (const [what, hash, heading, choose, write, path, applied] of writes) {
    await open(page, hash);
    await page.getByRole('heading', { name: heading }).waitFor();
    await choose();
    const answers = new RegExp(`${API}${path}$`.replace(/\//g, '\\/'));
    const slow = await holdNext(page, (u) => u.pathname === API + path);
    const read = await answersTo(page, answers);
    await write();
    await slow.held;
    // Meanwhile: to the care managers' list.
    await page.getByRole('link', { name: 'Care managers' }).click();
    await page.locator('#lcm-results table').waitFor();
    slow.release();
    await eventually(`${what}: its answer read`, async () => (await answersTo(page, answers)) > read);
    check(await applied(), `${what}: the API has it`);
    eq(`${what}: still on the page they went to`, ['#/list', 'Lead Care Managers'],
      [new URL(page.url()).hash, await page.locator('h1').innerText()]);
  }
  // The next patient and person pages say nothing of those writes.
  await open(page, '#/patient/125');
  await page.getByRole('heading', { name: 'Sam Minor (patient 125)' }).waitFor();
  eq('no notice on the next patient page', 0, await page.locator('.notice').count());
  await open(page, '#/person/103', 'Carla Intensive (103)');
  eq('no notice or transfer on the next person page', [0, 0], [await page.locator('.notice').count(), await page.locator('#transfer-done').count()]);
});

test('bulk_csv_preview_send_fix_and_resend_failed_rows', async (page, seen) => {
  await signIn(page);
  await page.getByRole('link', { name: 'Bulk assign' }).click();
  const csv = 'patient_id,olcm_user_id,ilcm_user_id,reason\r\n' +
    '123,101,102,initial_assignment\r\n' +
    '999,101,,"initial_assignment: typo, patient 999"\r\n' +
    '124,,104,other\r\n';
  await page.getByLabel('Upload a CSV file').setInputFiles({ name: 'team.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await eventually('the file read', async () => (await page.getByLabel('CSV', { exact: true }).inputValue()) === csv.replace(/\r\n/g, '\n') || (await page.getByLabel('CSV', { exact: true }).inputValue()) === csv);
  await page.getByRole('button', { name: 'Preview (dry run)' }).click();
  await eventually('the dry run', async () => (await page.locator('#bulk-counts').innerText()) === 'Dry run: 1 would succeed, 2 would fail. Nothing was changed.');
  eq('nothing written by the dry run', 0, dbCount('SELECT COUNT(*) FROM case_loads'));
  eq('the row messages', ['', 'Patient not found', 'User 104 is not eligible to be a Lead Care Manager'],
    await page.locator('#bulk-results tbody td:last-child').allInnerTexts());
  seen.bulk.length = 0;
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await eventually('the results', async () => (await page.locator('#bulk-counts').innerText()) === '1 succeeded, 2 failed.');
  eq('progress at the end', ['3', '3'], [await page.locator('#bulk-progress').getAttribute('value'), await page.locator('#bulk-progress').getAttribute('max')]
    .map(String));
  check(await page.getByRole('button', { name: 'Send', exact: true }).isDisabled(), 'the same CSV cannot be sent twice by accident');
  await page.getByLabel('Line 3 patient_id').fill('125');
  await page.getByLabel('Line 4 ilcm_user_id').fill('103');
  await page.getByRole('button', { name: 'Resend failed rows (2)' }).click();
  await eventually('the resend', async () => (await page.locator('#bulk-counts').innerText()) === '3 succeeded, 0 failed.');
  eq('two requests: all three rows, then only the two fixed ones', [3, 2], seen.bulk.map((b) => b.assignments.length));
  eq('the resent rows as fixed', [125, 124], seen.bulk[1].assignments.map((a) => a.patient_id));
  eq('the reason of a code and a note', { code: 'initial_assignment', note: 'typo, patient 999' }, seen.bulk[1].assignments[0].reason);
  check(await page.getByRole('button', { name: /Resend failed rows/ }).isHidden(), 'no resend button without failures');
  eq('the case loads', [[123, 101, 102], [124, null, 103], [125, 101, null]],
    await Promise.all([123, 124, 125].map(async (p) => { const c = await team(p); return [p, c.olcm && c.olcm.user_id, c.ilcm && c.ilcm.user_id]; })));
  // 1001 rows go as two requests of 1000 and 1.
  seen.bulk.length = 0;
  const big = 'patient_id,olcm_user_id\n' + Array.from({ length: 1001 }, (_, i) => `123,${i % 2 ? 101 : 102}`).join('\n');
  await page.getByLabel('Upload a CSV file').setInputFiles({ name: 'big.csv', mimeType: 'text/csv', buffer: Buffer.from(big) });
  await eventually('the big file read', async () => (await page.getByLabel('CSV', { exact: true }).inputValue()) === big);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await eventually('the big send', async () => (await page.locator('#bulk-counts').innerText()) === '1001 succeeded, 0 failed.', LONG);
  eq('batches of up to 1000', [1000, 1], seen.bulk.map((b) => b.assignments.length));
  eq('progress', 'Sent 1001 of 1001 rows (2 requests of up to 1000).', await page.locator('#bulk-progress-text').innerText());
  // A request that fails as a whole (the service is away: one 503, injected): its rows say why,
  // the later ones were not sent, and "Resend failed rows" sends them all again.
  await page.route('**/bulk_assign', (route) => route.fulfill({
    status: 503, contentType: 'application/json; charset=utf-8', headers: { 'Retry-After': '5' },
    body: '{"errors":["Service temporarily unavailable, try again shortly"]}',
  }), { times: 1 });
  seen.bulk.length = 0;
  await page.getByLabel('Upload a CSV file').setInputFiles({ name: 'again.csv', mimeType: 'text/csv', buffer: Buffer.from(big + '\n') });
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await eventually('the refusal', async () => (await page.locator('#bulk-counts').innerText()) === '0 succeeded, 1001 failed.', LONG);
  eq('the request\'s error', 'Service temporarily unavailable, try again shortly', await alertText(page.locator('#bulk-run-error')));
  const msgs = page.locator('#bulk-results tbody td:last-child');
  eq('its rows and the rest', ['Not sent: Service temporarily unavailable, try again shortly', 'Not sent: an earlier request failed. Resend it.'],
    [await msgs.first().innerText(), await msgs.last().innerText()]);
  eq('only the first request left the page', 1, seen.bulk.length);
  await page.getByRole('button', { name: 'Resend failed rows (1001)' }).click();
  await eventually('the resend', async () => (await page.locator('#bulk-counts').innerText()) === '1001 succeeded, 0 failed.', LONG);
});

test('csp_headers_and_no_inline_code', async (page) => {
  const res = await fetch(BASE + '/console/');
  const csp = res.headers.get('content-security-policy') || '';
  eq('the console page', 200, res.status);
  for (const d of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"]) {
    check(csp.includes(d), `the CSP has ${d}: ${csp}`);
  }
  check(!csp.includes('unsafe'), 'the CSP allows nothing unsafe: ' + csp);
  eq('nosniff', 'nosniff', res.headers.get('x-content-type-options'));
  const js = await fetch(BASE + '/console/js/app.js');
  eq('scripts are JavaScript', 'text/javascript; charset=utf-8', js.headers.get('content-type'));
  eq('/console redirects to /console/', 301, (await fetch(BASE + '/console', { redirect: 'manual' })).status);
  const dir = join(ROOT, 'nginx', 'console');
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  check(!/<script(?![^>]*\bsrc=)[^>]*>/.test(html) && !/\sstyle=|<style|\son[a-z]+=/i.test(html), 'index.html has no inline script, style or handler');
  check(!/https?:\/\//.test(html.replace('http://www.w3.org', '')), 'index.html loads nothing from another origin');
  for (const f of readdirSync(join(dir, 'js'))) {
    const src = readFileSync(join(dir, 'js', f), 'utf8');
    check(!/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|setAttribute\('style'/.test(src), `${f} builds no HTML from strings and runs no strings`);
    check(!/https?:\/\//.test(src), `${f} calls no other origin`);
  }
  // The page itself ran with the CSP on: every test fails on a violation (see run()).
  await signIn(page);
});

/*
 * What keeps a page from being read at 200% zoom or used without a mouse:
 * sideways scrolling, a control without a label, a button without a name.
 */
async function problems(page) {
  return page.evaluate(() => {
    const out = [];
    if (document.documentElement.scrollWidth > document.documentElement.clientWidth + 1) {
      out.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} > ${document.documentElement.clientWidth}`);
    }
    for (const el of document.querySelectorAll('input, select, textarea')) {
      if (el.type === 'hidden') continue;
      if (!(el.labels && el.labels.length) && !el.getAttribute('aria-label')) out.push(`unlabelled ${el.tagName} ${el.id}`);
    }
    for (const b of document.querySelectorAll('button')) if (!b.innerText.trim() && !b.getAttribute('aria-label')) out.push('a button without a name');
    return out;
  });
}

test('readable_at_200_percent_zoom_with_labelled_controls', async (page) => {
  for (const p of [123, 124]) await assign({ patient_id: p, olcm_user_id: 101, ilcm_user_id: 102 });
  await signIn(page);
  // Each page with what it draws last: a hash is no new document, so "networkidle"
  // says nothing of it; the page is checked once it is drawn in full.
  const pages = [
    ['#/patients?unassigned=ilcm', 'Patients', async () => {
      await page.locator('#queue-status').filter({ hasText: /patient/ }).waitFor();
      await page.locator('#bulk-person option[value="102"]').waitFor({ state: 'attached' });
      await eventually('the summary\'s counts', async () => !(await page.locator('#queue-summary a').allInnerTexts()).some((c) => c.startsWith('…')));
    }],
    ['#/list?sort=workload', 'Lead Care Managers', () => page.locator('#lcm-results table').waitFor()],
    ['#/patient/123', 'Patient', async () => {
      for (const s of ['history-h', 'access-h']) await page.locator(`section[aria-labelledby="${s}"] .pager`).waitFor();
    }],
    ['#/person/101', 'Jane Coordinator (101)', () => personDrawn(page)],
    ['#/bulk', 'Bulk assign', () => page.getByLabel('Upload a CSV file').waitFor()]];
  for (const [hash, heading, drawn] of pages) {
    await open(page, hash, heading);
    await drawn();
    eq(`${hash} at 200%`, [], await problems(page));
    eq(`${hash}: focus on the heading`, 'H1', await page.evaluate(() => document.activeElement.tagName));
  }
  // Keyboard alone: from the patient page's heading, Tab reaches the id field, Enter looks up.
  await open(page, '#/patient', 'Patient');
  await page.keyboard.press('Tab');
  eq('Tab from the heading reaches the patient id', 'patient-id', await page.evaluate(() => document.activeElement.id));
  await page.keyboard.type('124');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Mary Major (patient 124)' }).waitFor();
}, { viewport: { width: 640, height: 800 }, deviceScaleFactor: 2 });

queueTests(test, {
  BASE, API, SHOTS, ADMIN, TOKEN_KEY, LONG, saved, check, eq, eventually, call, assign, capacity, team, dbSql, dbCount, alertText, problems,
  countAnswers, answersTo, holdNext,
});
demoTests(test, { ROOT, BASE, HVAR, SHOTS, ADMIN, TOKEN_KEY, LONG, saved, check, eq, eventually, call });

// The console's CSV module on its own (no browser): what the bulk view sends.
test('csv_rows_items_and_batches', async () => {
  eq('quoted fields, doubled quotes, CRLF and a line break inside quotes',
    [['a', 'b,c', 'say "hi"'], ['1', 'two\nlines', '']],
    parseRecords('a,"b,c","say ""hi"""\r\n1,"two\nlines",\r\n').map((r) => r.fields));
  const rows = parseBulkCsv('\uFEFFPatient_ID,ilcm_user_id\n123,102\n\n124,\n');
  eq('columns by the header, in any order; blank lines skipped', [[123, { ilcm_user_id: 102 }], [124, {}]],
    rows.map((r) => { const { patient_id: p, ...rest } = itemOf(r); return [p, rest]; }));
  eq('what the API is left to refuse is sent as is', { patient_id: 'x12', olcm_user_id: 101, reason: 'a note' },
    itemOf({ patient_id: 'x12', olcm_user_id: '101', ilcm_user_id: '', reason: 'a note' }));
  eq('a code, a code and a note', [{ code: 'other', note: null }, { code: 'acuity_change', note: 'ER visit: twice' }],
    ['other', 'acuity_change: ER visit: twice'].map((reason) => itemOf({ patient_id: '1', reason }).reason));
  for (const [bad, msg] of [['', 'The CSV is empty'], ['patient,olcm\n1,2', 'The first line must be the header'],
    ['patient_id\n', 'The CSV has a header and no rows'], ['patient_id\n1,2', 'Line 2: 2 fields'],
    ['patient_id\n"1', 'Line 2: a quoted field is not closed']]) {
    let got = '';
    try { parseBulkCsv(bad); } catch (e) { got = e.message; }
    check(got.startsWith(msg), `${JSON.stringify(bad)}: expected "${msg}...", got "${got}"`);
  }
  eq('batches of 1000', [1000, 1000, 500], batches(Array.from({ length: 2500 }, (_, i) => i)).map((b) => b.length));
}, { noBrowser: true });

// ---- the runner ------------------------------------------------------------

/* A playwright error without its call log (which may quote a whole CSV), and where in this file it came from. */
function short(e) {
  const msg = String(e.message || e).split('\n').filter((l) => !/^\s*(- |Call log|\u001b)/.test(l)).slice(0, 3).join(' ').slice(0, 400);
  const at = (String(e.stack || '').match(/(?:console|queue|demo)\.mjs:\d+/) || [''])[0];
  return `${msg}${at ? ' (' + at + ')' : ''}`;
}

/*
 * BROWSER_SLOW=N (make browser BROWSER_SLOW=4): a busy machine, on purpose.
 * The page's CPU is slowed N times, every API answer is held a random
 * 0-300 ms (so answers come back late and out of order), and each
 * hashchange event reaches the console a random 0-300 ms after the URL
 * changed (in order), as when the page's thread is busy. A test that reads
 * the page before the event it needs fails here; one that waits passes.
 */
const SLOW = Number(process.env.BROWSER_SLOW || 0);
async function slowDown(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: SLOW });
  await context.addInitScript(() => {
    const add = window.addEventListener;
    let queue = Promise.resolve();
    window.addEventListener = function (type, fn, ...rest) {
      if (type !== 'hashchange') return add.call(this, type, fn, ...rest);
      return add.call(this, type, (e) => {
        queue = queue.then(() => new Promise((r) => setTimeout(r, Math.random() * 300))).then(() => fn.call(this, e));
      }, ...rest);
    };
  });
  await context.route(`**${API}/**`, async (route) => {
    await new Promise((r) => setTimeout(r, Math.random() * 300));
    await route.fallback();
  });
}

async function run() {
  // Whole tiles, not only their changed parts, are drawn again: a partial
  // raster left the anti-aliasing of a rounded corner a shade off in about
  // one page of five, so the README's screenshot (demo.mjs) changed from
  // run to run; with whole tiles, 60 of 60 came out the same.
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--disable-partial-raster'] });
  let pass = 0;
  let fail = 0;
  const started = Date.now();
  for (const t of tests) {
    if (only && !t.name.includes(only)) continue;
    if (t.opts.noBrowser) {
      try {
        await t.fn();
        pass += 1;
        console.log(`ok - ${t.name}`);
      } catch (e) {
        fail += 1;
        console.log(`not ok - ${t.name}\n    ${e instanceof Failure ? e.message : short(e)}`);
      }
      continue;
    }
    dbReset();
    const context = await browser.newContext({ viewport: t.opts.viewport || { width: 1280, height: 900 }, deviceScaleFactor: t.opts.deviceScaleFactor || 1 });
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT);
    if (SLOW) await slowDown(context, page);
    const seen = { urls: [], bulk: [], problems: [] };
    page.on('request', (r) => {
      seen.urls.push(r.url());
      if (r.url().endsWith('/bulk_assign')) seen.bulk.push(JSON.parse(r.postData()));
    });
    page.on('pageerror', (e) => seen.problems.push('uncaught: ' + e.message));
    page.on('console', (m) => {
      if (/Content.Security.Policy|Refused to/i.test(m.text())) seen.problems.push('CSP: ' + m.text());
    });
    const t0 = Date.now();
    try {
      await t.fn(page, seen);
      check(seen.problems.length === 0, seen.problems.join('; '));
      pass += 1;
      console.log(`ok - ${t.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (e) {
      fail += 1;
      console.log(`not ok - ${t.name}`);
      console.log(`    ${e instanceof Failure ? e.message : short(e)}`);
      console.log(`    on ${page.url()}${seen.problems.length ? '; ' + seen.problems.join('; ') : ''}`);
      await page.screenshot({ path: join(SHOTS, `failed-${t.name}.png`), fullPage: true }).catch(() => {});
      console.log(`    screenshot: ${join(SHOTS, `failed-${t.name}.png`)}`);
    }
    await context.close();
  }
  await browser.close();
  if (saved.length) console.log(`screenshots: ${saved.join(', ')}`);
  console.log(`browser: ${pass} passed, ${fail} failed, 0 skipped (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  process.exit(fail ? 1 : 0);
}
await run();
