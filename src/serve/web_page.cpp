#include "serve/web_page.h"

namespace clasp {

std::string_view search_page_html() {
  static constexpr std::string_view kPage = R"HTML(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>clasp search</title>
<link rel="icon" href="/favicon.ico" type="image/svg+xml">
<style>
  body { font-family: system-ui, sans-serif; max-width: 860px; margin: 2em auto; padding: 0 1em; color: #222; }
  h1 { font-size: 1.4em; }
  form { display: flex; gap: .5em; flex-wrap: wrap; align-items: center; }
  #q { flex: 1 1 20em; font-size: 1.1em; padding: .4em; }
  button { font-size: 1em; padding: .4em .9em; }
  .status { color: #666; font-size: .9em; margin: .5em 0 1em; }
  ol { padding-left: 1.5em; }
  li { margin: .8em 0; }
  .meta { color: #555; font-size: .9em; }
  .text { font-style: italic; }
  .heard { font-family: ui-monospace, monospace; color: #444; font-size: .9em; }
  .heard mark { background: #fde68a; color: inherit; border-radius: 2px; }
  .label { color: #888; font-size: .85em; font-style: normal; }
  .notice { color: #8a5a00; }
  .error { color: #b00; }
  .scale { color: #666; font-size: .85em; }
  .translations { color: #555; font-size: .9em; }
  button:disabled { opacity: .5; }
  /* A narrow phone (412 px) must not scroll sideways: long names and
     transcripts wrap, the player shrinks to the column. */
  .hit { overflow-wrap: anywhere; }
  .hit audio { display: block; max-width: 100%; margin-top: .3em; }
  button.ctx { font-size: .85em; padding: .15em .6em; margin-left: .3em; }
  .context { border-left: 3px solid #ddd; padding: .2em .6em; margin: .3em 0; font-size: .9em; color: #444; }
</style>
</head>
<body>
<h1>Search spoken audio</h1>
<form id="search-form">
  <input id="q" name="q" type="search" placeholder="Type what is said, in any language" autofocus>
  <label title="The query's language: the model then also matches how it sounds in audio of that language">query in <select id="qlang"><option value="">any language</option></select></label>
  <label>only audio in <select id="lang"><option value="">any language</option></select></label>
  <label>results <input id="k" type="number" min="1" max="100" value="10" style="width:4em"></label>
  <label title="Match the sounds of the query to what is said: the query and the audio in the chosen language"><input id="phonetic" type="checkbox"> match sounds</label>
  <button id="go" type="submit">Search</button>
</form>
<form id="audio-form" style="margin-top:.5em">
  <label>or query by example: <input id="audio-file" type="file" accept="audio/*"></label>
  <button type="submit">Search with audio</button>
</form>
<div class="status" id="status"></div>
<div class="notice" id="notice"></div>
<div class="translations" id="translations"></div>
<div class="scale" id="scale"></div>
<ol id="results"></ol>
<button id="more" type="button" hidden>More results</button>
<script>
const $ = (id) => document.getElementById(id);
const fmt = (s) => { const m = Math.floor(s / 60); return m + ':' + (s - 60 * m).toFixed(1).padStart(4, '0'); };
const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
let modelLangs = [];

function addOption(sel, value) {
  if ([...$(sel).options].some((o) => o.value === value)) return;
  const o = document.createElement('option'); o.value = value; o.textContent = value; $(sel).appendChild(o);
}

async function loadStatus() {
  try {
    const r = await fetch('/api/status');
    const s = await r.json();
    const audio = s.audio_hours >= 1 ? s.audio_hours.toFixed(2) + ' h' : (s.audio_hours * 60).toFixed(1) + ' min';
    $('status').textContent = `${plural(s.files, 'file', 'files')}, ${plural(s.segments, 'segment', 'segments')}, ${audio} of audio; model ${s.model.id}`;
    modelLangs = s.query_languages || [];
    // Query languages: those the model heard speech in (the sounds of the
    // query are then matched too); audio languages: those the index holds.
    for (const l of modelLangs) addOption('qlang', l);
    for (const l of Object.keys(s.languages)) if (l !== 'unknown') { addOption('lang', l); addOption('qlang', l); }
  } catch (e) { $('status').textContent = 'index status unavailable'; }
}

// What a score means, for the search just run.
const SCALES = {
  'meaning': 'Scores: how close the query and the segment are in meaning (cosine, -1 to 1). Compare them within one search.',
  'meaning+sounds': 'Scores: closeness in meaning (cosine, -1 to 1) plus up to 3 for how well the query\'s sounds match what was heard: above 1, the words themselves were heard. Compare them within one search.',
  'sounds': 'Scores: how well the query\'s sounds match what was heard (1 = exactly). Compare them within one search.',
  'audio': 'Scores: how close the example and the segment are (cosine, -1 to 1). Compare them within one search.',
};
let lastUrl = null, shown = 0;


// What was heard, with the stretch the query was found in marked
// (heard_match: code points [begin, end), when the search says so).
function showHeard(el, h) {
  const chars = Array.from(h.heard);
  const [b, e] = h.heard_match || [0, 0];
  el.textContent = 'heard: /';
  if (e > b) {
    el.append(chars.slice(0, b).join(''));
    const m = document.createElement('mark');
    m.title = 'where your query was heard';
    m.textContent = chars.slice(b, e).join('');
    el.append(m, chars.slice(e).join(''));
  } else {
    el.append(h.heard);
  }
  el.append('/');
}
function show(body, append) {
  const ol = $('results');
  if (!append) { ol.innerHTML = ''; shown = 0; }
  $('notice').textContent = body.notice ? 'Note: ' + body.notice : '';
  // A server started with --translate also searched machine translations of the query: say which.
  $('translations').textContent = (body.translations || [])
    .map((t) => `also searched as (${t.by}, ${t.lang}): “${t.text}”`).join('; ');
  $('scale').textContent = SCALES[body.mode] || '';
  const hits = body.results;
  // More: the next page of the same ranking (the API's offset), as long as it may hold results.
  $('more').hidden = !body.more || !hits.length;
  if (!hits.length && !append) { ol.innerHTML = '<p>No results.</p>'; return; }
  shown += hits.length;
  for (const h of hits) {
    const li = document.createElement('li');
    li.className = 'hit';
    li.dataset.file = h.name;
    li.dataset.start = h.start;
    li.innerHTML = `<div><b class="file"></b> <span class="meta"></span><button type="button" class="ctx" aria-expanded="false" title="Show what is said just before and after, in the same file">before / after</button></div><div class="text"></div><div class="heard"></div><div class="context" hidden></div>`;
    li.querySelector('.ctx').addEventListener('click', (ev) => toggleContext(li, h, ev.currentTarget));
    li.querySelector('.file').textContent = h.name;
    // Scores: the cosine of query and segment (-1..1), plus the phoneme
    // match's bonus in a two-stage search; only their order is meaningful.
    li.querySelector('.meta').textContent = `${fmt(h.start)}–${fmt(h.end)} · score ${h.score.toFixed(3)}` + (h.lang ? ` · ${h.lang}` : '');
    if (h.text) {
      li.querySelector('.text').textContent = h.text;
      const lab = document.createElement('span'); lab.className = 'label'; lab.textContent = ' (text from the manifest)';
      li.querySelector('.text').appendChild(lab);
    }
    if (h.heard) showHeard(li.querySelector('.heard'), h);
    const a = document.createElement('audio');
    a.controls = true;
    a.preload = 'metadata';
    a.src = `/audio/${h.file_id}#t=${h.start.toFixed(2)},${h.end.toFixed(2)}`;
    // Playback starts at the segment, wherever the user clicks play first.
    a.addEventListener('loadedmetadata', () => { a.currentTime = h.start; });
    li.appendChild(a);
    ol.appendChild(li);
  }
}

// Context on demand: the segments just before and after a hit in its file
// (GET /api/context), fetched once, then shown and hidden.
function contextLine(which, s) {
  const div = document.createElement('div');
  div.className = 'ctx-' + which;
  if (!s) { div.textContent = which === 'before' ? 'nothing before: the file starts here' : 'nothing after: the file ends here'; return div; }
  div.dataset.start = s.start;
  const said = s.text ? s.text + ' (text from the manifest)' : s.heard ? 'heard: /' + s.heard + '/' : '(no transcript)';
  div.textContent = `${which} ${fmt(s.start)}–${fmt(s.end)}: ${said}`;
  return div;
}

async function toggleContext(li, h, btn) {
  const box = li.querySelector('.context');
  if (!box.hidden && box.dataset.loaded) { box.hidden = true; btn.setAttribute('aria-expanded', 'false'); return; }
  box.hidden = false;
  btn.setAttribute('aria-expanded', 'true');
  if (box.dataset.loaded) return;
  btn.disabled = true;
  box.textContent = 'Loading…';
  try {
    const r = await fetch('/api/context?id=' + encodeURIComponent(h.segment_id));
    const type = r.headers.get('content-type') || '';
    const body = type.includes('json') ? await r.json() : { error: `${r.status} ${r.statusText}` };
    if (!r.ok) throw new Error(body.error || r.statusText);
    box.textContent = '';
    box.classList.remove('error');  // a retry after a failed fetch
    box.append(contextLine('before', body.previous), contextLine('after', body.next));
    box.dataset.loaded = '1';
  } catch (e) {
    box.textContent = 'Context unavailable: ' + e.message;
    box.classList.add('error');
  } finally {
    btn.disabled = false;
  }
}

function showError(message) {
  $('results').innerHTML = '';
  $('more').hidden = true;
  const p = document.createElement('p'); p.className = 'error'; p.textContent = 'Error: ' + message;
  $('results').appendChild(p);
}

async function run(url, opts, append) {
  if (!append) {
    $('results').innerHTML = '<p>Searching…</p>';
    $('scale').textContent = '';
    $('more').hidden = true;
    lastUrl = opts ? null : url;  // text searches page on; an upload is not sent again
  }
  $('notice').textContent = '';
  if (!append) $('translations').textContent = '';
  for (const b of document.querySelectorAll('button')) b.disabled = true;
  try {
    const r = await fetch(url, opts);
    const type = r.headers.get('content-type') || '';
    // A proxy or a crash may answer with HTML or text: say what it said.
    const body = type.includes('json') ? await r.json() : { error: `${r.status} ${r.statusText}: ${(await r.text()).slice(0, 200)}` };
    if (!r.ok) throw new Error(body.error || r.statusText);
    show(body, append);
  } catch (e) {
    showError(e.message);
  } finally {
    for (const b of document.querySelectorAll('button')) b.disabled = false;
  }
}

// The search lives in the URL (?q=&qlang=&lang=&k=&phonetic=1): bookmark,
// reload and back all give it again.
function paramsFromForm() {
  const p = new URLSearchParams({ q: $('q').value.trim(), k: $('k').value });
  if ($('lang').value) p.set('lang', $('lang').value);
  if ($('phonetic').checked) p.set('phonetic', '1');
  if ($('qlang').value) p.set('qlang', $('qlang').value);
  return p;
}

function formFromParams(p) {
  $('q').value = p.get('q') || '';
  if (p.get('k')) $('k').value = p.get('k');
  for (const sel of ['lang', 'qlang']) {
    const v = p.get(sel) || '';
    if (v) addOption(sel, v);
    $(sel).value = v;
  }
  $('phonetic').checked = p.get('phonetic') === '1';
}

$('search-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const p = paramsFromForm();
  if (!p.get('q')) { showError('type what is said first'); return; }
  history.pushState(null, '', '?' + p.toString());
  run('/api/search?' + p.toString());
});

window.addEventListener('popstate', () => {
  const p = new URLSearchParams(location.search);
  formFromParams(p);
  if (p.get('q')) run('/api/search?' + p.toString()); else $('results').innerHTML = '';
});

$('more').addEventListener('click', () => {
  if (!lastUrl) return;
  const u = new URL(lastUrl, location.href);
  u.searchParams.set('offset', String(shown));
  run(u.pathname + u.search, undefined, true);
});

$('audio-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const f = $('audio-file').files[0];
  if (!f) { showError('choose an audio file first'); return; }
  const p = new URLSearchParams({ k: $('k').value });
  if ($('lang').value) p.set('lang', $('lang').value);
  run('/api/search/audio?' + p.toString(), { method: 'POST', body: f });
});

loadStatus().then(() => {
  const p = new URLSearchParams(location.search);
  // A user types in their own language: the browser's, when the model has
  // heard it, is the default query language (so its sounds are matched too).
  const mine = (navigator.language || '').slice(0, 2).toLowerCase();
  if (!p.has('qlang') && modelLangs.includes(mine)) p.set('qlang', mine);
  formFromParams(p);
  if (p.get('q')) run('/api/search?' + p.toString());
});
</script>
</body>
</html>
)HTML";
  return kPage;
}

std::string_view favicon_svg() {
  // A speech bubble with a magnifier's ring: "search what is said".
  static constexpr std::string_view kIcon =
      R"(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><path d="M4 5h24v16H13l-6 6v-6H4z" )"
      R"(fill="#2a5db0"/><circle cx="15" cy="13" r="4.5" fill="none" stroke="#fff" stroke-width="2"/>)"
      R"(<path d="M18.5 16.5l4 4" stroke="#fff" stroke-width="2.5" stroke-linecap="round"/></svg>)";
  return kIcon;
}

}  // namespace clasp
