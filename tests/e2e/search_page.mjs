// Drives the search page in headless Chromium: types each query, checks the
// first result is the expected file, and that its audio element loads; then
// the rest of the page (URL, busy state, pages, context) and its layout at
// 1,280 and 412 px wide.
// Usage: node search_page.mjs <base url> <screenshot.png> <query> <expected file name> [<query> <file>]...
// A query written phonetic:xx:text runs as a phonetic search in language xx.
// The index also holds talk.wav, three sentences in one file (run_e2e.sh),
// whose middle segment has context on both sides.
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
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
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
  const mark = page.locator('li.hit').first().locator('.heard mark');
  check(await mark.count() === 1 && (await mark.textContent()).length > 3,
        `the first hit marks where the query was heard (${await mark.count() ? await mark.textContent() : 'no mark'})`);
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

  // Context on demand: each hit of talk.wav asks for its neighbours; the
  // middle one shows the segment before and after it (span and what was
  // heard), both of them hits of the same file; a clip alone in its file
  // says there is nothing around it.
  await page.goto(new URL('?k=20&q=' + encodeURIComponent(pairs[0]), base).toString(), { waitUntil: 'load' });
  const talk = page.locator('li.hit[data-file="talk.wav"]');
  await talk.nth(2).waitFor({ timeout: 20000 }).catch(() => {});
  const starts = await talk.evaluateAll((els) => els.map((e) => Number(e.dataset.start)));
  let middle = null;
  for (let i = 0; i < starts.length; i++) {
    const li = talk.nth(i);
    await li.locator('button.ctx').click();
    await li.locator('.context[data-loaded]').waitFor({ timeout: 10000 });
    const before = await li.locator('.ctx-before').getAttribute('data-start');
    const after = await li.locator('.ctx-after').getAttribute('data-start');
    if (before !== null && after !== null)
      middle = { before: Number(before), after: Number(after), start: starts[i], text: await li.locator('.context').textContent() };
  }
  check(starts.length === 3 && middle && starts.includes(middle.before) && starts.includes(middle.after) &&
        middle.before < middle.start && middle.start < middle.after &&
        /before \d+:\d\d\.\d–\d+:\d\d\.\d: heard: \/.+\//.test(middle.text) && /after \d+:\d\d\.\d–/.test(middle.text),
        `context shows the segments before and after a hit (${starts.length} talk.wav hits; ${middle && middle.text})`);
  const lone = page.locator('li.hit[data-file="e3.wav"]');
  await lone.locator('button.ctx').click();
  await lone.locator('.context[data-loaded]').waitFor({ timeout: 10000 });
  check(/nothing before.*nothing after/.test(await lone.locator('.context').textContent()),
        'a clip alone in its file has nothing before or after');
  await lone.locator('button.ctx').click();
  check(await lone.locator('.context').isHidden(), 'the context hides again');
  const unknown = await page.request.get(new URL('/api/context?id=999999999', base).toString());
  check(unknown.status() === 404, `an unknown segment's context is a 404 (${unknown.status()})`);

  // Layout: the page never scrolls sideways, every part of a hit (context
  // open) lies inside the window, and the results stay readable.
  const layout = () => page.evaluate(() => {
    const vw = document.documentElement.clientWidth, bad = [];
    if (document.documentElement.scrollWidth > vw) bad.push(`page ${document.documentElement.scrollWidth} px wide`);
    for (const el of document.querySelectorAll('form, li.hit, li.hit *')) {
      const r = el.getBoundingClientRect();
      if (r.width && (r.left < -0.5 || r.right > vw + 0.5)) bad.push(`${el.tagName}.${el.className} at ${r.left}-${r.right}`);
    }
    for (const el of document.querySelectorAll('li.hit .file, li.hit .meta, li.hit .heard, li.hit .context')) {
      const size = parseFloat(getComputedStyle(el).fontSize);
      if (size < 12) bad.push(`${el.className} in ${size} px type`);
    }
    const hit = document.querySelector('li.hit');
    if (!hit || hit.getBoundingClientRect().width < 250) bad.push('results squeezed under 250 px');
    return bad;
  });
  for (const width of [1280, 412]) {
    await page.setViewportSize({ width, height: 900 });
    const bad = await layout();
    check(bad.length === 0, `layout at ${width} px${bad.length ? ': ' + bad.slice(0, 5).join('; ') : ''}`);
    if (shot) await page.screenshot({ path: width === 1280 ? shot : shot.replace(/(\.png)?$/, '-412.png'), fullPage: true });
  }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
