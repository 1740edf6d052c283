// Drives the search page in headless Chromium: types each query, checks the
// first result is the expected file, and that its audio element loads.
// Usage: node search_page.mjs <base url> <screenshot.png> <query> <expected file name> [<query> <file>]...
// A query written phonetic:xx:text runs as a phonetic search in language xx.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { chromium } = createRequire(path.join(root, 'third_party/package.json'))('playwright-core');

const [base, shot, ...pairs] = process.argv.slice(2);
if (!base || pairs.length < 2 || pairs.length % 2) {
  console.error('usage: node search_page.mjs <base url> <screenshot.png> <query> <expected file> ...');
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});
let failed = 0;
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => { console.error('page error:', e.message); failed++; });
  await page.goto(base, { waitUntil: 'load' });
  await page.waitForFunction(() => /segments/.test(document.getElementById('status').textContent));
  for (let i = 0; i < pairs.length; i += 2) {
    const [query, expected] = [pairs[i], pairs[i + 1]];
    // "phonetic:xx:text" ticks "match sounds" and picks language xx.
    const m = /^phonetic:([a-z]{2}):(.*)$/.exec(query);
    await page.setChecked('#phonetic', !!m);
    await page.selectOption('#lang', m ? m[1] : '');
    await page.fill('#q', '');
    await page.type('#q', m ? m[2] : query);
    await page.click('#go');
    await page.waitForSelector('li.hit', { timeout: 20000 });
    const first = page.locator('li.hit').first();
    const file = path.basename(await first.getAttribute('data-file'));
    const start = Number(await first.getAttribute('data-start'));
    // The audio element must fetch the file and reach the segment's start.
    const audio = first.locator('audio');
    await audio.evaluate((a) => a.readyState >= 1 || new Promise((ok, bad) => {
      a.addEventListener('loadedmetadata', ok, { once: true });
      a.addEventListener('error', () => bad(new Error('audio failed to load: ' + a.src)), { once: true });
      setTimeout(() => bad(new Error('audio did not load in 10 s: ' + a.src)), 10000);
    }));
    const info = await audio.evaluate((a) => ({ duration: a.duration, t: a.currentTime, src: a.src }));
    const ok = file === expected && info.duration > 0 && Math.abs(info.t - start) < 0.5;
    console.log(`${ok ? 'ok  ' : 'FAIL'} "${query}" -> ${file} (want ${expected}), audio ${info.duration.toFixed(2)} s at ${info.t.toFixed(2)} (segment start ${start})`);
    if (!ok) failed++;
  }
  // The page a user keeps: the last search is in the URL and comes back on
  // reload and with back; hits show what was heard; an empty query and the
  // favicon get answers, not silence or a 404.
  const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failed++; };
  const url = new URL(page.url());
  check(url.searchParams.get('q') !== null, `search kept in the URL (${url.search})`);
  const firstBefore = await page.locator('li.hit').first().getAttribute('data-file');
  await page.reload({ waitUntil: 'load' });
  await page.waitForSelector('li.hit', { timeout: 20000 });
  check(await page.inputValue('#q') === url.searchParams.get('q'), 'reload restores the query box');
  check(await page.locator('li.hit').first().getAttribute('data-file') === firstBefore, 'reload shows the same first hit');
  const heard = await page.locator('li.hit .heard').first().textContent();
  check(/^heard: \/.+\/$/.test(heard), `a hit shows what was heard (${heard})`);
  await page.fill('#q', '');
  await page.click('#go');
  check(/type what is said/.test(await page.locator('#results').textContent()), 'an empty query is answered');
  const icon = await page.request.get(new URL('/favicon.ico', base).toString());
  check(icon.status() === 200, `favicon ${icon.status()}`);
  // Busy state: the button is disabled while a search runs.
  await page.fill('#q', pairs[0]);
  const busy = page.evaluate(() => new Promise((ok) => {
    const b = document.getElementById('go');
    new MutationObserver(() => { if (b.disabled) ok(true); }).observe(b, { attributes: true });
    setTimeout(() => ok(false), 15000);
  }));
  await page.click('#go');
  check(await busy, 'the search button is disabled while searching');
  await page.waitForSelector('li.hit', { timeout: 20000 });
  await page.goBack();
  const backTo = await page.waitForFunction((q) => document.getElementById('q').value === q, url.searchParams.get('q'),
                                            { timeout: 10000 }).then(() => true, () => false);
  check(backTo && new URL(page.url()).search === url.search, 'back returns to the previous search');
  // Scores are explained, and results go on past the first page.
  await page.setChecked('#phonetic', false);
  await page.selectOption('#lang', '');
  await page.fill('#k', '2');
  await page.fill('#q', pairs[0]);
  await page.click('#go');
  await page.waitForFunction(() => document.querySelectorAll('li.hit').length === 2, null, { timeout: 20000 });
  check(/cosine/.test(await page.locator('#scale').textContent()), 'the score scale is explained');
  check(await page.locator('#more').isVisible(), 'a "More results" button after a full page');
  const firstTwo = await page.locator('li.hit').evaluateAll((els) => els.map((e) => e.dataset.file + e.dataset.start));
  await page.click('#more');
  const grew = await page.waitForFunction(() => document.querySelectorAll('li.hit').length === 4, null,
                                          { timeout: 20000 }).then(() => true, () => false);
  const allFour = await page.locator('li.hit').evaluateAll((els) => els.map((e) => e.dataset.file + e.dataset.start));
  check(grew && allFour.slice(0, 2).join() === firstTwo.join() && new Set(allFour).size === 4,
        `"More results" appends the next page (${allFour.length} results, none repeated)`);
  if (shot) await page.screenshot({ path: shot, fullPage: true });
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
