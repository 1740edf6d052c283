#include "eval/asr_baseline.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <numeric>
#include <thread>
#include <spdlog/spdlog.h>
#include <ostream>

#include "asr/speech_recognizer.h"
#include "audio/audio_file.h"
#include "data/manifest.h"
#include "eval/retrieval_metrics.h"
#include "eval/word_error_rate.h"
#include "speech/clasp_audio_model.h"
#include "text/sentence_encoder.h"
#include "util/error.h"
#include "util/progress.h"

namespace fs = std::filesystem;

namespace clasp {

namespace {

nlohmann::json metrics_json(const RetrievalMetrics& m) {
  return {{"queries", m.queries}, {"hits1", m.hits1}, {"mrr", m.mrr}, {"mean_rank", m.mean_rank},
          {"r5", m.r5}, {"r10", m.r10}};
}

}  // namespace

std::string asr_baseline_text_encoder_dir(const std::string& model_dir) {
  return fs::exists(fs::path(model_dir) / "clasp.json") ? clasp_text_encoder_dir(model_dir) : model_dir;
}

nlohmann::json run_asr_baseline(const AsrBaselineOptions& opt) {
  auto utts = read_manifest(opt.manifest);
  const fs::path root = fs::path(opt.manifest).parent_path();
  std::vector<const Utterance*> clips;
  for (const auto& u : utts)
    if (u.split == opt.split && u.lang == opt.lang && !u.audio.empty() && !u.text.empty()) clips.push_back(&u);
  if (clips.empty()) throw Error(opt.manifest + ": no " + opt.lang + " clips in the " + opt.split + " split");
  const auto asr = choose_recognizer(opt.asr_model, opt.threads);
  fs::create_directories(opt.out_dir);

  // Resume: transcripts this recogniser already made for these clips (lines from before the "asr" field were
  // PocketSphinx's).
  const std::string tpath = opt.out_dir + "/transcripts.jsonl";
  std::map<std::string, std::string> hyp;
  size_t foreign = 0;
  if (std::ifstream in(tpath); in) {
    std::string line;
    while (std::getline(in, line)) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.is_object() || !j.contains("id") || !j["id"].is_string() ||
          !j.contains("hypothesis") || !j["hypothesis"].is_string())
        continue;
      const std::string by = j.contains("asr") && j["asr"].is_string() ? j["asr"].get<std::string>()
                                                                        : "pocketsphinx en-us";
      if (by == asr.identity) hyp[j["id"].get<std::string>()] = j["hypothesis"].get<std::string>();
      else ++foreign;
    }
  }
  if (foreign)
    spdlog::warn("{}: {} transcripts by another recogniser are not reused (give each its own --out-dir)", tpath,
                 foreign);
  std::vector<const Utterance*> todo;
  for (const auto* u : clips)
    if (!hyp.count(u->id)) todo.push_back(u);

  std::ofstream log(tpath, std::ios::app);
  std::mutex mu;
  std::atomic<size_t> next{0}, done{0};
  std::atomic<double> audio_s{0};
  Progress bar(asr.name, static_cast<int64_t>(todo.size()), "clips");
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> th;
  std::string first_error;
  for (int w = 0; w < asr.workers; ++w)
    th.emplace_back([&] {
      try {
        auto recogniser = asr.make();
        for (size_t i; (i = next++) < todo.size();) {
          const auto* u = todo[i];
          auto a = read_audio((root / u->audio).string());
          std::string h = recogniser->transcribe(a.samples);
          std::lock_guard lock(mu);
          hyp[u->id] = h;
          log << nlohmann::json{{"id", u->id}, {"hypothesis", h}, {"audio_s", a.duration()}, {"asr", asr.identity}}
                     .dump()
              << "\n";
          log.flush();
          audio_s = audio_s + a.duration();
          bar.update(static_cast<int64_t>(++done));
        }
      } catch (const std::exception& e) {
        std::lock_guard lock(mu);
        if (first_error.empty()) first_error = e.what();
      }
    });
  for (auto& t : th) t.join();
  bar.finish();
  if (!first_error.empty()) throw Error("ASR baseline: " + first_error);
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  WordErrors total;
  std::map<std::string, WordErrors> by_engine;
  std::vector<std::string> refs, hyps;
  for (const auto* u : clips) {
    auto we = word_errors(u->text, hyp[u->id]);
    total.errors += we.errors;
    total.reference_words += we.reference_words;
    by_engine[u->engine].errors += we.errors;
    by_engine[u->engine].reference_words += we.reference_words;
    refs.push_back(u->text);
    hyps.push_back(hyp[u->id]);
  }
  std::unique_ptr<SentenceEncoder> own;
  if (!opt.text) own = SentenceEncoder::load(asr_baseline_text_encoder_dir(opt.model_dir));
  SentenceEncoder& text = opt.text ? *opt.text : *own;
  const size_t D = static_cast<size_t>(text.dim());
  auto q = text.embed(refs), c = text.embed(hyps);
  std::vector<size_t> gold(clips.size());
  std::iota(gold.begin(), gold.end(), 0);
  auto hard = ranks_hard(q, c, D, gold), soft = ranks_soft(q, c, D, gold, opt.soft_distractors, opt.seed);
  auto mh = RetrievalMetrics::from_ranks(hard), ms = RetrievalMetrics::from_ranks(soft);
  std::map<std::string, std::vector<size_t>> engine_ranks;
  for (size_t i = 0; i < clips.size(); ++i) engine_ranks[clips[i]->engine].push_back(hard[i]);

  nlohmann::json rep = {{"system", asr.name + " + " + text.info().name},
                        {"asr", asr.name},
                        {"manifest", opt.manifest},
                        {"split", opt.split},
                        {"lang", opt.lang},
                        {"clips", clips.size()},
                        {"wer", total.rate()},
                        {"text_to_audio", {{"hard", metrics_json(mh)}, {"soft", metrics_json(ms)}}}};
  if (!todo.empty())
    rep["speed"] = {{"audio_s", audio_s.load()}, {"wall_s", wall}, {"x_realtime", audio_s.load() / wall},
                    {"decoders", asr.workers}, {"threads", opt.threads}};
  for (auto& [e, w] : by_engine) {
    rep["by_engine"][e]["wer"] = w.rate();
    rep["by_engine"][e]["hard"] = metrics_json(RetrievalMetrics::from_ranks(engine_ranks[e]));
  }
  if (opt.tables) {
    auto& out = *opt.tables;
    out << fmt::format("ASR baseline ({}, {} {} {} clips): WER {:.3f}\n", asr.name, clips.size(), opt.lang, opt.split,
                       total.rate());
    for (auto& [e, w] : by_engine) out << fmt::format("  {:<9} WER {:.3f}\n", e, w.rate());
    out << "| protocol | n | HITS@1 | MRR | meanR | R@5 | R@10 |\n|---|---|---|---|---|---|---|\n";
    for (auto [name, m] : {std::pair{"hard", mh}, std::pair{"soft", ms}})
      out << fmt::format("| {} | {} | {:.3f} | {:.3f} | {:.1f} | {:.3f} | {:.3f} |\n", name, m.queries, m.hits1, m.mrr,
                         m.mean_rank, m.r5, m.r10);
    if (!todo.empty())
      out << fmt::format("speed: {:.1f} s of audio in {:.1f} s -> {:.2f}x real time with {} threads\n", audio_s.load(),
                         wall, audio_s.load() / wall, opt.threads);
  }
  return rep;
}

}  // namespace clasp
