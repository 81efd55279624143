// The demo clinic (make demo, deploy/demo.sh) in the console: the screenshot
// README.md's quick start shows, taken here on every run so it stays what
// the console shows. Registered by console.mjs, whose runner gives the test
// a fresh stack state (the demo data) and browser context, and fails it on a
// CSP violation or an uncaught error.
import { spawn } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { acuityText, authorizationText } from '../../nginx/console/js/member.js';

// The README's screenshot: in the console's folder, beside its README (the
// console's documentation, never installed: make install copies only the
// page's html, css, svg and js).
export const README_SHOT = 'nginx/console/screenshot-queue.png';
const SHOWN = 10; // the queue's rows it shows

/* deploy/demo.sh against this stack, as make demo runs it; resolves to its output, or rejects with it. */
function demoLoad(ROOT, BASE, HVAR) {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, LCM_VAR: HVAR, LCM_PORT: new URL(BASE).port };
    const child = spawn('bash', [join(ROOT, 'deploy', 'demo.sh')], { cwd: ROOT, env });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('close', (rc) => (rc === 0 ? resolve(out) : reject(new Error(`deploy/demo.sh exited ${rc}: ${out.slice(-600)}`))));
  });
}

export function demoTests(test, t) {
  const { ROOT, BASE, HVAR, SHOTS, LONG, saved, check, eq, eventually, call } = t;

  test('demo_clinic_queue_is_the_readmes_screenshot', async (page) => {
    const before = await call('GET', '/patients/summary');
    await demoLoad(ROOT, BASE, HVAR);
    const summary = await call('GET', '/patients/summary');
    const first = await call('GET', '/patients?page=1&per_page=25');
    const inactive = (await call('GET', '/lead_care_managers?inactive_with_patients=true')).lead_care_managers
      .filter((p) => p.assigned_patients_count > 0);
    // What make demo promises (README.md), as the API counts it: the clinic
    // beside the contract's demo data.
    eq('the clinic\'s 300 patients beside the demo data', 300, summary.patients - before.patients);
    check(summary.without_olcm - before.without_olcm >= 24 && summary.without_ilcm - before.without_ilcm >= 24,
      `a few dozen waiting for each role: ${JSON.stringify(summary)}`);
    eq('one deactivated person holding patients', 1, inactive.length);

    // The console as a newcomer opens it: signed in, on its first page.
    await page.addInitScript(([k, v]) => {
      if (!sessionStorage.getItem('signed-in-once')) {
        sessionStorage.setItem('signed-in-once', '1');
        sessionStorage.setItem(k, v);
      }
    }, [t.TOKEN_KEY, t.ADMIN]);
    await page.goto(BASE + '/console/');
    await page.getByRole('heading', { level: 1, name: 'Patients' }).waitFor();
    eq('the console opens on the queue', '#/patients', new URL(page.url()).hash);
    // Painted: the list's status, the summary's counts, and the people read
    // after the list (the "Held by" picker filled, the deactivated holder's
    // rows marked "inactive" with it).
    const counts = page.locator('#queue-summary a');
    await eventually('the list and the summary painted', async () =>
      /^\d+ patients, page 1 of \d+\.$/.test(await page.locator('#queue-status').innerText()) &&
      !(await counts.allInnerTexts()).some((c) => c.startsWith('…')), LONG);
    await page.locator(`#queue-holder option[value="${inactive[0].id}"]`).waitFor({ state: 'attached' });

    eq('the summary: the clinic\'s counts', [
      `${summary.patients} patients`, `${summary.without_olcm} without an oLCM`, `${summary.without_ilcm} without an iLCM`,
      `${summary.without_both} without both`, `${summary.assigned_to_inactive} held by a deactivated person`,
      `${summary.high_acuity_without_ilcm} high acuity, authorized, without an iLCM`,
      `${summary.authorization_ended_assigned} authorization ended, still held`,
    ], await counts.allInnerTexts());
    eq('the status', `${summary.patients} patients, page 1 of ${first.pagination.total_pages}.`,
      await page.locator('#queue-status').innerText());
    // The rows: the API's first page, the clinic's patients with their teams
    // (and, for an ECM member, the acuity and authorization, as queue.mjs's
    // tests hold them said).
    const holder = (id, name) => (id ? `${name} (${id})${inactive.some((p) => p.id === id) ? ' inactive' : ''}` : 'none');
    const want = first.patients.map((p) => {
      const c = p.case_load;
      return [`${p.name} (${p.id})`, c ? (c.provider_id ? `${c.provider_name} (${c.provider_id})` : 'none') : 'no case load yet',
        holder(c && c.olcm_user_id, c && c.olcm_name), holder(c && c.ilcm_user_id, c && c.ilcm_name),
        acuityText(p.ecm_eligibility_information), authorizationText(p.ecm_eligibility_information)];
    });
    const rows = await page.locator('#queue-results tbody tr').evaluateAll((trs) => trs.map((tr) =>
      [tr.querySelector('th').innerText, ...[...tr.querySelectorAll('td:not(.pick)')].map((td) => td.innerText)]
        .map((s) => s.replace(/\s+/g, ' ').trim())));
    eq('the first page of the queue, as the API has it', want, rows);
    // What the picture shows (its first SHOWN rows): the clinic's patients,
    // full care teams and roles waiting ("none"), and the deactivated person
    // the README names, marked.
    const shown = rows.slice(0, SHOWN);
    check(first.patients.slice(0, SHOWN).every((p) => p.id >= 1001 && p.id <= 1300), `the rows shown are the clinic's patients: ${JSON.stringify(shown)}`);
    check(shown.some((r) => !r.includes('none')) && shown.some((r) => r[2] === 'none') && shown.some((r) => r[3] === 'none'),
      `the rows shown have full care teams and each role waiting for someone: ${JSON.stringify(shown)}`);
    eq('the deactivated person the README names', 'Nadia Rahman', inactive[0].name);
    check(shown.some((r) => r.includes(`Nadia Rahman (${inactive[0].id}) inactive`)), `a row shown held by Nadia Rahman, marked inactive: ${JSON.stringify(shown)}`);

    // The README embeds the screenshot (its quick start), and this takes it.
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const quick = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('\n## ', readme.indexOf('## Quick start') + 1));
    check(quick.includes(`](${README_SHOT})`), `README.md's quick start embeds ${README_SHOT}`);
    // The heading's focus ring (focus goes there after each navigation) is
    // no part of what the picture shows.
    await page.evaluate(() => { document.activeElement.blur(); return document.fonts.ready; });
    // The page down to the last row shown, whole: its width, no scrolling.
    const last = await page.locator('#queue-results tbody tr').nth(SHOWN - 1).boundingBox();
    const shot = join(ROOT, README_SHOT);
    await page.screenshot({ path: shot, clip: { x: 0, y: 0, width: 1280, height: Math.ceil(last.y + last.height) } });
    copyFileSync(shot, join(SHOTS, 'demo-queue.png'));
    saved.push(shot, join(SHOTS, 'demo-queue.png'));
  }, { viewport: { width: 1280, height: 1000 } });
}
