// Opens a `clasp report` page in headless Chromium and checks that every
// table and figure is present and drawn, and that each CLASP number shown
// equals the one in a separately run `clasp eval --json` report.
// Usage: node report_page.mjs <report.html> <eval.json> [<screenshot.png>]
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { chromium } = createRequire(path.join(root, 'third_party/package.json'))('playwright-core');

const [html, evalJson, shot] = process.argv.slice(2);
if (!html || !evalJson) {
  console.error('usage: node report_page.mjs <report.html> <eval.json> [<screenshot.png>]');
  process.exit(2);
}
const separate = JSON.parse(fs.readFileSync(evalJson, 'utf8'));
// printf and toFixed may round a tie differently: equal within half a unit of the last digit.
const shows = (text, v, decimals) => typeof v === 'number' && Math.abs(+text - v) <= 0.5 * 10 ** -decimals + 1e-9;
const at = (obj, dotted) => dotted.split('.').reduce((o, k) => (o && k in o ? o[k] : undefined), obj);

const tables = ['clasp-vs-asr', 'phonetic', 'asr-by-engine', 'speed', 'speed-ratio', 'sizes', 't2a', 'a2t', 'by-engine',
                'cross-lingual', 'by-category', 'by-category-n', 'two-stage', 'two-stage-by-engine',
                'two-stage-cross-lingual', 'real-corpus-same', 'real-corpus-xl'];
const figures = { 'fig-categories': 'rect.bar', 'fig-loss': 'polyline', 'fig-projection-before': 'circle',
                  'fig-projection-after': 'circle' };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});
const failures = [];
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.on('pageerror', (e) => failures.push('page error: ' + e.message));
  await page.goto(pathToFileURL(path.resolve(html)).href, { waitUntil: 'load' });
  for (const id of tables) {
    const rows = await page.locator(`table#${id} tr`).count();
    const cells = await page.locator(`table#${id} td[data-key]`).count();
    if (rows < 2 || cells < 1) failures.push(`table #${id}: ${rows} rows, ${cells} number cells`);
  }
  for (const [id, mark] of Object.entries(figures)) {
    const box = await page.locator(`#${id} svg`).boundingBox();
    const marks = await page.locator(`#${id} svg ${mark}`).count();
    if (!box || box.width < 100 || box.height < 100 || marks < 2)
      failures.push(`figure #${id}: box ${JSON.stringify(box)}, ${marks} ${mark} marks`);
  }
  const data = JSON.parse(await page.locator('#report-data').textContent());
  const cells = await page.$$eval('td[data-key]', (tds) =>
    tds.map((td) => ({ key: td.dataset.key, decimals: +td.dataset.decimals, text: td.textContent })));
  let checkedAgainstEval = 0;
  for (const c of cells) {
    const inPage = at(data, c.key);
    if (!shows(c.text, inPage, c.decimals))
      failures.push(`cell ${c.key}: shows ${c.text}, page JSON has ${inPage}`);
    // The CLASP cells, and those of the real-speech section (the same corpus
    // passed again as --real in the e2e run), against the separate clasp eval.
    const prefix = ['clasp.', 'real.corpus.'].find((p) => c.key.startsWith(p));
    if (prefix) {
      const fromEval = at(separate, c.key.slice(prefix.length));
      if (!shows(c.text, fromEval, c.decimals))
        failures.push(`cell ${c.key}: shows ${c.text}, clasp eval gave ${fromEval}`);
      else checkedAgainstEval++;
    }
  }
  if (checkedAgainstEval < 20) failures.push(`only ${checkedAgainstEval} CLASP cells matched clasp eval`);
  if (shot) await page.screenshot({ path: shot, fullPage: true });
  console.log(`report page: ${tables.length} tables, ${Object.keys(figures).length} figures, ` +
              `${cells.length} number cells (${checkedAgainstEval} checked against clasp eval)`);
} finally {
  await browser.close();
}
if (failures.length) {
  for (const f of failures) console.error('FAIL', f);
  process.exit(1);
}
