#include "serve/web_page.h"

namespace clasp {

std::string_view search_page_html() {
  static constexpr std::string_view kPage = R"HTML(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>clasp search</title>
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
  .error { color: #b00; }
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
<ol id="results"></ol>
<script>
const $ = (id) => document.getElementById(id);
const fmt = (s) => { const m = Math.floor(s / 60); return m + ':' + (s - 60 * m).toFixed(1).padStart(4, '0'); };

async function loadStatus() {
  try {
    const r = await fetch('/api/status');
    const s = await r.json();
    $('status').textContent = `${s.files} files, ${s.segments} segments, ${s.audio_hours >= 1 ? s.audio_hours.toFixed(2) + ' h' : (s.audio_hours * 60).toFixed(1) + ' min'} of audio; model ${s.model.id}`;
    for (const l of Object.keys(s.languages)) {
      if (l === 'unknown') continue;
      for (const sel of ['lang', 'qlang']) {
        const o = document.createElement('option'); o.value = l; o.textContent = l; $(sel).appendChild(o);
      }
    }
  } catch (e) { $('status').textContent = 'index status unavailable'; }
}

function show(hits) {
  const ol = $('results');
  ol.innerHTML = '';
  if (!hits.length) { ol.innerHTML = '<p>No results.</p>'; return; }
  for (const h of hits) {
    const li = document.createElement('li');
    li.className = 'hit';
    li.dataset.file = h.file;
    li.dataset.start = h.start;
    const name = h.file.split('/').pop();
    li.innerHTML = `<div><b class="file"></b> <span class="meta"></span></div><div class="text"></div>`;
    li.querySelector('.file').textContent = name;
    li.querySelector('.meta').textContent = `${fmt(h.start)}–${fmt(h.end)} · score ${h.score.toFixed(3)}` + (h.lang ? ` · ${h.lang}` : '');
    li.querySelector('.text').textContent = h.text;
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

async function run(url, opts) {
  $('results').innerHTML = '<p>Searching…</p>';
  try {
    const r = await fetch(url, opts);
    const body = await r.json();
    if (!r.ok) throw new Error(body.error || r.statusText);
    show(body.results);
  } catch (e) {
    $('results').innerHTML = '';
    const p = document.createElement('p'); p.className = 'error'; p.textContent = 'Error: ' + e.message;
    $('results').appendChild(p);
  }
}

$('search-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const q = $('q').value.trim();
  if (!q) return;
  const p = new URLSearchParams({ q, k: $('k').value });
  if ($('lang').value) p.set('lang', $('lang').value);
  if ($('phonetic').checked) p.set('phonetic', '1');
  if ($('qlang').value) p.set('qlang', $('qlang').value);
  run('/api/search?' + p.toString());
});

$('audio-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const f = $('audio-file').files[0];
  if (!f) return;
  const p = new URLSearchParams({ k: $('k').value });
  if ($('lang').value) p.set('lang', $('lang').value);
  run('/api/search/audio?' + p.toString(), { method: 'POST', body: f });
});

loadStatus();
</script>
</body>
</html>
)HTML";
  return kPage;
}

}  // namespace clasp
