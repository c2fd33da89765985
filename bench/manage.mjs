// "My QR codes" at WhatsApp's limit: a number with 2,000 codes (made at once by the emulator's
// POST /__emulator/seed), listed by the page in headless Chromium. Each run opens a fresh page,
// presses "Show my QR codes" and reads the page's performance entries: the render (from the List
// reply to the table on screen, `manage-render`), the whole click-to-table time, and then a
// search and a sort over the 2,000. Medians and p90 over the runs; the page's own DOM size.
//
//   node bench/manage.mjs [--runs 10] [--json]   (www/pkg built; CAMS_RELAY_BIN: the relay binary)
import { arg, median, ms, quantile } from './lib.mjs';
import { launchBrowser, openPage, pageReady, seedCodes, startRelay } from '../tests/page/helpers.mjs';

const runs = Number(arg('runs', 10));
const PHONE = '8613900002000';
const COUNT = 2000;

const relay = await startRelay(['--sts-rate-limit', '0', '--cams-rate-limit', '0']);
const browser = await launchBrowser();
const rows = [];
try {
  const seeded = await seedCodes(relay, { phoneNumber: PHONE, count: COUNT, message: 'Hello from store' });
  if (seeded.created !== COUNT) throw new Error(`seeded ${seeded.created} codes, not ${COUNT}`);
  for (let i = 0; i < runs + 1; i++) {
    const { page, context } = await openPage(browser, relay.url);
    await pageReady(page);
    const manage = page.locator('#manage');
    await manage.getByLabel('Phone number').fill(PHONE);
    const t0 = await page.evaluate(() => performance.now());
    await manage.getByRole('button', { name: 'Show my QR codes' }).click();
    await page.waitForFunction(() => performance.getEntriesByName('manage-render').length > 0);
    const row = await page.evaluate(async (start) => {
      const render = performance.getEntriesByName('manage-render')[0];
      const clickToTable = render.startTime + render.duration - start;
      const search = document.querySelector('#manage-search');
      let t = performance.now();
      search.value = 'store 1999';
      search.dispatchEvent(new Event('input'));
      const searchMs = performance.now() - t;
      search.value = '';
      search.dispatchEvent(new Event('input'));
      const sort = document.querySelector('#manage-sort');
      t = performance.now();
      sort.value = 'message';
      sort.dispatchEvent(new Event('change'));
      const sortMs = performance.now() - t;
      return {
        render: render.duration,
        clickToTable,
        searchMs,
        sortMs,
        rows: document.querySelectorAll('#manage tbody tr').length,
        pageHeight: document.documentElement.scrollHeight,
      };
    }, t0);
    await context.close();
    if (i > 0) rows.push(row); // the first run warms the relay and the browser process
  }
} finally {
  await browser.close();
  await relay.stop();
}

const stat = (key) => ({ median: median(rows.map((r) => r[key])), p90: quantile(rows.map((r) => r[key]), 0.9) });
const result = {
  codes: COUNT,
  runs,
  render: stat('render'),
  clickToTable: stat('clickToTable'),
  search: stat('searchMs'),
  sort: stat('sortMs'),
  rowsOnScreen: rows[0].rows,
  pageHeight: rows[0].pageHeight,
};
if (process.argv.includes('--json')) {
  console.log(JSON.stringify(result));
} else {
  console.log(`My QR codes with ${COUNT} codes, ${runs} runs (median / p90):`);
  console.log(`  render (List reply to table):   ${ms(result.render.median)} / ${ms(result.render.p90)}`);
  console.log(`  click to table (List included): ${ms(result.clickToTable.median)} / ${ms(result.clickToTable.p90)}`);
  console.log(`  search over ${COUNT}:              ${ms(result.search.median)} / ${ms(result.search.p90)}`);
  console.log(`  sort by message:                ${ms(result.sort.median)} / ${ms(result.sort.p90)}`);
  console.log(`  rows on screen: ${result.rowsOnScreen}; page height: ${result.pageHeight} px`);
}
