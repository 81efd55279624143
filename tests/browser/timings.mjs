// The patients' queue timed at 10,000 patients (tests/browser/timings.sh
// seeds them): how long the queue takes to show its rows, and a preview of
// 1000 patients (selected as "all that match", then a bulk dry run and an
// auto-assign dry run). It prints figures and asserts none of them: a speed
// target in a test would fail on a busy machine, not on a slow page.
// Environment: BASE, CHROMIUM, TOKEN (the seed's admin token), RUNS (5).
import { chromium } from 'playwright-core';

const { BASE, TOKEN } = process.env;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const RUNS = Number(process.env.RUNS || 5);
const TIMEOUT = 60000;

// In the page, from its start: when each awaited thing is there, by performance.now().
function marks() {
  window.__t = {};
  const mark = (k) => {
    if (!(k in window.__t)) window.__t[k] = performance.now();
  };
  new MutationObserver(() => {
    if (document.querySelector('#queue-results tbody tr')) {
      mark('rows');
      requestAnimationFrame(() => mark('rowsFrame')); // the frame that paints them
    }
    const c = document.querySelector('#queue-summary .count');
    if (c && c.textContent !== '…') mark('summary');
    if (document.querySelector('#bulk-person option[value="101"]')) mark('people');
    const s = document.querySelector('#queue-selected');
    if (s && /^1000 patients selected/.test(s.textContent)) mark('selected');
    if (document.querySelector('#queue-preview')) requestAnimationFrame(() => mark('preview'));
  }).observe(document, { subtree: true, childList: true, characterData: true });
  document.addEventListener('click', (e) => { window.__t[`click:${e.target.id}`] = performance.now(); }, true);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function line(what, xs) {
  const r = (x) => Math.round(x);
  console.log(`  ${what.padEnd(58)} median ${String(r(median(xs))).padStart(5)} ms  (${xs.map(r).join(', ')})`);
}
const waitMark = (page, k) => page.waitForFunction((key) => window.__t && key in window.__t, k, { timeout: TIMEOUT });
const getMarks = (page) => page.evaluate(() => window.__t);
const resetMarks = (page) => page.evaluate(() => { for (const k of Object.keys(window.__t)) delete window.__t[k]; });
// The API's part: the last request whose URL ends so, as Resource Timing saw it (request start to response end).
const apiTime = (page, end) => page.evaluate((e) => {
  const r = performance.getEntriesByType('resource').filter((x) => x.name.split('?')[0].endsWith(e)).pop();
  return r ? r.responseEnd - r.requestStart : NaN;
}, end);

const browser = await chromium.launch({ executablePath: CHROMIUM });
const fresh = async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript(([t]) => sessionStorage.setItem('lcm-console-token', t), [TOKEN]);
  await context.addInitScript(marks);
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  return { context, page };
};

console.log(`The queue at ${BASE}, ${RUNS} runs each (times from the page's start, or from the click):`);
for (const [label, hash] of [['#/patients (every patient)', '#/patients'], ['#/patients?unassigned=olcm', '#/patients?unassigned=olcm']]) {
  const cold = { rows: [], summary: [], fcp: [] };
  const warm = { rows: [] };
  for (let i = 0; i < RUNS; i += 1) {
    const { context, page } = await fresh();
    await page.goto(BASE + '/console/' + hash);
    await waitMark(page, 'rowsFrame');
    await waitMark(page, 'summary');
    let m = await getMarks(page);
    cold.rows.push(m.rowsFrame);
    cold.summary.push(m.summary);
    cold.fcp.push(await page.evaluate(() => (performance.getEntriesByName('first-contentful-paint')[0] || { startTime: NaN }).startTime));
    await page.reload();
    await waitMark(page, 'rowsFrame');
    m = await getMarks(page);
    warm.rows.push(m.rowsFrame);
    await context.close();
  }
  console.log(` ${label}:`);
  line('first contentful paint (the heading)', cold.fcp);
  line('the list\'s first 25 rows painted, new tab', cold.rows);
  line('the summary\'s counts there, new tab', cold.summary);
  line('the list\'s first 25 rows painted, reload (modules cached)', warm.rows);
}

const { page } = await fresh();
await page.goto(BASE + '/console/#/patients?unassigned=olcm');
await waitMark(page, 'rowsFrame');
await waitMark(page, 'people');
const total = await page.locator('#queue-status').innerText();
const t = { select: [], bulk: [], bulkApi: [], auto: [], autoApi: [] };
const form = (id) => page.locator(`form[aria-labelledby="${id}"]`);
for (let i = 0; i < RUNS; i += 1) {
  if (await page.locator('#queue-select-none').isEnabled()) await page.locator('#queue-select-none').click();
  await resetMarks(page);
  await page.locator('#queue-select-all').click();
  await waitMark(page, 'selected');
  let m = await getMarks(page);
  t.select.push(m.selected - m['click:queue-select-all']);

  await form('assign-one-h').getByLabel('Person').selectOption('101');
  await resetMarks(page);
  await page.locator('#bulk-preview').click();
  await waitMark(page, 'preview');
  m = await getMarks(page);
  t.bulk.push(m.preview - m['click:bulk-preview']);
  t.bulkApi.push(await apiTime(page, '/bulk_assign'));
  if (i === 0) console.log(`\n ${total} Bulk: ${await page.locator('#queue-preview h3').innerText()}`);

  await resetMarks(page);
  await page.locator('#auto-preview').click();
  await page.locator('#queue-preview[data-kind="auto"]').waitFor();
  await waitMark(page, 'preview');
  m = await getMarks(page);
  t.auto.push(m.preview - m['click:auto-preview']);
  t.autoApi.push(await apiTime(page, '/auto_assign'));
  if (i === 0) console.log(` Auto: ${await page.locator('#queue-preview h3').innerText()} (${await page.locator('#queue-preview tr[data-user-id]').count()} takers)`);
}
line('"Select the first 1000 ... that match" (10 reads of 100)', t.select);
line('bulk dry run of 1000 selected: click to preview painted', t.bulk);
line('  of which the API request', t.bulkApi);
line('auto-assign dry run of 1000: click to preview painted', t.auto);
line('  of which the API request', t.autoApi);
await browser.close();
