#include "report/html_report.h"

#include <cmath>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <set>
#include <spdlog/spdlog.h>

#include "asr/pocketsphinx_asr.h"
#include "asr/speech_recognizer.h"
#include "audio/audio_file.h"
#include "data/manifest.h"
#include "eval/asr_baseline.h"
#include "eval/clasp_eval.h"
#include "eval/phonetic_baseline.h"
#include "models/safetensors.h"
#include "report/embedding_projection.h"
#include "report/html_tables.h"
#include "report/pipeline_speed.h"
#include "report/svg_plot.h"
#include "speech/audio_embedder.h"
#include "speech/clasp_audio_model.h"
#include "speech/query_embedder.h"
#include "text/sentence_encoder.h"
#include "util/error.h"
#include "util/fs.h"

namespace fs = std::filesystem;

namespace clasp {

namespace {

// The first `keep` columns of row-major [n x dim] vectors, each row
// re-normalised (a model's semantic part without its phonetic part).
std::vector<float> leading_columns(const std::vector<float>& v, size_t dim, size_t keep) {
  if (keep >= dim) return v;
  const size_t n = v.size() / dim;
  std::vector<float> out(n * keep);
  for (size_t i = 0; i < n; ++i) {
    double norm = 0;
    for (size_t k = 0; k < keep; ++k) norm += static_cast<double>(v[i * dim + k]) * v[i * dim + k];
    const float inv = norm > 0 ? static_cast<float>(1 / std::sqrt(norm)) : 0.0f;
    for (size_t k = 0; k < keep; ++k) out[i * keep + k] = v[i * dim + k] * inv;
  }
  return out;
}

std::vector<Row> with_rows(std::vector<Row> rows, const std::vector<Row>& more) {
  rows.insert(rows.end(), more.begin(), more.end());
  return rows;
}

const std::vector<Column> kMetricCols = {
    {"n", "hard.queries", 0},        {"HITS@1", "hard.hits1"}, {"MRR", "hard.mrr"},
    {"meanR", "hard.mean_rank", 1},  {"R@5", "hard.r5"},       {"R@10", "hard.r10"},
    {"soft HITS@1", "soft.hits1"},   {"soft MRR", "soft.mrr"}, {"soft meanR", "soft.mean_rank", 1}};
const std::vector<Column> kFlatCols = {{"n", "queries", 0}, {"HITS@1", "hits1"},  {"MRR", "mrr"},
                                       {"meanR", "mean_rank", 1}, {"R@5", "r5"}, {"R@10", "r10"}};

// Parameters and bytes of a model's weight files.
nlohmann::json weights_size(const std::vector<std::string>& files) {
  int64_t params = 0;
  uintmax_t bytes = 0;
  for (const auto& f : files) {
    params += safetensors_element_count(f);  // from the header: the weights were read once, by the loader
    bytes += fs::file_size(f);
  }
  return {{"parameters", params}, {"megabytes", static_cast<double>(bytes) / 1e6}};
}

nlohmann::json directory_size(const std::string& dir) {
  uintmax_t bytes = 0;
  for (auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) bytes += e.file_size();
  return {{"megabytes", static_cast<double>(bytes) / 1e6}};
}

std::vector<const Utterance*> english_test_clips(const std::vector<Utterance>& utts, const std::string& split) {
  std::vector<const Utterance*> out;
  for (const auto& u : utts)
    if (u.lang == "en" && u.split == split && !u.audio.empty() && u.error.empty()) out.push_back(&u);
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->id < b->id; });
  return out;
}

std::string projection_svg(const std::string& title, const Projection2D& p, const AxisRange& axes) {
  return scatter_plot_svg(title, "PC 1", "PC 2", {{"speech", p.ax, p.ay}, {"text", p.bx, p.by}}, true, 460, 400, axes);
}

// The paper's reported figures (Abootorabi & Asgari, ECIR 2025, as quoted in
// the project's design brief), shown beside ours where it gives them.
nlohmann::json paper_figures() {
  auto m = [](double hits1, double mrr, double mean_rank) {
    return nlohmann::json{{"hits1", hits1}, {"mrr", mrr}, {"mean_rank", mean_rank}};
  };
  return {{"common_voice_en_hard",
           {{"clasp", m(0.916, 0.935, 24.4)},
            {"hubert_ctc_asr_labse", m(0.968, 0.974, 10.4)},
            {"wav2vec2_ctc_asr_labse", m(0.891, 0.906, 48.2)}}},
          {"speech_brown_soft", {{"clasp", {{"hits1", 0.99}}}}}};
}

// The mean of `key` over the members of `group` that have it; null if none.
nlohmann::json mean_over(const nlohmann::json& group, const std::string& key) {
  double sum = 0;
  size_t n = 0;
  for (const auto& [_, g] : group.items())
    if (const auto* v = json_at(g, key); v && v->is_number()) sum += v->get<double>(), ++n;
  return n ? nlohmann::json(sum / static_cast<double>(n)) : nlohmann::json();
}

// One summary per `clasp eval --json` report in `dir` (other JSON files are
// skipped): hard-protocol text -> audio means over the languages, English,
// the cross-lingual queries and, where the run had it, the two-stage search.
// Keyed by file stem ('.' -> '_': dots would split the cells' JSON paths).
nlohmann::json ablation_runs(const std::string& dir) {
  nlohmann::json runs = nlohmann::json::object();
  std::error_code ec;
  if (dir.empty() || !fs::is_directory(dir, ec)) return runs;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() != ".json") continue;
    const auto E = nlohmann::json::parse(read_file(e.path().string()), nullptr, false);
    if (!E.is_object() || !E.contains("languages") || !E["languages"].is_object()) continue;
    nlohmann::json run = {{"file", e.path().filename().string()}, {"split", ""}};
    if (E.contains("split") && E["split"].is_string()) run["split"] = E["split"];
    for (const char* m : {"hits1", "mrr", "mean_rank"})
      run["same_language"][m] = mean_over(E["languages"], std::string("text_to_audio.hard.") + m);
    if (const auto* en = json_at(E, "languages.en.text_to_audio.hard.hits1")) run["en"]["hits1"] = *en;
    if (E.contains("cross_lingual")) run["cross_lingual"]["hits1"] = mean_over(E["cross_lingual"], "hard.hits1");
    if (const auto* ts = json_at(E, "two_stage.languages")) run["two_stage"]["hits1"] = mean_over(*ts, "hard.hits1");
    std::string key = e.path().stem().string();
    std::replace(key.begin(), key.end(), '.', '_');
    runs[key] = run;
  }
  return runs;
}

std::string ablations_section(const nlohmann::json& R, const std::string& dir) {
  const auto& runs = R["ablations"]["runs"];
  // The test split first, then validation; by name within each.
  std::vector<std::pair<std::string, std::string>> order;
  for (const auto& [key, run] : runs.items()) {
    const std::string split = run["split"].get<std::string>();
    order.push_back({split == "test" ? "" : split, key});
  }
  std::sort(order.begin(), order.end());
  std::vector<Row> rows;
  for (const auto& [_, key] : order) {
    std::string label = runs[key]["file"].get<std::string>();
    label = label.substr(0, label.size() - 5);  // ".json"
    if (label.size() > 5 && label.compare(label.size() - 5, 5, "-eval") == 0) label.resize(label.size() - 5);
    const std::string split = runs[key]["split"].get<std::string>();
    rows.push_back({split.empty() ? label : label + " (" + split + ")", "ablations.runs." + key});
  }
  return "<h2>Ablations</h2>\n<p class=\"note\">Every <code>clasp eval --json</code> report in <code>" + html_escape(dir) +
         "</code>, with the split it was measured on; what each run changed is in that folder's README.md and "
         "docs/clasp.md.</p>\n" +
         html_table("ablations",
                    "Ablation runs, hard protocol, text -> audio: means over the run's languages, English alone, "
                    "the translated (cross-lingual) queries, and the two-stage search where the run had it",
                    R, rows,
                    {{"HITS@1", "same_language.hits1"}, {"MRR", "same_language.mrr"},
                     {"meanR", "same_language.mean_rank", 1}, {"en HITS@1", "en.hits1"},
                     {"cross-lingual HITS@1", "cross_lingual.hits1"}, {"two-stage HITS@1", "two_stage.hits1"}});
}

std::string now_utc() {
  auto t = std::time(nullptr);
  char b[32];
  std::strftime(b, sizeof b, "%Y-%m-%d %H:%M UTC", std::gmtime(&t));
  return b;
}

}  // namespace

namespace {

// Each real-speech corpus: same language and cross-lingual both ways, the
// single vector beside the two-stage search.
std::string real_speech_section(const nlohmann::json& R) {
  std::string h = "<h2>Real speech (people, not synthesisers)</h2>\n<p class=\"note\">The same model, metrics and "
                  "seed on recordings of people (docs/corpus.md); cross-lingual queries are human translations.</p>\n";
  for (const auto& [name, E] : R["real"].items()) {
    const std::string p = "real." + name + ".";
    const bool ts = E.contains("two_stage");
    std::vector<Row> same, xl;
    for (const auto& [l, _] : E["languages"].items()) {
      same.push_back({l + " (single vector)", p + "languages." + l + ".text_to_audio"});
      if (ts) same.push_back({l + " (two-stage)", p + "two_stage.languages." + l});
    }
    for (const std::string dir : {"cross_lingual", "cross_lingual_from_en"}) {
      if (!E.contains(dir)) continue;
      for (const auto& [l, _] : E[dir].items()) {
        const std::string label = dir == "cross_lingual" ? l + " -> en audio" : "en -> " + l + " audio";
        xl.push_back({label + " (single vector)", p + dir + "." + l});
        if (ts && E["two_stage"].contains(dir)) xl.push_back({label + " (two-stage)", p + "two_stage." + dir + "." + l});
      }
    }
    h += html_table("real-" + name + "-same", html_escape(name) + ": same language, text -> audio", R, same,
                    kMetricCols);
    if (!xl.empty())
      h += html_table("real-" + name + "-xl", html_escape(name) + ": cross-lingual", R, xl, kMetricCols);
  }
  return h;
}

}  // namespace

nlohmann::json write_report(const ReportOptions& opt) {
  if (opt.manifest.empty()) throw Error("report: a corpus manifest is needed (-i)");
  const auto utts = read_manifest(opt.manifest);
  const fs::path root = fs::path(opt.manifest).parent_path();
  const auto en = english_test_clips(utts, opt.split);
  if (en.size() < 2) throw Error(opt.manifest + ": fewer than 2 English clips in the " + opt.split + " split");
  for (const auto& dir : opt.asr_models) choose_recognizer(dir, 1);  // a broken checkpoint is refused before any work
  nlohmann::json R;
  R["generated"] = now_utc();
  R["manifest"] = opt.manifest;

  // The model is loaded once (clasp.json read, weights read and hashed once)
  // and every part of the report runs on it.
  AudioEmbedder model(opt.model_dir);
  const ClaspModelConfig& cfg = model.model()->cfg;
  const std::string text_dir = clasp_text_encoder_dir(opt.model_dir, cfg);
  QueryEmbedder queries(opt.model_dir, model.model());
  // The query side's text encoder serves the ASR pipelines and the projection too.
  std::unique_ptr<SentenceEncoder> own_text;
  SentenceEncoder* text_enc = queries.sentence_encoder();
  if (!text_enc) text_enc = (own_text = SentenceEncoder::load(text_dir)).get();

  spdlog::info("report: CLASP evaluation");
  ClaspEvalOptions eo;
  eo.model_dir = opt.model_dir;
  eo.manifest = opt.manifest;
  eo.split = opt.split;
  eo.soft_distractors = opt.soft_distractors;
  eo.seed = opt.seed;
  eo.threads = opt.threads;
  eo.rerank_k = opt.rerank;
  R["clasp"] = evaluate_clasp(eo, model, queries);
  const bool two_stage = R["clasp"].contains("two_stage");
  for (const auto& m : opt.real_manifests) {
    // Named by the corpus's folder ("asterisk"); dots would split the cells' JSON paths.
    std::string name = fs::path(m).parent_path().filename().string();
    std::replace(name.begin(), name.end(), '.', '_');
    while (name.empty() || R["real"].contains(name)) name += "_";
    spdlog::info("report: CLASP on real speech ({})", m);
    eo.manifest = m;
    R["real"][name] = evaluate_clasp(eo, model, queries);
  }

  spdlog::info("report: ASR baseline (transcripts kept in {})", opt.asr_dir);
  AsrBaselineOptions ao;
  ao.manifest = opt.manifest;
  ao.text = text_enc;
  ao.out_dir = opt.asr_dir;
  ao.split = opt.split;
  ao.soft_distractors = opt.soft_distractors;
  ao.seed = opt.seed;
  ao.threads = opt.threads;
  R["asr"] = run_asr_baseline(ao);
  R["asr"]["overall"] = {{"hard", R["asr"]["text_to_audio"]["hard"]}, {"wer", R["asr"]["wer"]}};
  // Further recognisers, keyed by their folder's name (dots would split the cells' JSON paths).
  std::vector<std::pair<std::string, std::string>> asr_models;  // key, directory
  for (const auto& dir : opt.asr_models) {
    std::string key = fs::path(dir).lexically_normal().filename().string();
    if (key.empty() || key == ".") key = fs::path(dir).lexically_normal().parent_path().filename().string();
    std::replace(key.begin(), key.end(), '.', '_');
    while (key.empty() || R["asr_models"].contains(key)) key += "_";
    spdlog::info("report: ASR baseline with {}", dir);
    ao.asr_model = dir;
    ao.out_dir = opt.asr_dir + "-" + key;
    R["asr_models"][key] = run_asr_baseline(ao);
    R["asr_models"][key]["dir"] = dir;
    asr_models.emplace_back(key, dir);
  }

  const std::string speech_dir = (fs::path(opt.model_dir) / cfg.speech_encoder).lexically_normal().string();
  if (cfg.use_speech) {
    spdlog::info("report: phonetic baseline ({})", speech_dir);
    PhoneticBaselineOptions po;
    po.manifest = opt.manifest;
    po.speech_dir = speech_dir;
    po.split = opt.split;
    po.soft_distractors = opt.soft_distractors;
    po.seed = opt.seed;
    po.threads = opt.threads;
    R["phonetic"] = run_phonetic_baseline(po, model);
  }

  // Both pipelines on the same clips and the same number of cores.
  std::vector<std::string> wavs;
  for (size_t i = 0; i < std::min(opt.speed_clips, en.size()); ++i) wavs.push_back((root / en[i]->audio).string());
  spdlog::info("report: timing both pipelines on {} English clips, {} threads", wavs.size(), opt.threads);
  auto cs = measure_clasp_speed(wavs, model, opt.threads);
  auto as = measure_asr_speed(wavs, *text_enc, opt.threads);
  R["speed"] = {{"threads", opt.threads},
                {"clasp", cs.to_json()},
                {"asr", as.to_json()},
                {"clasp_over_asr", as.x_realtime() > 0 ? cs.x_realtime() / as.x_realtime() : 0.0}};
  for (const auto& [key, dir] : asr_models)
    R["speed"]["asr_models"][key] = measure_asr_speed(wavs, *text_enc, opt.threads, dir).to_json();

  // Members and the phonetic part share the speech encoder, counted once.
  const auto clasp_files = clasp_weight_files(opt.model_dir, cfg);
  R["sizes"] = {{"clasp_audio_side", weights_size(clasp_files)},
                {"text_encoder", weights_size({text_dir + "/model.safetensors"})},
                {"pocketsphinx_model", directory_size(PocketsphinxAsr::default_model_dir())}};

  // Paper Fig. 4: English sentences per Brown category, all splits.
  std::map<std::string, int> cats;
  for (const auto& u : utts)
    if (u.lang == "en") ++cats[u.category.empty() ? "(none)" : u.category];
  R["corpus_categories"] = cats;

  // Paper Fig. 3: speech and text embeddings of the same sentences, before
  // (seeded initialisation of the trainable part) and after CLASP training.
  spdlog::info("report: embedding projection");
  std::vector<std::vector<float>> audio;
  std::vector<std::string> texts;
  for (size_t i = 0; i < std::min(opt.projection_clips, en.size()); ++i) {
    audio.push_back(read_audio((root / en[i]->audio).string()).samples);
    texts.push_back(en[i]->text);
  }
  auto text_vecs = text_enc->embed(texts);
  const auto before = model.untrained();
  // In the text encoder's space: a phonetic part, appended after it, is left out.
  const size_t D = static_cast<size_t>(text_enc->dim());
  auto pb = project_pairs_2d(leading_columns(before->embed(audio), static_cast<size_t>(before->dim()), D), text_vecs, D);
  auto pa = project_pairs_2d(leading_columns(model.embed(audio), static_cast<size_t>(model.dim()), D), text_vecs, D);
  for (auto [name, p] : {std::pair{"before", &pb}, std::pair{"after", &pa}})
    R["projection"][name] = {{"clips", audio.size()}, {"explained_variance", p->explained},
                             {"mean_pair_distance", p->mean_pair_distance}};
  R["paper"] = paper_figures();
  if (auto runs = ablation_runs(opt.ablations_dir); !runs.empty())
    R["ablations"] = {{"dir", opt.ablations_dir}, {"runs", runs}};

  // ---- HTML ----
  std::vector<std::string> langs;
  for (auto& [l, _] : R["clasp"]["languages"].items()) langs.push_back(l);
  auto lang_rows = [&](const std::string& dir) {
    std::vector<Row> rows;
    for (const auto& l : langs) rows.push_back({l, "clasp.languages." + l + "." + dir});
    return rows;
  };
  std::vector<Row> engine_rows, xl_rows;
  std::set<std::string> categories;
  for (const auto& l : langs) {
    for (auto& [e, _] : R["clasp"]["languages"][l]["by_engine"].items())
      engine_rows.push_back({l + " / " + e, "clasp.languages." + l + ".by_engine." + e});
    for (auto& [c, _] : R["clasp"]["languages"][l]["by_category"].items()) categories.insert(c);
  }
  for (auto& [l, _] : R["clasp"]["cross_lingual"].items()) xl_rows.push_back({l + " -> en audio", "clasp.cross_lingual." + l});
  if (R["clasp"].contains("cross_lingual_from_en"))
    for (auto& [l, _] : R["clasp"]["cross_lingual_from_en"].items())
      xl_rows.push_back({"en -> " + l + " audio", "clasp.cross_lingual_from_en." + l});
  // One row per category with its number of test clips beside the HITS@1
  // (a category of 1-2 clips scores 1.000 or 0.000 by chance), languages as
  // columns. Translations share their clips' categories: one count column
  // serves every language unless the counts differ.
  std::vector<Row> cat_rows;
  for (const auto& c : categories) cat_rows.push_back({c, c});
  const auto by_cat = [](const std::string& l, const std::string& what) {
    return "clasp.languages." + l + ".by_category.{row}." + what;
  };
  const auto clips = [&](const std::string& l, const std::string& c) {
    const auto* n = json_at(R, "clasp.languages." + l + ".by_category." + c + ".queries");
    return n ? n->dump() : std::string();
  };
  bool same_counts = true;
  for (const auto& c : categories)
    for (const auto& l : langs) same_counts = same_counts && clips(l, c) == clips(langs[0], c);
  std::vector<Column> cat_cols;
  if (same_counts && !langs.empty()) cat_cols.push_back({"test clips", by_cat(langs[0], "queries"), 0});
  for (const auto& l : langs) {
    if (!same_counts) cat_cols.push_back({l + " clips", by_cat(l, "queries"), 0});
    cat_cols.push_back({l + " HITS@1", by_cat(l, "hits1")});
  }
  const std::string cat_table =
      html_table("by-category", "Hard protocol, text -> audio, HITS@1 by Brown category", R, cat_rows, cat_cols);

  std::string h = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>CLASP report</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;overflow-wrap:break-word}
.caption{font-weight:bold;margin:1.2em 0 .3em}.table-wrap{max-width:100%;overflow-x:auto;margin:0 0 1em}
table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:.25em .5em;text-align:right}th{background:#f4f4f4}
th.paper,td.paper{background:#f3f6fb;color:#345}
tr th:first-child{text-align:left;min-width:8em}figure{margin:.5em 0}figure svg{display:block;max-width:100%;height:auto}
.panels{display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start}.panels figure{flex:0 1 460px}
figcaption{font-size:.9em;color:#555;max-width:460px}.note{color:#555;font-size:.92em}
</style></head><body>
<h1>CLASP report</h1>
)";
  h += "<p class=\"note\">Generated " + html_escape(R["generated"].get<std::string>()) + " from <code>" +
       html_escape(opt.manifest) + "</code>, split <code>" + html_escape(opt.split) + "</code>, model <code>" +
       html_escape(opt.model_dir) + "</code>; soft protocol: gold + " + std::to_string(opt.soft_distractors) +
       " seeded random candidates (seed " + std::to_string(opt.seed) + "). Every figure below is in the JSON at the end "
       "of this page and in the report's .json file. &darr; marks a metric where lower is better (meanR: the mean "
       "rank of the right clip, 1 = best; WER, PER: error rates); the others are better higher. Columns headed "
       "\"paper\" hold the CLASP paper's reported figures, on its own data.</p>\n";
  h += "<h2>CLASP vs transcribe-then-retrieve (English test clips)</h2>\n";
  std::vector<Row> vs_asr_rows = {{"CLASP", "clasp.languages.en.text_to_audio"},
                                  {"ASR pipeline", "asr.text_to_audio"},
                                  {"phonetic matching", "phonetic.languages.en.text_to_audio"}};
  std::vector<Row> asr_model_rows, asr_speed_rows, asr_paper_rows;
  for (const auto& [key, dir] : asr_models) {
    const auto& A = R["asr_models"][key];
    const std::string name = "ASR pipeline: " + A["system"].get<std::string>();
    asr_model_rows.push_back({name, "asr_models." + key + ".text_to_audio"});
    asr_speed_rows.push_back({name, "speed.asr_models." + key});
    // The paper's row for the same kind of recogniser (its HuBERT-CTC or wav2vec2-CTC + LaBSE).
    const bool hubert = A["asr"].get<std::string>().rfind("hubert", 0) == 0;
    asr_paper_rows.push_back({name + ", hard", "asr_models." + key + ".text_to_audio.hard",
                              std::string("paper.common_voice_en_hard.") +
                                  (hubert ? "hubert_ctc_asr_labse" : "wav2vec2_ctc_asr_labse")});
  }
  vs_asr_rows.insert(vs_asr_rows.begin() + 2, asr_model_rows.begin(), asr_model_rows.end());
  if (two_stage) {
    vs_asr_rows[0].label = "CLASP (the paper's protocol: one vector per clip)";
    vs_asr_rows.insert(vs_asr_rows.begin() + 1, {"CLASP two-stage search", "clasp.two_stage.languages.en"});
  }
  h += html_table("clasp-vs-asr",
                  "Text -> audio, English: CLASP vs PocketSphinx + the same text encoder, and vs the speech "
                  "encoder's own phonemes matched to the query's",
                  R,
                  vs_asr_rows, kMetricCols);
  std::vector<Row> wer_rows = {
      {"espeak", "asr.by_engine.espeak"}, {"festival", "asr.by_engine.festival"}, {"all", "asr.overall"}};
  for (const auto& [key, dir] : asr_models) {
    R["asr_models"][key]["overall"] = {{"hard", R["asr_models"][key]["text_to_audio"]["hard"]},
                                       {"wer", R["asr_models"][key]["wer"]}};
    wer_rows.push_back({R["asr_models"][key]["asr"].get<std::string>() + ", all", "asr_models." + key + ".overall"});
  }
  h += html_table("asr-by-engine", "ASR pipeline by voice engine (hard) and its word error rate", R, wer_rows,
                  {{"n", "hard.queries", 0}, {"HITS@1", "hard.hits1"}, {"MRR", "hard.mrr"}, {"meanR", "hard.mean_rank", 1},
                   {"WER", "wer"}});
  h += html_table("speed", "Speed on the same " + std::to_string(wavs.size()) + " clips and " +
                               std::to_string(opt.threads) + " threads (audio seconds per wall second)",
                  R, with_rows({{"CLASP", "speed.clasp"}, {"ASR pipeline", "speed.asr"}}, asr_speed_rows),
                  {{"clips", "clips", 0}, {"audio s", "audio_s", 1}, {"wall s", "wall_s", 2}, {"x real time", "x_realtime", 1}});
  h += html_table("speed-ratio", "CLASP speed / ASR pipeline speed", R, {{"ratio", "speed"}}, {{"x", "clasp_over_asr", 1}});
  h += html_table("sizes", "Model sizes", R,
                  {{"CLASP audio side (branches and fusion of every ensemble member + speech encoder)", "sizes.clasp_audio_side"},
                   {"text encoder (shared by both)", "sizes.text_encoder"},
                   {"PocketSphinx en-us (acoustic + LM + dictionary)", "sizes.pocketsphinx_model"}},
                  {{"parameters", "parameters", 0}, {"MB on disk", "megabytes", 1}});
  std::vector<Row> ph_rows;
  for (const auto& l : langs) ph_rows.push_back({l, "phonetic.languages." + l});
  h += html_table("phonetic",
                  "Phonetic matching (greedy CTC phonemes of the audio vs espeak-ng phonemes of the query, edit "
                  "distance), every language; PER = phoneme error rate of the recogniser",
                  R, ph_rows,
                  {{"n", "text_to_audio.hard.queries", 0}, {"PER", "per"}, {"HITS@1", "text_to_audio.hard.hits1"},
                   {"MRR", "text_to_audio.hard.mrr"}, {"meanR", "text_to_audio.hard.mean_rank", 1},
                   {"soft HITS@1", "text_to_audio.soft.hits1"}});
  h += "<h2>CLASP: the paper's protocol</h2>\n";
  // The paper's figures are on its data (Common Voice English, Speech Brown),
  // ours on this corpus: the same protocol, not the same clips.
  h += html_table("vs-paper",
                  "English text -> audio beside the paper's reported figures (paper: hard protocol on Common Voice "
                  "English, soft on Speech Brown; its ASR pipelines are HuBERT-CTC / wav2vec2-CTC + LaBSE, ours "
                  "PocketSphinx and any CTC model given with --asr-model, + the text encoder)",
                  R,
                  with_rows({{"CLASP, hard", "clasp.languages.en.text_to_audio.hard", "paper.common_voice_en_hard.clasp"},
                             {"CLASP, soft", "clasp.languages.en.text_to_audio.soft", "paper.speech_brown_soft.clasp"},
                             {"ASR pipeline, hard", "asr.text_to_audio.hard",
                              "paper.common_voice_en_hard.hubert_ctc_asr_labse"}},
                            asr_paper_rows),
                  {{"HITS@1", "hits1"}, {"paper", "hits1", 3, true}, {"MRR", "mrr"}, {"paper", "mrr", 3, true},
                   {"meanR", "mean_rank", 1}, {"paper", "mean_rank", 1, true}});
  h += html_table("t2a", "Same-language retrieval, text -> audio (hard: all test clips of the language)", R,
                  lang_rows("text_to_audio"), kMetricCols);
  h += html_table("a2t", "Same-language retrieval, audio -> text", R, lang_rows("audio_to_text"), kMetricCols);
  h += html_table("by-engine", "Hard protocol, text -> audio, by voice engine", R, engine_rows, kFlatCols);
  h += html_table("cross-lingual", "Cross-lingual: translated queries against the English test audio", R, xl_rows,
                  kMetricCols);
  h += cat_table;
  if (two_stage) {
    const auto& T = R["clasp"]["two_stage"];
    std::vector<Row> ts_rows, ts_engine_rows, ts_xl_rows;
    for (auto& [l, L] : T["languages"].items()) {
      ts_rows.push_back({l, "clasp.two_stage.languages." + l});
      for (auto& [e, _] : L["by_engine"].items())
        ts_engine_rows.push_back({l + " / " + e, "clasp.two_stage.languages." + l + ".by_engine." + e});
    }
    if (T.contains("cross_lingual"))
      for (auto& [l, _] : T["cross_lingual"].items())
        ts_xl_rows.push_back({l + " -> en audio", "clasp.two_stage.cross_lingual." + l});
    if (T.contains("cross_lingual_from_en"))
      for (auto& [l, _] : T["cross_lingual_from_en"].items())
        ts_xl_rows.push_back({"en -> " + l + " audio", "clasp.two_stage.cross_lingual_from_en." + l});
    h += "<h2>CLASP two-stage search (the product's, beyond the paper)</h2>\n<p class=\"note\">Each query's best " +
         std::to_string(opt.rerank) + " clips by CLASP score, re-ranked by how well its phonemes (and, for a query in "
         "another language than English, those of its word-for-word English gloss) match the clip's CTC transcript and "
         "posteriors; the same candidates, metrics and seed as above (docs/clasp.md, \"Two-stage search\").</p>\n";
    h += html_table("two-stage", "Two-stage search, same language, text -> audio", R, ts_rows, kMetricCols);
    h += html_table("two-stage-by-engine", "Two-stage search, hard protocol, by voice engine", R, ts_engine_rows,
                    kFlatCols);
    if (!ts_xl_rows.empty())
      h += html_table("two-stage-cross-lingual", "Two-stage search, cross-lingual: translated queries against the "
                      "English test audio", R, ts_xl_rows, kMetricCols);
  }
  if (R.contains("real")) h += real_speech_section(R);
  if (R.contains("ablations")) h += ablations_section(R, opt.ablations_dir);
  h += "<h2>Figures</h2>\n";
  std::vector<std::pair<std::string, double>> bars;
  for (auto& [c, n] : cats) bars.push_back({c, n});
  h += "<figure id=\"fig-categories\">" +
       bar_chart_svg("English sentences per Brown category", "Brown category", "sentences", bars) +
       "<figcaption>Corpus composition by category, all splits (paper Fig. 4).</figcaption></figure>\n";
  const std::string metrics_log = opt.model_dir + "/training-metrics.jsonl";
  if (fs::exists(metrics_log))
    h += "<figure id=\"fig-loss\">" +
         line_plot_svg("CLASP training", "step", "InfoNCE loss", series_from_jsonl(metrics_log, {"train_loss", "val_loss"})) +
         "<figcaption>Training and validation loss of " + html_escape(opt.model_dir) + ".</figcaption></figure>\n";
  else
    h += "<p id=\"fig-loss\" class=\"note\">No training-metrics.jsonl beside the model: no loss curve.</p>\n";
  // The two panels side by side on the same axes, so they compare by eye.
  const AxisRange axes = data_range({{"", pb.ax, pb.ay}, {"", pb.bx, pb.by}, {"", pa.ax, pa.ay}, {"", pa.bx, pa.by}}, 0.05);
  char buf[256];
  std::snprintf(buf, sizeof buf, "mean speech-text pair distance %.3f, 2 axes keep %.0f%% of the variance",
                pb.mean_pair_distance, 100 * pb.explained);
  h += "<div class=\"panels\">\n<figure id=\"fig-projection-before\">" + projection_svg("Before CLASP training", pb, axes) +
       "<figcaption>PCA of " + std::to_string(audio.size()) + " English test clips' audio embeddings (seeded, untrained "
       "fusion over the frozen speech encoder) and their texts' embeddings; lines join pairs; " + buf +
       ".</figcaption></figure>\n";
  std::snprintf(buf, sizeof buf, "mean pair distance %.3f, %.0f%% of the variance", pa.mean_pair_distance, 100 * pa.explained);
  h += "<figure id=\"fig-projection-after\">" + projection_svg("After CLASP training", pa, axes) +
       "<figcaption>The same clips and texts with the trained model (paper Fig. 3), on the same axes; " +
       std::string(buf) + ".</figcaption></figure>\n</div>\n";
  std::string data = R.dump();
  for (size_t p = 0; (p = data.find("</", p)) != std::string::npos; p += 3) data.replace(p, 2, "<\\/");
  h += "<script type=\"application/json\" id=\"report-data\">" + data + "</script>\n</body></html>\n";

  fs::create_directories(fs::absolute(opt.out_html).parent_path());
  write_file_atomic(opt.out_html, h);
  std::string js = opt.out_json;
  if (js.empty()) js = (fs::path(opt.out_html).replace_extension(".json")).string();
  write_file_atomic(js, R.dump(2) + "\n");
  spdlog::info("report: wrote {} and {}", opt.out_html, js);
  return R;
}

}  // namespace clasp
