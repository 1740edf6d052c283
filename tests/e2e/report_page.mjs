// Opens a `clasp report` page in headless Chromium and checks that every
// table and figure is present and drawn, that each CLASP number shown
// equals the one in a separately run `clasp eval --json` report, and that
// the page reads at 1,280 and 412 px: tables in their boxes, figures with
// axis titles and legends off the data, the paper's figures beside ours,
// lower-is-better marked, no empty section. run_report.sh passes the same
// eval report as an ablation run (a-eval.json).
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

const tables = ['clasp-vs-asr', 'phonetic', 'asr-by-engine', 'speed', 'speed-ratio', 'sizes', 'vs-paper', 't2a', 'a2t',
                'by-engine', 'cross-lingual', 'by-category', 'two-stage', 'two-stage-by-engine',
                'two-stage-cross-lingual', 'real-corpus-same', 'real-corpus-xl', 'ablations'];
const figures = { 'fig-categories': 'rect.bar', 'fig-loss': 'polyline', 'fig-projection-before': 'circle',
                  'fig-projection-after': 'circle' };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});
const failures = [];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
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

  // The paper's figures in columns of their own beside ours, and only those
  // the design brief quotes (Common Voice English hard, Speech Brown soft).
  const paper = await page.$$eval('table#vs-paper td.paper[data-key]', (tds) => tds.map((td) => td.textContent));
  for (const v of ['0.916', '0.935', '24.4', '0.990'])
    if (!paper.includes(v)) failures.push(`vs-paper: the paper's ${v} is not shown (${paper})`);
  if (await page.locator('table#vs-paper th.paper', { hasText: 'paper' }).count() < 3)
    failures.push('vs-paper: no "paper" column headers');
  // Each --asr-model: its own rows (vs CLASP, word error rate, speed) and, beside them, the paper's figures for
  // the same kind of recogniser (wav2vec2-CTC + LaBSE: HITS@1 0.891).
  for (const [key, A] of Object.entries(data.asr_models || {})) {
    for (const [table, path] of [['clasp-vs-asr', `asr_models.${key}.text_to_audio.hard.hits1`],
                                 ['asr-by-engine', `asr_models.${key}.overall.wer`],
                                 ['speed', `speed.asr_models.${key}.x_realtime`]])
      if (await page.locator(`table#${table} td[data-key="${path}"]`).count() !== 1)
        failures.push(`${table}: no cell for --asr-model ${key} (${path})`);
    if (!A.asr || A.clips < 2) failures.push(`asr_models.${key}: ${JSON.stringify(A).slice(0, 200)}`);
    if (A.asr.startsWith('wav2vec2') && !paper.includes('0.891'))
      failures.push(`vs-paper: the paper's wav2vec2-CTC figure is not beside ${key}`);
  }
  // Lower-is-better metrics are marked.
  const lower = await page.$$eval('th.lower', (ths) => ths.map((th) => th.textContent));
  if (!lower.some((t) => /meanR.*↓/.test(t)) || !lower.some((t) => /WER.*↓/.test(t)))
    failures.push(`lower-is-better marks missing: ${JSON.stringify(lower.slice(0, 5))}`);
  // Categories: one row each, its clip count beside the HITS@1.
  const catRows = await page.$$eval('table#by-category tr th:first-child', (ths) => ths.slice(1).map((th) => th.textContent));
  if (new Set(catRows).size !== catRows.length) failures.push(`by-category repeats rows: ${catRows}`);
  if (!(await page.locator('table#by-category th', { hasText: 'clips' }).count()))
    failures.push('by-category: no clip counts');
  // The ablation summary of the eval report run_report.sh passed as a-eval.json.
  const run = (data.ablations || { runs: {} }).runs['a-eval'];
  const langs = Object.values(separate.languages);
  const mean = langs.reduce((s, l) => s + l.text_to_audio.hard.hits1, 0) / langs.length;
  if (!run || Math.abs(run.same_language.hits1 - mean) > 1e-9)
    failures.push(`ablations: a-eval's mean HITS@1 ${run && run.same_language.hits1}, the eval's ${mean}`);
  if (!data.ablations || data.ablations.runs['b_0-eval'] === undefined || 'notes' in data.ablations.runs)
    failures.push(`ablations: runs ${JSON.stringify(Object.keys((data.ablations || { runs: {} }).runs))}`);

  // Figures: axis titles on both axes, every label inside the picture,
  // legends and data apart, points inside the frame; the PCA panels side by
  // side on the same axes.
  const figs = await page.$$eval('figure svg', (svgs) => svgs.map((svg) => {
    const box = svg.getBoundingClientRect(), bad = [];
    const inside = (r, b, tol = 1) => r.left >= b.left - tol && r.right <= b.right + tol && r.top >= b.top - tol &&
                                      r.bottom <= b.bottom + tol;
    const titles = [...svg.querySelectorAll('.axis-title')].filter((t) => t.textContent.trim());
    if (titles.length < 2) bad.push(`${titles.length} axis titles`);
    for (const t of svg.querySelectorAll('text'))
      if (!inside(t.getBoundingClientRect(), box)) bad.push(`text "${t.textContent}" outside the picture`);
    const frame = svg.querySelector('.frame');
    if (frame) {
      const f = frame.getBoundingClientRect();
      for (const c of svg.querySelectorAll('circle')) if (!inside(c.getBoundingClientRect(), f)) { bad.push('a point outside the frame'); break; }
      for (const l of svg.querySelectorAll('.legend')) {
        const r = l.getBoundingClientRect();
        if (r.bottom > f.top && r.top < f.bottom && r.right > f.left && r.left < f.right) bad.push('a legend over the data');
      }
    }
    // Tick labels and legend (the first text is the panel's own title).
    const ticks = [...svg.querySelectorAll('text:not(.axis-title)')].map((t) => t.textContent).slice(1).join(' ');
    return { id: svg.closest('figure').id, bad, top: box.top, ticks };
  }));
  for (const f of figs) for (const b of f.bad) failures.push(`figure #${f.id}: ${b}`);
  const [before, after] = ['fig-projection-before', 'fig-projection-after'].map((id) => figs.find((f) => f.id === id));
  if (!before || !after || Math.abs(before.top - after.top) > 1)
    failures.push(`PCA panels not side by side (tops ${before && before.top}, ${after && after.top})`);
  else if (before.ticks !== after.ticks)
    failures.push(`PCA panels on different axes: "${before.ticks}" vs "${after.ticks}"`);

  // No empty section: every heading is followed by something to read.
  const empty = await page.$$eval('h2', (hs) => hs.filter((h) => {
    for (let e = h.nextElementSibling; e && e.tagName !== 'H2'; e = e.nextElementSibling)
      if (e.tagName !== 'SCRIPT' && e.textContent.trim()) return false;
    return true;
  }).map((h) => h.textContent));
  if (empty.length) failures.push(`empty sections: ${empty}`);

  // Tables fit their box at 1,280 px; at 412 px the page never scrolls
  // sideways: a wide table scrolls inside its own box.
  for (const width of [1280, 412]) {
    await page.setViewportSize({ width, height: 900 });
    const bad = await page.evaluate((width) => {
      const vw = document.documentElement.clientWidth, out = [];
      if (document.documentElement.scrollWidth > vw) out.push(`the page is ${document.documentElement.scrollWidth} px wide`);
      for (const t of document.querySelectorAll('table')) {
        const box = t.parentElement, tw = t.getBoundingClientRect().width;
        if (!box.classList.contains('table-wrap')) { out.push(`#${t.id} has no box of its own`); continue; }
        if (box.getBoundingClientRect().right > vw + 0.5) out.push(`#${t.id}'s box runs past the window`);
        if (width >= 1280 && tw > box.clientWidth + 0.5) out.push(`#${t.id} is ${tw} px wide in a ${box.clientWidth} px box`);
        if (tw > box.clientWidth + 0.5 && !/auto|scroll/.test(getComputedStyle(box).overflowX))
          out.push(`#${t.id} overflows a box that does not scroll`);
      }
      return out;
    }, width);
    for (const b of bad) failures.push(`at ${width} px: ${b}`);
    if (shot) await page.screenshot({ path: width === 1280 ? shot : shot.replace(/(\.png)?$/, '-412.png'), fullPage: true });
  }
  console.log(`report page: ${tables.length} tables, ${Object.keys(figures).length} figures, ` +
              `${cells.length} number cells (${checkedAgainstEval} checked against clasp eval)`);
} finally {
  await browser.close();
}
if (failures.length) {
  for (const f of failures) console.error('FAIL', f);
  process.exit(1);
}
