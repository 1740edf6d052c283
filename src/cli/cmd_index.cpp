// clasp index add|rm|status|approx and clasp search.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <iostream>
#include <sstream>

#include "audio/audio_file.h"
#include "cli/commands.h"
#include "cli/usage_errors.h"
#include "index/audio_index.h"
#include "index/longform_eval.h"
#include "index/search_export.h"
#include "index/index_export.h"
#include "index/search_json.h"
#include "index/searcher.h"
#include "speech/audio_embedder.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/text_clean.h"
#include "util/progress.h"

namespace clasp::cli {

namespace {

struct IndexArgs {
  std::string index = "clasp-index", model, lang, shard;
  std::vector<std::string> sources;
  int threads = 0;
  bool json = false;
  AddOptions add;
};

struct SearchArgs {
  std::vector<std::string> indexes = {"clasp-index"};
  std::string model, query, audio, query_lang;
  SearchOptions opt;
  std::string output_format, out, queries;
  int threads = 0;
  bool json = false, phonetic = false;
};

void run_add(IndexArgs& a) {
  set_compute_threads(a.threads);
  const bool new_index = !std::filesystem::exists(a.index + "/index.sqlite");
  std::string model_dir = a.model;
  if (model_dir.empty()) {
    // An existing index keeps its model; a new one gets the shipped default.
    model_dir = new_index ? default_clasp_model_dir() : AudioIndex::model_of(a.index).dir;
  }
  std::vector<IndexInput> inputs;
  for (const auto& s : a.sources) {
    auto more = collect_index_inputs(s, a.lang);
    inputs.insert(inputs.end(), more.begin(), more.end());
  }
  if (inputs.empty()) throw Error("index add: no audio files found in the given sources");
  AudioEmbedder emb(model_dir);
  auto idx_ptr = std::make_unique<AudioIndex>(a.index, index_model_of(emb, model_dir));
  AudioIndex& idx = *idx_ptr;
  if (!a.shard.empty()) {
    const Shard sh = parse_shard(a.shard);
    const size_t all = inputs.size();
    inputs = shard_inputs(inputs, sh);
    std::fprintf(stderr, "shard %zu/%zu: %zu of %zu files\n", sh.index, sh.count, inputs.size(), all);
    if (inputs.empty()) {
      std::fprintf(stderr, "nothing to add in this shard\n");
      return;
    }
  }
  Progress bar("index", static_cast<int64_t>(inputs.size()), "files");
  auto rep = idx.add(inputs, emb, a.add, [&](size_t done, size_t, double audio_s) {
    char extra[96];
    double el = std::max(bar.elapsed_s(), 1e-6);
    std::snprintf(extra, sizeof extra, "audio %.2f h, %.0fx real time", audio_s / 3600, audio_s / el);
    bar.update(static_cast<int64_t>(done), extra);
  });
  {
    char extra[96];
    std::snprintf(extra, sizeof extra, "audio %.2f h", rep.audio_s / 3600);
    bar.finish(extra);
  }
  if (a.json) {
    auto j = add_report_to_json(rep);
    j["index"] = a.index;
    j["model"] = {{"id", emb.identity().id}, {"version", emb.identity().version}};
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    std::printf("Index %s (model %s, weights %s)\n", a.index.c_str(), emb.identity().id.c_str(),
              emb.identity().version.c_str());
  std::printf("  files: %zu seen, %zu added, %zu replaced (content changed), %zu unchanged, %zu failed\n", rep.seen,
              rep.added, rep.replaced, rep.unchanged, rep.failed);
  std::printf("  %zu segments, %.2f h of audio in %.1f s (%.0f audio hours per wall hour)\n", rep.segments,
              rep.audio_s / 3600, rep.wall_s, rep.wall_s > 0 ? rep.audio_s / rep.wall_s : 0.0);
  for (const auto& f : rep.failures) std::fprintf(stderr, "  failed: %s\n", f.c_str());
  if (!rep.no_speech.empty())
    std::fprintf(stderr, "  %zu file(s) added with no segment (nothing in them can be found):\n", rep.no_speech.size());
  for (const auto& f : rep.no_speech) std::fprintf(stderr, "  no speech: %s\n", f.c_str());
  }
  if (rep.failed > 0 && rep.failed == rep.seen) {
    // Nothing usable came of it: a new index is not left behind empty (a
    // search there would answer "no results" instead of "not an index").
    idx_ptr.reset();
    if (new_index) std::filesystem::remove_all(a.index);
    throw Error("index add: every file failed (" + std::to_string(rep.failed) + ")" +
                (new_index ? "; no index was made" : "; the index is unchanged"));
  }
  idx.prepare_for_search();
}

void print_status(const std::string& dir, bool json) {
  auto m = AudioIndex::model_of(dir);
  AudioIndex idx(dir, m, AudioIndex::Access::ReadOnly);
  auto s = idx.status();
  if (json) {
    auto j = status_to_json(s);
    j["index"] = dir;
    j["model"]["dir"] = m.dir;
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  std::printf("Index %s\n  model %s (weights %s) from %s, %d-dim vectors\n", dir.c_str(), m.id.c_str(),
              m.version.c_str(), m.dir.c_str(), m.dim);
  std::printf("  %zu files, %zu segments, %.2f h of audio; approximate index %s\n", s.files, s.segments,
              s.audio_s / 3600, s.approx_ready ? "up to date" : "not built (clasp index approx builds it)");
  std::printf("  second stage: %zu segments with phoneme transcripts, %zu with CTC posteriors\n", s.with_phones,
              s.with_posteriors);
  if (!s.phonetic_index.empty()) std::printf("  phonetic candidate index: %s\n", s.phonetic_index.c_str());
  if (s.with_posteriors < s.with_phones)
    std::printf("  (segments indexed before posteriors were kept are re-ranked by their transcripts alone; add their "
                "files into a fresh index to give them posteriors)\n");
  for (const auto& [l, n] : s.languages) {
    size_t heard = 0;
    for (const auto& [hl, hn] : s.languages_heard)
      if (hl == l) heard = hn;
    std::printf("  %-8s %zu segments", l.empty() ? "unknown" : l.c_str(), n);
    if (heard) std::printf(" (%zu of them heard by the model, not given)", heard);
    std::printf("\n");
  }
}

// Text queries, one per line, from a file or "-" (stdin); blank lines skipped.
std::vector<std::string> read_queries(const std::string& from) {
  std::ifstream file;
  if (from != "-") {
    file.open(from);
    if (!file) throw Error(from + ": cannot read the queries file");
  }
  std::istream& in = from == "-" ? std::cin : file;
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line))
    if (auto q = trim_space(line); !q.empty()) out.push_back(std::move(q));
  if (out.empty()) throw Error((from == "-" ? std::string("stdin") : from) + ": no queries (expected one per line)");
  return out;
}

// The output format asked for: --output-format, --json, or the default
// (text for one query, JSONL for --queries).
ExportFormat output_format_of(const SearchArgs& a, bool batch) {
  ExportFormat f = batch ? ExportFormat::Jsonl : ExportFormat::Text;
  if (!a.output_format.empty() && !parse_export_format(a.output_format, &f))
    throw UsageError("search: --output-format " + a.output_format + " is not one of text, json, jsonl, csv, srt, vtt");
  if (a.json) {
    if (!a.output_format.empty() && f != ExportFormat::Json)
      throw UsageError("search: --json and --output-format " + a.output_format + " ask for different formats");
    f = ExportFormat::Json;
  }
  if (batch && f != ExportFormat::Jsonl && f != ExportFormat::Csv)
    throw UsageError("search --queries: the answers are written as jsonl (one hit per line, the default) or csv");
  return f;
}

void run_search(SearchArgs& a) {
  set_compute_threads(a.threads);
  const bool batch = !a.queries.empty();
  if (batch && (!a.query.empty() || !a.audio.empty()))
    throw UsageError("search: give one of a text query, --audio FILE or --queries FILE");
  if (!batch && a.query.empty() == a.audio.empty())
    throw UsageError("search: give either a text query, --audio FILE or --queries FILE");
  if (a.query == "-") throw UsageError("search: the query is \"-\"; give the words to search for (in quotes when several), "
                                       "or --queries - to read queries from stdin");
  if (a.phonetic && !a.audio.empty()) throw Error("search: --phonetic takes a text query, not --audio");
  const ExportFormat format = output_format_of(a, batch);
  const std::vector<std::string> queries = batch ? read_queries(a.queries) : std::vector<std::string>{a.query};
  // One index, or the shards of one collection: each searched alike, the
  // results merged by score (vector cosines compare across shards; a
  // two-stage score's phonetic bonus is measured within each shard's candidates).
  // Shards built with one model share one load of it.
  std::map<std::string, std::shared_ptr<SearchModel>> models;
  std::vector<std::unique_ptr<Searcher>> searchers;
  for (const auto& dir : a.indexes) {
    const std::string model_dir = a.model.empty() ? AudioIndex::model_of(dir).dir : a.model;
    auto& model = models[model_dir];
    if (!model) model = SearchModel::load(model_dir);
    searchers.push_back(std::make_unique<Searcher>(dir, model, /*read_only=*/true));
  }
  std::vector<float> audio_query;
  if (!a.audio.empty()) audio_query = read_audio(a.audio).samples;
  auto search_one = [&](const std::string& query, SearchAnswer& ans) {
    std::vector<SearchHit> hits;
    ans = {query, "", a.query_lang, ""};
    for (auto& s : searchers) {
      std::vector<SearchHit> mine;
      if (!audio_query.empty()) {
        mine = s->search_audio(audio_query, a.opt);
        ans.mode = "audio";
      } else if (a.phonetic) {
        mine = s->search_phonetic(query, a.opt.lang, a.opt);
        ans.mode = "sounds";
      } else {
        std::vector<QueryTranslation> used;
        mine = s->search_text(query, a.opt, a.query_lang, &used);
        auto translations = std::move(ans.translations);  // shards of one collection: each translation once
        for (auto& t : used)
          if (std::none_of(translations.begin(), translations.end(),
                           [&](const QueryTranslation& x) { return x.lang == t.lang && x.text == t.text; }))
            translations.push_back(std::move(t));
        ans = text_search_answer(query, a.query_lang, a.opt.rerank > 0, s->meaning_only_reason(a.query_lang));
        ans.translations = std::move(translations);
      }
      if (mine.size() > static_cast<size_t>(a.opt.k)) mine.resize(static_cast<size_t>(a.opt.k));
      if (audio_query.empty()) s->attach_heard(mine, query, a.phonetic ? a.opt.lang : a.query_lang);
      else s->attach_heard(mine);
      hits.insert(hits.end(), std::make_move_iterator(mine.begin()), std::make_move_iterator(mine.end()));
    }
    std::stable_sort(hits.begin(), hits.end(), [](const SearchHit& x, const SearchHit& y) { return x.score > y.score; });
    if (hits.size() > static_cast<size_t>(a.opt.k)) hits.resize(static_cast<size_t>(a.opt.k));
    return hits;
  };
  // To stdout as answers come (a pipeline reads them at once), or to a file
  // written whole at the end (never half an export under its name).
  std::string to_file;
  auto emit = [&](const std::string& text) {
    if (a.out.empty()) {
      std::fwrite(text.data(), 1, text.size(), stdout);
      std::fflush(stdout);
    } else {
      to_file += text;
    }
  };
  if (format == ExportFormat::Csv) emit(csv_header());
  std::unique_ptr<Progress> bar;
  if (batch) bar = std::make_unique<Progress>("search", static_cast<int64_t>(queries.size()), "queries");
  for (size_t i = 0; i < queries.size(); ++i) {
    SearchAnswer ans;
    const auto hits = search_one(queries[i], ans);
    if (format == ExportFormat::Text && !ans.notice.empty()) std::fprintf(stderr, "note: %s\n", ans.notice.c_str());
    emit(format_answer(ans, hits, format));
    if (bar) bar->update(static_cast<int64_t>(i + 1));
  }
  if (bar) bar->finish();
  if (!a.out.empty()) {
    write_file_atomic(a.out, to_file);
    std::fprintf(stderr, "%s written (%s)\n", a.out.c_str(), export_format_names()[static_cast<size_t>(format)].c_str());
  }
}

}  // namespace

void add_index_commands(CLI::App& app) {
  auto* ix = app.add_subcommand("index", "Build and maintain a persistent index of spoken audio");
  ix->require_subcommand(1);

  static IndexArgs ad;
  auto* add = ix->add_subcommand("add", "Add audio files, folders or manifests (only new or changed files)");
  add->add_option("sources", ad.sources, "Folders (searched recursively), .jsonl manifests or audio files")
      ->required();
  add->add_option("--index", ad.index, "Index directory")->capture_default_str();
  add->add_option("-m,--model", ad.model, "CLASP model directory (default: the index's, or the shipped default)");
  add->add_option("--lang", ad.lang, "Language of the audio, when the source does not say");
  add->add_option("--shard", ad.shard,
                  "Index only this shard's files, I/N (0 <= I < N): a file's shard is a hash of its path, so N "
                  "machines given the same sources index disjoint parts (search them with several --index)");
  add->add_option("--threads", ad.threads, "Torch threads (default: all cores)");
  add->add_flag("--json", ad.json, "Print the summary as JSON (progress still goes to stderr)");
  add->add_option("--segment-language-confidence", ad.add.min_segment_language_confidence,
                  "A file in no one language (a recording in several): each segment gets the language heard in it "
                  "when the model gives it at least this probability")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  add->add_option("--batch", ad.add.batch_segments, "Segments embedded and committed together")->capture_default_str();
  add->add_option("--min-pause", ad.add.segments.min_pause, "Pauses shorter than this stay inside a segment (s)")
      ->capture_default_str();
  add->add_option("--window", ad.add.segments.window, "Window for long speech regions (s)")->capture_default_str();
  add->add_option("--hop", ad.add.segments.hop, "Hop between windows of long regions (s)")->capture_default_str();
  add->add_option("--max-segment", ad.add.segments.max_segment, "Regions longer than this are windowed (s)")
      ->capture_default_str();
  add->callback([] { run_add(ad); });

  static std::string rm_index = "clasp-index";
  static std::vector<std::string> rm_paths;
  auto* rm = ix->add_subcommand("rm", "Remove files (or everything below a folder) from the index");
  rm->add_option("paths", rm_paths, "Files or folders")->required();
  rm->add_option("--index", rm_index, "Index directory")->capture_default_str();
  rm->callback([] {
    auto m = AudioIndex::model_of(rm_index);
    AudioIndex idx(rm_index, m);
    for (const auto& p : rm_paths) {
      size_t n = idx.remove(p);
      std::printf("%s: %zu file%s removed\n", p.c_str(), n, n == 1 ? "" : "s");
    }
    idx.prepare_for_search();
  });

  static std::string st_index = "clasp-index";
  static bool st_json = false;
  auto* st = ix->add_subcommand("status", "Show what an index holds");
  st->add_option("--index", st_index, "Index directory")->capture_default_str();
  st->add_flag("--json", st_json, "Print the status as JSON (the shape of the server's /api/status)");
  st->callback([] { print_status(st_index, st_json); });

  static std::string ex_index = "clasp-index", ex_out;
  auto* ex = ix->add_subcommand("export", "Write the index's vectors (.npy) and segments (JSONL) for other tools");
  ex->add_option("--index", ex_index, "Index directory")->capture_default_str();
  ex->add_option("-o,--out", ex_out, "Folder for vectors.npy, segments.jsonl and model.json")->required();
  ex->callback([] {
    AudioIndex idx(ex_index, AudioIndex::model_of(ex_index), AudioIndex::Access::ReadOnly);
    const size_t total = idx.status().segments;
    Progress bar("export", static_cast<int64_t>(total), "segments");
    const auto r = export_index(idx, ex_out, [&](size_t n) { bar.update(static_cast<int64_t>(n)); });
    bar.finish();
    std::printf("%zu segments (%d-dim vectors) written to %s/vectors.npy, segments.jsonl and model.json\n", r.segments,
                r.dim, ex_out.c_str());
  });

  static std::string ap_index = "clasp-index";
  static int ap_nprobe = 16;
  auto* ap = ix->add_subcommand("approx", "Build the approximate (FAISS IVF) index for large collections");
  ap->add_option("--index", ap_index, "Index directory")->capture_default_str();
  ap->add_option("--nprobe", ap_nprobe, "Clusters scanned per query")->capture_default_str();
  ap->callback([] {
    AudioIndex idx(ap_index, AudioIndex::model_of(ap_index));
    idx.build_approx(ap_nprobe);
    std::printf("approximate index of %s is up to date\n", ap_index.c_str());
  });

  static LongformEvalOptions ev;
  static std::string ev_index = "clasp-index", ev_langs;
  static int ev_threads = 0;
  auto* e = ix->add_subcommand("eval", "Query long recordings with known clip positions (clasp data longform)");
  e->add_option("--truth", ev.truth, "truth.jsonl written by clasp data longform")->required();
  e->add_option("--index", ev_index, "Index directory holding the recordings")->capture_default_str();
  e->add_option("--query-manifest", ev.query_manifest, "Corpus manifest with translations, for cross-lingual queries");
  e->add_option("--query-langs", ev_langs, "Query languages from --query-manifest, comma separated");
  e->add_option("-k", ev.k, "Results per query")->capture_default_str();
  e->add_option("--tolerance", ev.tolerance, "Allowed start/end error (s)")->capture_default_str();
  e->add_option("--max-queries", ev.max_queries, "Use only the first N clips (0 = all)");
  e->add_option("--threads", ev_threads, "Torch threads");
  e->add_flag("--phonetic", ev.phonetic, "Phonetic search (each query in its own language) instead of CLASP vectors");
  e->add_option("--query-words", ev.query_words,
                "Query with only the first N words of each text: a phrase instead of the whole sentence (0 = all)");
  e->add_option("--rerank", ev.rerank,
                "Vector search: how many of the best results are re-ranked by phoneme match (0 = vectors alone)")
      ->capture_default_str();
  e->add_option("--scan", ev.scan,
                "With --rerank: how many of the phonetic search's best results join the re-ranked candidates (0 = none)")
      ->capture_default_str();
  e->add_option("--phonetic-candidates", ev.phonetic_candidates,
                "Segments the phonetic search matches exactly, from the phonetic candidate index (0 = every "
                "transcript: the exhaustive scan)")
      ->capture_default_str();
  e->callback([] {
    set_compute_threads(ev_threads);
    std::stringstream ss(ev_langs);
    for (std::string l; std::getline(ss, l, ',');)
      if (!l.empty()) ev.query_langs.push_back(l);
    Searcher s(ev_index);
    auto res = evaluate_longform(s, ev);
    std::printf("| queries in | n | HITS@1 | HITS@1 same sentence | MRR | R@10 | start error (s) | latency p50 / p99 (ms) |\n"
                "|---|---|---|---|---|---|---|---|\n");
    for (const auto& r : res)
      std::printf("| %s | %zu | %.3f | %.3f | %.3f | %.3f | %.2f | %.1f / %.1f |\n",
                  r.query_lang.empty() ? "clip's own" : r.query_lang.c_str(), r.queries, r.hits1, r.hits1_same_sentence,
                  r.mrr, r.r10, r.mean_abs_start_err, r.latency_p50_ms, r.latency_p99_ms);
  });

  static SearchArgs se;
  auto* s = app.add_subcommand("search", "Find the audio segments where a text (any language) or audio query is said");
  s->add_option("query", se.query, "Text query");
  s->add_option("--audio", se.audio, "Query by example: an audio file");
  s->add_option("--index", se.indexes,
                "Index directory; repeat for the shards of one collection (results merged by score)")
      ->capture_default_str();
  s->add_option("-m,--model", se.model, "CLASP model directory (default: the one the index was built with)");
  s->add_option("-k", se.opt.k, "Number of results")->capture_default_str()->check(CLI::Range(1, 1000));
  s->add_option("--lang", se.opt.lang, "Only segments in this language");
  s->add_option("--query-lang", se.query_lang,
                "The text query's language (ISO 639-1): a model with a phonetic part then also matches how the "
                "query sounds (same-language audio), and the best --rerank results are re-ranked by phoneme match; "
                "without it the query is matched by meaning alone");
  s->add_option("--rerank", se.opt.rerank,
                "With --query-lang: how many of the vectors' best results are re-ranked by how closely the query's "
                "phonemes occur in their transcripts (0 = vectors alone)")
      ->capture_default_str()
      ->check(CLI::Range(0, 10000));
  s->add_option("--scan", se.opt.scan,
                "With --query-lang: how many of the best results of a phonetic search also join the re-ranked "
                "candidates, so a short phrase the vectors miss is found (0 = none)")
      ->capture_default_str()
      ->check(CLI::Range(0, 10000));
  s->add_option("--phonetic-candidates", se.opt.phonetic_candidates,
                "Segments the phonetic search matches exactly, from the phonetic candidate index (phoneme n-grams); "
                "0 = every transcript (exhaustive: time grows with the collection)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000000));
  s->add_flag("--translate", se.opt.translate,
              "With --query-lang: also search with the query's machine translation (apertium) between English and "
              "the audio's language (0.6-1.1 s more per language pair not yet translated)");
  s->add_flag("--approx", se.opt.approx, "Approximate search (FAISS IVF) instead of exact");
  s->add_option("--approx-above", se.opt.approx_above,
                "Search through IVF whenever the index holds more segments than this (0 = only with --approx)")
      ->capture_default_str();
  s->add_option("--nprobe", se.opt.nprobe, "IVF clusters scanned per query with --approx")->capture_default_str();
  s->add_option("--threads", se.threads, "Torch threads");
  s->add_flag("--json", se.json, "Print the results as JSON (the API's answer shape; same as --output-format json)");
  s->add_option("--output-format", se.output_format,
                "text (default), json, jsonl (one hit per line), csv, srt or vtt (subtitles: each hit a cue at its "
                "span, for a player beside the recording)");
  s->add_option("-o,--out", se.out, "Write the results to this file instead of stdout");
  s->add_option("--queries", se.queries,
                "Text queries, one per line, from this file or - (stdin): one search each, answers as jsonl (or "
                "--output-format csv), the model loaded once");
  s->add_flag("--phonetic", se.phonetic,
              "Match the query's phonemes (espeak-ng, needs --lang) against the segments' phoneme transcripts "
              "instead of CLASP vectors: same language only");
  s->callback([] { run_search(se); });
}

}  // namespace clasp::cli
