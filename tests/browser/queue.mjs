// The patients' queue (nginx/console/js/patients.js, assign_selected.js,
// export.js): its end-to-end tests, registered by console.mjs, whose runner
// gives each a fresh stack state (the demo data) and browser context, and
// fails it on a CSP violation or an uncaught error.
//
// The demo data: patients 123 John Doe, 124 Mary Major, 125 Sam Minor
// (primary provider 456 Dr. Smith), 126 Pat Noprovider; eligible people
// 2 Nora Nurse, 101 Jane Coordinator, 102 Bob Manager, 103 Carla Intensive;
// 104 Ian Inactive (deactivated); no case loads.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function queueTests(test, t) {
  const { BASE, API, SHOTS, LONG, saved, check, eq, eventually, call, assign, capacity, team, dbSql, dbCount, alertText,
    countAnswers, answersTo, holdNext } = t;

  /* Signed in as the admin, on the console's first page (or hash). */
  async function openQueue(page, hash = '') {
    await page.addInitScript(([k, v]) => {
      if (!sessionStorage.getItem('signed-in-once')) {
        sessionStorage.setItem('signed-in-once', '1');
        sessionStorage.setItem(k, v);
      }
    }, [t.TOKEN_KEY, t.ADMIN]);
    await page.goto(BASE + '/console/' + hash);
    await page.getByRole('heading', { level: 1, name: 'Patients' }).waitFor();
    await page.locator('#queue-status').filter({ hasText: /patient/ }).waitFor();
    await eventually('the summary\'s counts', async () => !(await counts(page)).some((c) => c.startsWith('…')));
  }
  const names = (page) => page.locator('#queue-results tbody th a').allInnerTexts();
  const counts = (page) => page.locator('#queue-summary a').allInnerTexts();
  const hashOf = (page) => decodeURIComponent(new URL(page.url()).hash);
  const listIs = (page, what, want) => eventually(what, async () => JSON.stringify(await names(page)) === JSON.stringify(want) && want);
  /*
   * The list of a summary count's filter drawn: the route marks the count current and says
   * "Loading…" in one go, and the list's answer replaces that; a list with the same names
   * from before the filter does not pass.
   */
  const filterDrawn = (page, count) => eventually(`the list of "${count}" drawn`, async () =>
    JSON.stringify(await page.locator('#queue-summary a[aria-current="true"]').allInnerTexts()) === JSON.stringify([count]) &&
    /patient/.test(await page.locator('#queue-status').innerText()));
  const cell = (page, id, role) => page.locator(`#queue-results tr[data-patient-id="${id}"] td[data-role="${role}"]`).innerText();
  const oneForm = (page) => page.locator('form[aria-labelledby="assign-one-h"]');
  const autoForm = (page) => page.locator('form[aria-labelledby="auto-h"]');
  const peopleRead = (page) => page.locator('#bulk-person option[value="102"]').waitFor({ state: 'attached' });
  const rowOf = (page, id) => page.locator(`#queue-result tr[data-patient-id="${id}"]`);
  const rowText = async (page, id) => (await rowOf(page, id).locator('td').allInnerTexts()).map((s) => s.trim());
  const barOf = async (page, uid, col) => {
    const bar = page.locator(`#queue-result tr[data-user-id="${uid}"] td:nth-of-type(${col}) .bar`);
    return [await bar.getAttribute('data-olcm'), await bar.getAttribute('data-ilcm')].map(Number);
  };
  const activities = (ids) => dbCount(`SELECT COUNT(*) FROM patient_activities WHERE patient_id IN (${ids.join(',')})`);

  // 123: oLCM Jane, iLCM Bob; 124: oLCM Jane; 125: iLCM Ian, deactivated since; 126: none.
  async function clinic() {
    await assign({ patient_id: 123, olcm_user_id: 101, ilcm_user_id: 102 });
    await assign({ patient_id: 124, olcm_user_id: 101 });
    dbSql('UPDATE users SET active = 1 WHERE id = 104');
    await assign({ patient_id: 125, ilcm_user_id: 104 });
    dbSql('UPDATE users SET active = 0 WHERE id = 104');
  }

  test('queue_is_the_first_page_and_its_summary_links_filter_the_list', async (page) => {
    await clinic();
    await openQueue(page);
    eq('the console opens on the queue', '#/patients', hashOf(page));
    eq('the summary', ['4 patients', '2 without an oLCM', '2 without an iLCM', '1 without both', '1 held by a deactivated person',
      '0 high acuity, authorized, without an iLCM', '0 authorization ended, still held'], await counts(page));
    eq('every patient, by name', ['John Doe (123)', 'Mary Major (124)', 'Pat Noprovider (126)', 'Sam Minor (125)'], await names(page));
    const john = page.locator('#queue-results tr[data-patient-id="123"] td');
    eq('a row: provider, oLCM, iLCM, acuity, authorization', ['Dr. Smith (456)', 'Jane Coordinator (101)', 'Bob Manager (102)', 'not a member', 'not a member'],
      (await john.allInnerTexts()).slice(1).map((s) => s.trim()));
    eq('a patient without a case load', ['no case load yet', 'none', 'none', 'not a member', 'not a member'],
      (await page.locator('#queue-results tr[data-patient-id="126"] td').allInnerTexts()).slice(1).map((s) => s.trim()));
    await peopleRead(page);
    for (const who of ['Pat Noprovider (126)', 'Sam Minor (125)']) await page.getByLabel(`Select ${who}`).check();
    await page.screenshot({ path: join(SHOTS, 'queue.png'), fullPage: true });
    saved.push(join(SHOTS, 'queue.png'));
    const cases = [
      ['2 without an oLCM', '#/patients?unassigned=olcm', ['Pat Noprovider (126)', 'Sam Minor (125)']],
      ['1 held by a deactivated person', '#/patients?held_by_inactive=true', ['Sam Minor (125)']],
      ['1 without both', '#/patients?unassigned=both', ['Pat Noprovider (126)']],
      ['2 without an iLCM', '#/patients?unassigned=ilcm', ['Mary Major (124)', 'Pat Noprovider (126)']],
      ['4 patients', '#/patients', ['John Doe (123)', 'Mary Major (124)', 'Pat Noprovider (126)', 'Sam Minor (125)']],
    ];
    for (const [link, hash, want] of cases) {
      await page.getByRole('link', { name: link }).click();
      await listIs(page, `the list of "${link}"`, want);
      eq(`"${link}" puts its filter in the URL`, hash, hashOf(page));
      eq(`"${link}" is marked as the current filter`, [link], await page.locator('#queue-summary a[aria-current="true"]').allInnerTexts());
    }
    await page.getByRole('link', { name: '1 held by a deactivated person' }).click();
    await listIs(page, 'the deactivated holder\'s patient', ['Sam Minor (125)']);
    check(await page.getByLabel('Held by a deactivated person').isChecked(), 'the filter\'s box says so');
    await eventually('Ian marked inactive in the row', async () => (await cell(page, 125, 'ilcm')).trim() === 'Ian Inactive (104) inactive');
    // A row links to the patient's page, and back comes back to the filtered list.
    await page.getByRole('link', { name: 'Sam Minor (125)' }).click();
    await page.getByRole('heading', { name: 'Sam Minor (patient 125)' }).waitFor();
    await page.goBack();
    await listIs(page, 'back on the filtered queue', ['Sam Minor (125)']);
  });

  test('queue_filters_live_in_the_url_and_back_and_forward_restore_them', async (page) => {
    await clinic();
    // 30 more patients, none with a case load: two pages of those without an iLCM.
    dbSql(`INSERT INTO patients (id, name, primary_provider_id) SELECT 1000 + seq, CONCAT('Zed ', LPAD(seq, 2, '0')), NULL FROM seq_1_to_30`);
    await openQueue(page);
    const zeds = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => `Zed ${String(from + i).padStart(2, '0')} (${1000 + from + i})`);
    const status = () => page.locator('#queue-status').innerText();

    await page.getByLabel('Search by name').fill('mary');
    await page.keyboard.press('Enter');
    await listIs(page, 'a name', ['Mary Major (124)']);
    eq('the search in the URL', '#/patients?search=mary', hashOf(page));

    await page.getByLabel('Search by name').fill('');
    await page.getByLabel('Assignment', { exact: true }).selectOption('ilcm');
    await eventually('two pages without an iLCM', async () => (await status()) === '32 patients, page 1 of 2.');
    await page.getByRole('button', { name: 'Next page' }).click();
    await listIs(page, 'page 2', zeds(24, 30));
    eq('the page in the URL', '#/patients?unassigned=ilcm&page=2', hashOf(page));

    await page.getByLabel('Provider id').fill('456');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await listIs(page, 'a provider, from page 1', ['Mary Major (124)']);
    eq('provider and assignment in the URL', '#/patients?unassigned=ilcm&provider_id=456', hashOf(page));

    await page.locator('#queue-holder option[value="101"]').waitFor({ state: 'attached' });
    await page.getByLabel('Provider id').fill('');
    await page.getByLabel('Assignment', { exact: true }).selectOption('');
    await listIs(page, 'every patient again', ['John Doe (123)', 'Mary Major (124)', 'Pat Noprovider (126)', 'Sam Minor (125)', ...zeds(1, 21)]);
    await page.getByLabel('Held by', { exact: true }).selectOption('101');
    await listIs(page, 'Jane\'s patients', ['John Doe (123)', 'Mary Major (124)']);
    eq('the person in the URL', '#/patients?lcm_user_id=101', hashOf(page));
    // The provider in a row filters by that provider, keeping the rest of the filter.
    await page.getByRole('link', { name: 'Dr. Smith (456)' }).first().click();
    await eventually('the provider link', async () => hashOf(page) === '#/patients?provider_id=456&lcm_user_id=101');
    // The URL changes first; the view follows on the hashchange event after it.
    const providerField = () => page.getByLabel('Provider id').inputValue();
    await eventually('the provider field says so', async () => (await providerField()) === '456');
    await listIs(page, 'Dr. Smith\'s patients held by Jane', ['John Doe (123)', 'Mary Major (124)']);

    // Back and forward: the list and the controls follow the URL.
    await page.goBack();
    await eventually('back: Jane\'s patients', async () => hashOf(page) === '#/patients?lcm_user_id=101');
    await eventually('back: the provider field emptied', async () => (await providerField()) === '');
    await page.goBack();
    await page.goBack();
    await listIs(page, 'back: provider 456 without an iLCM', ['Mary Major (124)']);
    eq('back: the controls', ['ilcm', '456', ''], [await page.getByLabel('Assignment', { exact: true }).inputValue(),
      await page.getByLabel('Provider id').inputValue(), await page.getByLabel('Held by', { exact: true }).inputValue()]);
    await page.goBack();
    await listIs(page, 'back: page 2', zeds(24, 30));
    // Two hashchange events may come late, together: each routes to the URL then (this one),
    // and the second reads the page again ("Loading…") over the same rows.
    await eventually('back: page 2 of 2', async () => (await status()) === '32 patients, page 2 of 2.');
    await page.goBack();
    await eventually('back: page 1', async () => (await status()) === '32 patients, page 1 of 2.');
    await page.goForward();
    await listIs(page, 'forward: page 2', zeds(24, 30));
    await page.reload();
    await listIs(page, 'a reload keeps the filter', zeds(24, 30));
    eq('and its control', 'ilcm', await page.getByLabel('Assignment', { exact: true }).inputValue());

    // A value the API refuses: its message, and no list.
    await page.getByLabel('Provider id').fill('abc');
    await page.keyboard.press('Enter');
    eq('the API\'s message', 'provider_id must be a positive integer', await eventually('an alert', () => alertText(page.locator('section[aria-labelledby="queue-h"]'))));
  });

  test('queue_select_preview_a_bulk_assign_then_confirm_it_with_a_key', async (page, seen) => {
    await assign({ patient_id: 123, olcm_user_id: 101 });
    await capacity(102, { max_olcm: 2, max_ilcm: null }); // room for two
    const keys = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/bulk_assign')) keys.push([r.postDataJSON().dry_run, r.headers()['idempotency-key'] || null]);
    });
    await openQueue(page);
    await peopleRead(page);
    eq('nothing selected yet', 'No patient selected.', await page.locator('#queue-selected').innerText());
    for (const who of ['John Doe (123)', 'Mary Major (124)', 'Sam Minor (125)']) await page.getByLabel(`Select ${who}`).check();
    eq('three selected', '3 patients selected.', await page.locator('#queue-selected').innerText());
    await oneForm(page).getByLabel('Person').selectOption('102');
    await oneForm(page).getByLabel('Role').selectOption('olcm');
    await oneForm(page).getByRole('button', { name: 'Preview the assignment (dry run)' }).click();
    const preview = page.locator('#queue-preview');
    await preview.waitFor();
    eq('the preview', 'Preview (dry run, nothing changed yet): 2 would succeed, 1 would fail', await preview.locator('h3').innerText());
    eq('the focus on the preview', 'Preview (dry run, nothing changed yet): 2 would succeed, 1 would fail', await page.evaluate(() => document.activeElement.innerText));
    eq('John: from Jane to Bob', ['John Doe (123)', 'oLCM', 'Jane Coordinator (101)', 'Bob Manager (102)', 'would succeed', ''], await rowText(page, 123));
    eq('Mary: from no one', ['Mary Major (124)', 'oLCM', 'none', 'Bob Manager (102)', 'would succeed', ''], await rowText(page, 124));
    eq('Sam: past Bob\'s limit', ['Sam Minor (125)', 'oLCM', 'none', 'Bob Manager (102)', 'would fail', 'User 102 is at capacity for olcm'], await rowText(page, 125));
    eq('Bob\'s load before', [0, 0], await barOf(page, 102, 1));
    eq('Bob\'s load after: his limit', [2, 0], await barOf(page, 102, 2));
    eq('nothing written by the preview', [101, null], [(await team(123)).olcm.user_id, await team(124)]);
    // A changed selection drops the preview; so does a changed form.
    await page.getByLabel('Select Sam Minor (125)').uncheck();
    eq('the preview is gone with the selection', 0, await page.locator('#queue-preview').count());
    await page.getByLabel('Select Sam Minor (125)').check();
    await oneForm(page).getByRole('button', { name: 'Preview the assignment (dry run)' }).click();
    await preview.waitFor();
    await oneForm(page).getByLabel('Note').fill('new members');
    eq('the preview is gone with the form', 0, await page.locator('#queue-preview').count());
    await oneForm(page).getByRole('button', { name: 'Preview the assignment (dry run)' }).click();
    await page.getByRole('button', { name: 'Confirm: assign 2 patients' }).click();
    const done = page.locator('#queue-done');
    await done.waitFor();
    eq('the result', 'Done: 2 assigned, 1 failed', await done.locator('h3').innerText());
    eq('the notice', 'Assigned: 2 done, 1 failed.', await page.locator('#queue-actions .notice').innerText());
    eq('Sam\'s row', ['Sam Minor (125)', 'oLCM', 'none', 'Bob Manager (102)', 'failed', 'User 102 is at capacity for olcm', 'would fail: User 102 is at capacity for olcm'],
      await rowText(page, 125));
    eq('no row changed since the preview', 0, await page.locator('#queue-changed').count());
    eq('Bob after, as the API counts him', [2, 0], await barOf(page, 102, 2));
    eq('the API has it', [102, 102, null], [(await team(123)).olcm.user_id, (await team(124)).olcm.user_id, await team(125)]);
    const hist = await call('GET', '/patients/124/lead_care_managers/history');
    eq('with the reason', { code: 'initial_assignment', note: 'new members' }, hist.history[0].reason);
    // The dry runs went without a key; the real run with one.
    eq('three dry runs, then one real run', [true, true, true, false], keys.map(([d]) => d));
    check(keys.slice(0, 3).every(([, k]) => k === null), 'no key on a dry run: ' + JSON.stringify(keys));
    check(/^[0-9a-f]{32}$/.test(keys[3][1]), 'the real run carries an Idempotency-Key: ' + keys[3][1]);
    eq('the bulk items', [{ patient_id: 123, olcm_user_id: 102, reason: { code: 'initial_assignment', note: 'new members' } }],
      seen.bulk[3].assignments.slice(0, 1));
    // The queue read again: the selection cleared, the rows and counts as they are now.
    await eventually('the selection cleared', async () => (await page.locator('#queue-selected').innerText()) === 'No patient selected.');
    await eventually('the row redrawn', async () => (await cell(page, 124, 'olcm')).trim() === 'Bob Manager (102)');
    await eventually('the counts read again', async () => (await counts(page))[1] === '2 without an oLCM');
  });

  test('queue_auto_assign_preview_then_confirm', async (page) => {
    // Carla held 125's oLCM before: it goes back to her. Jane is at her limit.
    await assign({ patient_id: 125, olcm_user_id: 103 });
    await call('DELETE', '/lead_care_managers/assign', { patient_id: 125, role: 'olcm' });
    await assign({ patient_id: 123, olcm_user_id: 101 });
    await capacity(101, { max_olcm: 1, max_ilcm: null });
    await openQueue(page);
    await page.getByRole('link', { name: '3 without an oLCM' }).click();
    await listIs(page, 'those without an oLCM', ['Mary Major (124)', 'Pat Noprovider (126)', 'Sam Minor (125)']);
    await peopleRead(page);
    await page.getByRole('button', { name: 'Select all 3 that match' }).click();
    await eventually('all three selected', async () => (await page.locator('#queue-selected').innerText()) === '3 patients selected.');
    await autoForm(page).getByLabel('Role').selectOption('olcm');
    await autoForm(page).getByRole('button', { name: 'Preview auto-assign (dry run)' }).click();
    const preview = page.locator('#queue-preview');
    await preview.waitFor();
    eq('the preview', 'Preview (dry run, nothing changed yet): 3 planned, 0 failed', await preview.locator('h3').innerText());
    // In patient order: 124 to the one with the most room, then the fewest, then the lowest id
    // (Nora, 2); 125 back to Carla; 126 to Bob (Nora has one now, Jane none to spare).
    eq('Mary to Nora', ['Mary Major (124)', 'oLCM', 'Nora Nurse (2)', 'planned', ''], await rowText(page, 124));
    eq('Sam back to Carla', ['Sam Minor (125)', 'oLCM', 'Carla Intensive (103) previous holder', 'planned', ''], await rowText(page, 125));
    eq('Pat to Bob', ['Pat Noprovider (126)', 'oLCM', 'Bob Manager (102)', 'planned', ''], await rowText(page, 126));
    eq('every taker\'s load, before', [[0, 0], [1, 0], [0, 0], [0, 0]], await Promise.all([2, 101, 102, 103].map((u) => barOf(page, u, 1))));
    eq('and after', [[1, 0], [1, 0], [1, 0], [1, 0]], await Promise.all([2, 101, 102, 103].map((u) => barOf(page, u, 2))));
    eq('nothing written by the preview', [null, null, null], [await team(124), await team(125).then((c) => c.olcm), await team(126)]);
    await page.locator('#queue-actions').screenshot({ path: join(SHOTS, 'auto-assign-preview.png') });
    saved.push(join(SHOTS, 'auto-assign-preview.png'));
    await page.getByRole('button', { name: 'Confirm: auto-assign 3 patients' }).click();
    await page.locator('#queue-done').waitFor();
    eq('the result', 'Done: 3 auto-assigned, 0 failed', await page.locator('#queue-done h3').innerText());
    eq('Sam\'s row', ['Sam Minor (125)', 'oLCM', 'Carla Intensive (103) previous holder', 'assigned', '', 'Carla Intensive (103)'], await rowText(page, 125));
    eq('the API has it', [2, 103, 102], [(await team(124)).olcm.user_id, (await team(125)).olcm.user_id, (await team(126)).olcm.user_id]);
    await eventually('nobody left without an oLCM', async () => (await page.locator('#queue-status').innerText()) === 'No patient matches.');
    await eventually('the count too', async () => (await counts(page))[1] === '0 without an oLCM');
  });

  test('queue_stale_preview_the_result_says_what_happened_to_each_row', async (page) => {
    await openQueue(page, '#/patients?unassigned=olcm');
    await peopleRead(page);
    await page.getByRole('button', { name: 'Select all 4 that match' }).click();
    await eventually('all four selected', async () => (await page.locator('#queue-selected').innerText()) === '4 patients selected.');
    await page.locator('#auto-takers > summary').click();
    for (const u of [102, 103]) await page.locator(`#auto-taker-${u}`).check();
    await autoForm(page).getByRole('button', { name: 'Preview auto-assign (dry run)' }).click();
    await page.locator('#queue-preview').waitFor();
    // Bob and Carla alone, by id order of patients: 123 Bob, 124 Carla, 125 Bob, 126 Carla.
    eq('the plan', ['Bob Manager (102)', 'Carla Intensive (103)', 'Bob Manager (102)', 'Carla Intensive (103)'],
      await Promise.all([123, 124, 125, 126].map(async (p) => (await rowText(page, p))[2])));
    // Another admin, meanwhile, gives 124 an oLCM: it fails alone, and the takers of the
    // patients after it are chosen again (the fewest patients first, then the lower id).
    await assign({ patient_id: 124, olcm_user_id: 101 });
    await page.getByRole('button', { name: 'Confirm: auto-assign 4 patients' }).click();
    await page.locator('#queue-done').waitFor();
    eq('the result', 'Done: 3 auto-assigned, 1 failed', await page.locator('#queue-done h3').innerText());
    eq('said on top', '3 rows turned out otherwise than the preview said: someone changed them meanwhile. Each says what happened below.',
      await page.locator('#queue-changed').innerText());
    eq('123 as planned', ['John Doe (123)', 'oLCM', 'Bob Manager (102)', 'assigned', '', 'Bob Manager (102)'], await rowText(page, 123));
    eq('124 filled meanwhile', ['Mary Major (124)', 'oLCM', '—', 'failed changed since the preview', 'Patient 124 has an olcm already', 'Carla Intensive (103)'], await rowText(page, 124));
    eq('125 to Carla, not Bob', ['Sam Minor (125)', 'oLCM', 'Carla Intensive (103)', 'assigned changed since the preview', '', 'Bob Manager (102)'], await rowText(page, 125));
    eq('126 to Bob, not Carla', ['Pat Noprovider (126)', 'oLCM', 'Bob Manager (102)', 'assigned changed since the preview', '', 'Carla Intensive (103)'], await rowText(page, 126));
    eq('the other admin\'s assignment stands', 101, (await team(124)).olcm.user_id);
    eq('what the result says is what the API has', [102, 103, 102], [(await team(123)).olcm.user_id, (await team(125)).olcm.user_id, (await team(126)).olcm.user_id]);
  });

  test('queue_stale_bulk_preview_marks_the_rows_that_changed', async (page) => {
    await openQueue(page);
    await peopleRead(page);
    for (const who of ['Mary Major (124)', 'Pat Noprovider (126)']) await page.getByLabel(`Select ${who}`).check();
    await oneForm(page).getByLabel('Person').selectOption('102');
    await oneForm(page).getByRole('button', { name: 'Preview the assignment (dry run)' }).click();
    await page.locator('#queue-preview').waitFor();
    await capacity(102, { max_olcm: 1, max_ilcm: null }); // meanwhile: Bob's limit lowered to one
    await page.getByRole('button', { name: 'Confirm: assign 2 patients' }).click();
    await page.locator('#queue-done').waitFor();
    eq('the result', 'Done: 1 assigned, 1 failed', await page.locator('#queue-done h3').innerText());
    eq('Mary as previewed', ['Mary Major (124)', 'oLCM', 'none', 'Bob Manager (102)', 'success', '', 'would succeed'], await rowText(page, 124));
    eq('Pat changed', ['Pat Noprovider (126)', 'oLCM', 'none', 'Bob Manager (102)', 'failed changed since the preview', 'User 102 is at capacity for olcm', 'would succeed'], await rowText(page, 126));
    check((await page.locator('#queue-changed').innerText()).startsWith('1 row turned out otherwise'), 'the change is said on top');
  });

  // The confirm's answer lost on the way (the API applied it): "Confirm again" sends the same key,
  // and the API answers the first run again instead of applying it twice.
  test('queue_confirm_sent_again_is_applied_once', async (page) => {
    await openQueue(page);
    await peopleRead(page);
    for (const who of ['Mary Major (124)', 'Pat Noprovider (126)']) await page.getByLabel(`Select ${who}`).check();
    await autoForm(page).getByLabel('Role').selectOption('ilcm');
    await autoForm(page).getByRole('button', { name: 'Preview auto-assign (dry run)' }).click();
    await page.locator('#queue-preview').waitFor();
    const sent = [];
    let lost = 0;
    await page.route('**/auto_assign', async (route) => {
      const r = route.request();
      if (r.postDataJSON().dry_run !== false) return route.continue();
      sent.push(r.headers()['idempotency-key']);
      if (lost === 0) {
        const first = await route.fetch(); // it reaches the API and is applied ...
        lost = first.status();
        return route.abort('connectionreset'); // ... and its answer never comes back
      }
      return route.continue();
    });
    await page.getByRole('button', { name: 'Confirm: auto-assign 2 patients' }).click();
    const again = page.getByRole('button', { name: 'Confirm again' });
    await again.waitFor();
    eq('the first confirm was applied', [200, 2], [lost, (await team(124)).ilcm.user_id]);
    check((await alertText(page.locator('#queue-actions'))).startsWith('The API could not be reached'), 'the lost answer is said');
    eq('one activity per patient', 2, activities([124, 126]));
    const replay = page.waitForResponse((r) => r.url().endsWith('/auto_assign') && r.request().postDataJSON().dry_run === false);
    await again.click();
    const res = await replay;
    eq('the API replayed its first answer', 'true', res.headers()['idempotent-replayed']);
    await page.locator('#queue-done').waitFor();
    eq('the result is the first run\'s', 'Done: 2 auto-assigned, 0 failed', await page.locator('#queue-done h3').innerText());
    eq('both sends had the same key', [true, true], [sent.length === 2, sent[0] === sent[1] && /^[0-9a-f]{32}$/.test(sent[0])]);
    eq('still one activity per patient', 2, activities([124, 126]));
  });

  test('queue_select_all_that_match_up_to_1000', async (page, seen) => {
    dbSql(`INSERT INTO patients (id, name, primary_provider_id) SELECT 2000 + seq, CONCAT('Queue ', LPAD(seq, 4, '0')), 456 FROM seq_1_to_1010`);
    await openQueue(page, '#/patients?unassigned=olcm');
    await eventually('1014 without an oLCM', async () => (await page.locator('#queue-status').innerText()) === '1014 patients, page 1 of 41.');
    await peopleRead(page);
    const mark = seen.urls.length;
    await page.getByRole('button', { name: 'Select the first 1000 of 1014 that match' }).click();
    await eventually('1000 selected', async () => (await page.locator('#queue-selected').innerText()) === '1000 patients selected.', LONG);
    const reads = seen.urls.slice(mark).filter((u) => u.includes(API + '/patients?'));
    eq('read 100 at a time, ten pages', 10, reads.filter((u) => u.includes('per_page=100')).length);
    check(await page.getByLabel('Select every patient of this page').isChecked(), 'the page\'s box says all of it');
    await page.evaluate(() => { location.hash = '#/patients?unassigned=olcm&page=41'; });
    await listIs(page, 'the last page', [...Array.from({ length: 13 }, (_, i) => `Queue ${String(998 + i).padStart(4, '0')} (${2998 + i})`), 'Sam Minor (125)']);
    check(!(await page.getByLabel('Select Sam Minor (125)').isChecked()), 'past the first 1000: not selected');
    await page.getByLabel('Select Sam Minor (125)').click(); // (check() would insist that it stays checked)
    eq('one more is refused', 'At most 1000 patients at a time: one request of the API takes that many.',
      await eventually('the refusal', () => alertText(page.locator('section[aria-labelledby="queue-h"]'))));
    check(!(await page.getByLabel('Select Sam Minor (125)').isChecked()), 'and its box unticked');
    await oneForm(page).getByLabel('Person').selectOption('2');
    await oneForm(page).getByRole('button', { name: 'Preview the assignment (dry run)' }).click();
    await page.locator('#queue-preview').waitFor({ timeout: LONG });
    eq('the preview of 1000', 'Preview (dry run, nothing changed yet): 1000 would succeed, 0 would fail', await page.locator('#queue-preview h3').innerText());
    eq('one request of 1000 items', 1000, seen.bulk[seen.bulk.length - 1].assignments.length);
    eq('Nora after', [1000, 0], await barOf(page, 2, 2));
  });

  test('queue_export_downloads_the_file_the_api_names', async (page) => {
    await clinic();
    const today = dbSql('SELECT UTC_DATE()').trim();
    const yesterday = dbSql('SELECT UTC_DATE() - INTERVAL 1 DAY').trim();
    await openQueue(page);
    const form = page.locator('#queue-export');
    const save = async () => {
      const [dl] = await Promise.all([page.waitForEvent('download'), form.getByRole('button', { name: 'Download assignments.csv' }).click()]);
      return [dl.suggestedFilename(), readFileSync(await dl.path(), 'utf8')];
    };
    let [name, text] = await save();
    eq('named as the API names it', `lcm-assignments-${today}.csv`, name);
    const api = await fetch(BASE + API + '/lead_care_managers/assignments.csv', { headers: { 'X-User-Token': t.ADMIN } });
    eq('the API\'s file, as it sent it', await api.text(), text);
    eq('its rows', ['patient_id,patient_name,role,user_id,user_name,user_email,assigned_at', '123,John Doe,olcm,101', '123,John Doe,ilcm,102',
      '124,Mary Major,olcm,101', '125,Sam Minor,ilcm,104', '#end,4', ''], text.split('\r\n').map((l) => (l.startsWith('1') ? l.split(',').slice(0, 4).join(',') : l)));
    eq('the notice', `Downloaded lcm-assignments-${today}.csv: 4 rows.`, await form.locator('.notice').innerText());
    // As of yesterday: nobody held anyone yet.
    await form.getByLabel('As of (optional)').fill(yesterday);
    await form.getByLabel('Which').selectOption('olcm');
    [name, text] = await save();
    eq('as of a past day', [`lcm-assignments-${yesterday}.csv`, 'patient_id,patient_name,role,user_id,user_name,user_email,assigned_at\r\n#end,0\r\n'], [name, text]);
    // A day to come: the API's message, nothing saved.
    const tomorrow = dbSql('SELECT UTC_DATE() + INTERVAL 1 DAY').trim();
    await form.getByLabel('As of (optional)').fill(tomorrow);
    await form.getByRole('button', { name: 'Download assignments.csv' }).click();
    eq('the API\'s message', 'as_of must be a date (YYYY-MM-DD) from 1970-01-01 to today (UTC)', await eventually('the 422', () => alertText(form)));
    // A file cut short (no end line) is not offered as if it were whole.
    await form.getByLabel('As of (optional)').fill('');
    await page.route('**/assignments.csv*', (route) => route.fulfill({
      status: 200, contentType: 'text/csv; charset=utf-8', headers: { 'Content-Disposition': 'attachment; filename="lcm-assignments-x.csv"' },
      body: 'patient_id,patient_name,role,user_id,user_name,user_email,assigned_at\r\n123,John Doe,olcm,101,Jane',
    }), { times: 1 });
    let downloads = 0;
    page.on('download', () => { downloads += 1; });
    await form.getByRole('button', { name: 'Download assignments.csv' }).click();
    eq('a cut file is refused', 'The export was cut short: it lacks its end line, so it is not whole. Nothing was saved; download it again.',
      await eventually('the refusal', async () => { const s = await alertText(form); return s.startsWith('The export') && s; }));
    eq('and not saved', 0, downloads);
  });

  test('queue_by_keyboard_alone', async (page) => {
    await openQueue(page);
    await peopleRead(page);
    eq('focus on the heading', 'H1', await page.evaluate(() => document.activeElement.tagName));
    // Tab until an element is focused (at most 60 presses): what the keyboard can reach.
    const tabTo = async (what, test) => {
      for (let i = 0; i < 60; i += 1) {
        await page.keyboard.press('Tab');
        if (await page.evaluate(test)) return;
      }
      throw new Error(`Tab never reached ${what}`);
    };
    await tabTo('the "without an oLCM" count', () => document.activeElement.dataset.count === 'without_olcm');
    await page.keyboard.press('Enter');
    // Every patient is without an oLCM here: the filtered list has the same names as the
    // first one, so wait for the filter's own list to be drawn (a redraw under way would
    // also take the focus from the box the Tabs below reach).
    await filterDrawn(page, '4 without an oLCM');
    await listIs(page, 'the filter by Enter', ['John Doe (123)', 'Mary Major (124)', 'Pat Noprovider (126)', 'Sam Minor (125)']);
    eq('the URL', '#/patients?unassigned=olcm', hashOf(page));
    await tabTo('Mary\'s box', () => document.activeElement.getAttribute('aria-label') === 'Select Mary Major (124)');
    await page.keyboard.press('Space');
    eq('selected by Space', '1 patient selected.', await page.locator('#queue-selected').innerText());
    await tabTo('the auto-assign preview', () => document.activeElement.id === 'auto-preview');
    await page.keyboard.press('Enter');
    await page.locator('#queue-preview').waitFor();
    eq('the focus on the preview\'s heading', 'H3', await page.evaluate(() => document.activeElement.tagName));
    await page.keyboard.press('Tab');
    eq('then its Confirm', 'Confirm: auto-assign 1 patient', await page.evaluate(() => document.activeElement.innerText));
    await page.keyboard.press('Enter');
    await page.locator('#queue-done').waitFor();
    eq('assigned', 2, (await team(124)).olcm.user_id);
  });

  // ECM members beside the demo's patients, dates relative to the database's
  // day (UTC, as the test stack's clinic day), two days of margin at least:
  // 127 Ada Active   high,   active until d+20, oLCM Jane (no iLCM)
  // 128 Ben Ended    high,   ended d-2 (from d-100), oLCM Jane
  // 129 Cy Future    low,    starts d+2, until d+100
  // 130 Dot Undated  medium, no authorization dates
  // The roles are given before they are members (an authorization decides nothing here).
  async function members() {
    dbSql(`INSERT INTO patients (id, name, primary_provider_id) VALUES
      (127, 'Ada Active', 456), (128, 'Ben Ended', 456), (129, 'Cy Future', 456), (130, 'Dot Undated', NULL)`);
    await assign({ patient_id: 127, olcm_user_id: 101 });
    await assign({ patient_id: 128, olcm_user_id: 101 });
    dbSql(`INSERT INTO ecm_members (patient_id, member_id, cin, acuity_level, ecm_service_auth_id,
        ecm_benefit_auth_eff_date, ecm_benefit_auth_end_date, member_record_status, created_at, updated_at)
      SELECT 127, 'MEM127', 'CIN127', 'high', 'AUTH127', d - INTERVAL 30 DAY, d + INTERVAL 20 DAY, 'new_member', NOW(3), NOW(3) FROM (SELECT UTC_DATE() d) t
      UNION ALL SELECT 128, 'MEM128', 'CIN128', 'high', NULL, d - INTERVAL 100 DAY, d - INTERVAL 2 DAY, 'existing_member', NOW(3), NOW(3) FROM (SELECT UTC_DATE() d) t
      UNION ALL SELECT 129, 'MEM129', NULL, 'low', NULL, d + INTERVAL 2 DAY, d + INTERVAL 100 DAY, NULL, NOW(3), NOW(3) FROM (SELECT UTC_DATE() d) t
      UNION ALL SELECT 130, 'MEM130', NULL, 'medium', NULL, NULL, NULL, NULL, NOW(3), NOW(3) FROM (SELECT UTC_DATE() d) t`);
    const day = (n) => dbSql(`SELECT UTC_DATE() + INTERVAL ${n} DAY`).trim();
    return { plus20: day(20), minus2: day(-2), plus2: day(2), plus100: day(100), minus30: day(-30) };
  }
  const ecmCells = async (page, id) => (await page.locator(`#queue-results tr[data-patient-id="${id}"] td[data-ecm]`).allInnerTexts()).map((s) => s.trim());

  test('queue_members_show_acuity_and_authorization_and_filter_on_them', async (page) => {
    const d = await members();
    await openQueue(page);
    eq('every patient, members among them', ['Ada Active (127)', 'Ben Ended (128)', 'Cy Future (129)', 'Dot Undated (130)',
      'John Doe (123)', 'Mary Major (124)', 'Pat Noprovider (126)', 'Sam Minor (125)'], await names(page));
    eq('Ada: acuity, authorization with its end', ['high', `active until ${d.plus20}`], await ecmCells(page, 127));
    eq('Ben: ended', ['high', `ended ${d.minus2}`], await ecmCells(page, 128));
    eq('Cy: not started', ['low', `starts ${d.plus2}, until ${d.plus100}`], await ecmCells(page, 129));
    eq('Dot: no dates', ['medium', 'no authorization dates'], await ecmCells(page, 130));
    eq('John: no member', ['not a member', 'not a member'], await ecmCells(page, 123));
    eq('the summary\'s two counts', ['1 high acuity, authorized, without an iLCM', '1 authorization ended, still held'], (await counts(page)).slice(5));

    const acuity = () => page.getByLabel('Acuity', { exact: true });
    const authorization = () => page.getByLabel('Authorization', { exact: true });
    const ends = () => page.getByLabel('Authorization ends within (days)');
    const careTeam = () => page.getByLabel('Care team', { exact: true });
    await acuity().selectOption('high');
    await listIs(page, 'high acuity', ['Ada Active (127)', 'Ben Ended (128)']);
    eq('acuity in the URL', '#/patients?acuity=high', hashOf(page));
    await authorization().selectOption('ended');
    await listIs(page, 'high acuity, ended', ['Ben Ended (128)']);
    eq('both in the URL', '#/patients?acuity=high&authorization=ended', hashOf(page));
    await acuity().selectOption('');
    await authorization().selectOption('not_started');
    await listIs(page, 'not started', ['Cy Future (129)']);
    await authorization().selectOption('active');
    await ends().fill('30');
    await page.keyboard.press('Enter');
    await listIs(page, 'active, ending within 30 days', ['Ada Active (127)']);
    eq('the window in the URL', '#/patients?authorization=active&auth_ends_within_days=30', hashOf(page));
    await ends().fill('10');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await eventually('nothing ends within 10 days', async () => (await page.locator('#queue-status').innerText()) === 'No patient matches.');
    await careTeam().selectOption('false');
    await eventually('the care team filter in the URL', async () => hashOf(page) === '#/patients?authorization=active&auth_ends_within_days=10&assigned=false');

    // The summary's two counts: links that filter the list, marked while they are the filter.
    await page.getByRole('link', { name: '1 high acuity, authorized, without an iLCM' }).click();
    await listIs(page, 'the high-acuity list', ['Ada Active (127)']);
    eq('its filter in the URL', '#/patients?unassigned=ilcm&acuity=high&authorization=active', hashOf(page));
    await eventually('the controls follow the link', async () => JSON.stringify([await acuity().inputValue(), await authorization().inputValue(),
      await page.getByLabel('Assignment', { exact: true }).inputValue(), await ends().inputValue(), await careTeam().inputValue()]) ===
      JSON.stringify(['high', 'active', 'ilcm', '', '']));
    eq('marked as the current filter', ['1 high acuity, authorized, without an iLCM'], await page.locator('#queue-summary a[aria-current="true"]').allInnerTexts());
    await page.getByRole('link', { name: '1 authorization ended, still held' }).click();
    await listIs(page, 'the ended-but-held list', ['Ben Ended (128)']);
    eq('its filter in the URL', '#/patients?authorization=ended&assigned=true', hashOf(page));
    await eventually('the care team control says so', async () => (await careTeam().inputValue()) === 'true');
    eq('marked as the current filter', ['1 authorization ended, still held'], await page.locator('#queue-summary a[aria-current="true"]').allInnerTexts());
    // Freeing Ben's oLCM empties that list, and the count follows when the queue is read again.
    await call('DELETE', '/lead_care_managers/assign', { patient_id: 128, role: 'olcm' });
    await page.reload();
    await eventually('the count after the change', async () => (await counts(page))[6] === '0 authorization ended, still held');
    await eventually('and its list', async () => (await page.locator('#queue-status').innerText()) === 'No patient matches.');

    // Back: the previous filter, list and controls.
    await page.goBack();
    await listIs(page, 'back: the high-acuity list', ['Ada Active (127)']);
    await eventually('back: the controls', async () => (await acuity().inputValue()) === 'high' && (await careTeam().inputValue()) === '');

    // A value the API refuses: its message.
    await ends().fill('abc');
    await page.keyboard.press('Enter');
    eq('the API\'s message', 'auth_ends_within_days must be an integer between 0 and 3650',
      await eventually('an alert', () => alertText(page.locator('section[aria-labelledby="queue-h"]'))));
  });

  test('patient_page_shows_the_members_facts', async (page) => {
    const d = await members();
    await openQueue(page);
    await page.getByRole('link', { name: 'Ada Active (127)' }).click();
    await page.getByRole('heading', { name: 'Ada Active (patient 127)' }).waitFor();
    const facts = page.locator('section[aria-labelledby="member-h"]');
    const rows = async () => facts.locator('dl').evaluate((dl) => [...dl.querySelectorAll('dt')].map((dt) => [dt.innerText.trim(), dt.nextElementSibling.innerText.trim()]));
    eq('Ada\'s facts', [['Member id', 'MEM127'], ['CIN', 'CIN127'], ['Acuity', 'high'], ['Authorization', 'active'],
      ['Effective date', d.minus30], ['End date', d.plus20], ['Service authorization id', 'AUTH127'], ['Record status', 'new member']],
    await eventually('the member section', rows));
    await page.goto(BASE + '/console/#/patient/128');
    await page.getByRole('heading', { name: 'Ben Ended (patient 128)' }).waitFor();
    eq('Ben\'s, ended', [['Member id', 'MEM128'], ['CIN', 'CIN128'], ['Acuity', 'high'], ['Authorization', 'ended'],
      ['Effective date', dbSql('SELECT UTC_DATE() - INTERVAL 100 DAY').trim()], ['End date', d.minus2], ['Service authorization id', 'none'],
      ['Record status', 'existing member']], await eventually('the member section', rows));
    await page.goto(BASE + '/console/#/patient/130');
    await page.getByRole('heading', { name: 'Dot Undated (patient 130)' }).waitFor();
    eq('Dot, without dates', [['Member id', 'MEM130'], ['CIN', 'none'], ['Acuity', 'medium'], ['Authorization', 'no authorization dates'],
      ['Effective date', 'none'], ['End date', 'none'], ['Service authorization id', 'none'], ['Record status', 'none']], await eventually('the member section', rows));
    await page.goto(BASE + '/console/#/patient/123');
    await page.getByRole('heading', { name: 'John Doe (patient 123)' }).waitFor();
    eq('John is no member', 'Not an ECM member: no Member Information File has named this patient.',
      await eventually('the member section', async () => (await facts.locator('p').innerText()).trim()));
  });

  test('queue_members_readable_at_200_percent_zoom_with_labelled_controls', async (page) => {
    await members();
    await openQueue(page, '#/patients?acuity=high&authorization=active&auth_ends_within_days=30');
    await listIs(page, 'the filtered list', ['Ada Active (127)']);
    eq('the queue with the member filters at 200%', [], await t.problems(page));
    await page.getByRole('link', { name: 'Ada Active (127)' }).click();
    await page.getByRole('heading', { name: 'Ada Active (patient 127)' }).waitFor();
    await page.locator('section[aria-labelledby="member-h"] dl').waitFor();
    eq('a member\'s page at 200%', [], await t.problems(page));
  }, { viewport: { width: 640, height: 800 }, deviceScaleFactor: 2 });

  // The list read again after a confirm, answered late: the admin has meanwhile chosen another
  // filter, whose list is on the page; the late answer (of the filter before) draws nothing.
  test('queue_a_late_list_does_not_draw_over_a_newer_filter', async (page) => {
    await clinic();
    await countAnswers(page);
    await openQueue(page);
    await peopleRead(page);
    for (const who of ['Mary Major (124)', 'Pat Noprovider (126)']) await page.getByLabel(`Select ${who}`).check();
    await autoForm(page).getByLabel('Role').selectOption('ilcm');
    await autoForm(page).getByRole('button', { name: 'Preview auto-assign (dry run)' }).click();
    await page.locator('#queue-preview').waitFor();
    const lists = /\/patients\?/;
    const late = await holdNext(page, (u) => u.pathname === API + '/patients');
    await page.getByRole('button', { name: 'Confirm: auto-assign 2 patients' }).click();
    await page.locator('#queue-done').waitFor();
    await late.held; // the list of every patient, read again, not answered yet
    await page.getByRole('link', { name: '1 held by a deactivated person' }).click();
    await filterDrawn(page, '1 held by a deactivated person');
    await listIs(page, 'the newer filter\'s list', ['Sam Minor (125)']);
    const read = await answersTo(page, lists);
    late.release();
    await eventually('the late answer read', async () => (await answersTo(page, lists)) > read);
    eq('the newer filter\'s list stays', ['Sam Minor (125)'], await names(page));
    eq('and its status', '1 patient, page 1 of 1.', await page.locator('#queue-status').innerText());
    eq('the filter in the URL', '#/patients?held_by_inactive=true', hashOf(page));
  });

  // A dry run answered after its form or the selection changed: the preview is of a choice
  // no longer on the page, and its Confirm would send it; it is not shown.
  test('queue_a_preview_answered_after_a_change_is_not_shown', async (page) => {
    await countAnswers(page);
    await openQueue(page);
    await peopleRead(page);
    await page.getByLabel('Select Mary Major (124)').check();
    await oneForm(page).getByLabel('Person').selectOption('102');
    const dryRuns = /\/bulk_assign$/;
    const preview = async (what, meanwhile) => {
      const slow = await holdNext(page, (u) => u.pathname === API + '/lead_care_managers/bulk_assign');
      const read = await answersTo(page, dryRuns);
      await oneForm(page).getByRole('button', { name: 'Preview the assignment (dry run)' }).click();
      await slow.held;
      await meanwhile();
      slow.release();
      await eventually(`${what}: the dry run's answer read`, async () => (await answersTo(page, dryRuns)) > read);
    };
    await preview('the role', () => oneForm(page).getByLabel('Role').selectOption('ilcm'));
    eq('a changed form: no preview', 0, await page.locator('#queue-preview').count());
    await preview('the selection', () => page.getByLabel('Select Pat Noprovider (126)').check());
    eq('a changed selection: no preview', 0, await page.locator('#queue-preview').count());
    // Nothing changed meanwhile: the same late answer is the preview.
    await preview('nothing', async () => {});
    eq('the preview of the choice on the page', 'Preview (dry run, nothing changed yet): 2 would succeed, 0 would fail',
      await page.locator('#queue-preview h3').innerText());
    eq('of the role on the page', ['iLCM', 'iLCM'], [(await rowText(page, 124))[1], (await rowText(page, 126))[1]]);
  });

  test('queue_readable_at_200_percent_zoom_with_labelled_controls', async (page) => {
    await clinic();
    await openQueue(page);
    await peopleRead(page);
    await page.getByLabel('Select Mary Major (124)').check();
    await page.getByLabel('Select Pat Noprovider (126)').check();
    await page.locator('#auto-takers > summary').click();
    await autoForm(page).getByLabel('Role').selectOption('ilcm');
    await autoForm(page).getByRole('button', { name: 'Preview auto-assign (dry run)' }).click();
    await page.locator('#queue-preview').waitFor();
    eq('the queue with a preview at 200%', [], await t.problems(page));
    await page.getByRole('button', { name: 'Confirm: auto-assign 2 patients' }).click();
    await page.locator('#queue-done').waitFor();
    // The result is drawn with the list and the counts asked for again ("Loading…"): the page
    // is checked once they are back, as it then stays.
    await eventually('the list read again', async () => /patient/.test(await page.locator('#queue-status').innerText()));
    await eventually('the counts read again', async () => (await counts(page))[2] === '0 without an iLCM');
    eq('and with a result', [], await t.problems(page));
  }, { viewport: { width: 640, height: 800 }, deviceScaleFactor: 2 });
}
