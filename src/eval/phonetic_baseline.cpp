#include "eval/phonetic_baseline.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <spdlog/spdlog.h>
#include <ostream>

#include "data/manifest.h"
#include "eval/retrieval_metrics.h"
#include "index/phone_costs.h"
#include "speech/audio_embedder.h"
#include "speech/clasp_audio_model.h"
#include "speech/mel_cache.h"
#include "speech/phoneme_vocab.h"
#include "speech/speech_encoder.h"
#include "tts/phonemizer.h"
#include "util/error.h"
#include "util/progress.h"

namespace fs = std::filesystem;

namespace clasp {

float phoneme_similarity(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  size_t n = std::max(a.size(), b.size());
  return n ? 1.0f - static_cast<float>(edit_distance(a, b)) / static_cast<float>(n) : 1.0f;
}

namespace {

nlohmann::json metrics_json(const RetrievalMetrics& m) {
  return {{"queries", m.queries}, {"hits1", m.hits1}, {"mrr", m.mrr}, {"mean_rank", m.mean_rank},
          {"r5", m.r5}, {"r10", m.r10}};
}

// Greedy CTC transcripts of cached clips, in batches of similar length.
std::vector<std::vector<int64_t>> transcribe(SpeechEncoder& enc, const MelCache& cache,
                                             const std::vector<const Utterance*>& clips, uint64_t view_seed,
                                             Progress& bar, int64_t& done) {
  torch::NoGradGuard ng;
  std::vector<size_t> order(clips.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return cache.frames(clips[a]->id) < cache.frames(clips[b]->id); });
  std::vector<std::vector<int64_t>> out(clips.size());
  for (size_t s = 0; s < order.size(); s += 32) {
    size_t e = std::min(order.size(), s + 32);
    std::vector<std::string> ids;
    for (size_t k = s; k < e; ++k) ids.push_back(clips[order[k]]->id);
    auto [x, len] = pad_mels(clip_mels(cache, ids, view_seed), MelCache::kMels);
    auto o = enc->forward(x, len);
    auto lp = enc->ctc_log_probs(o);
    for (size_t k = s; k < e; ++k)
      out[order[k]] = greedy_decode(lp.select(1, static_cast<int64_t>(k - s)), o.lengths[static_cast<int64_t>(k - s)].item<int64_t>());
    done += static_cast<int64_t>(e - s);
    bar.update(done);
  }
  return out;
}

// The baseline on a loaded speech encoder.
nlohmann::json run_with(const PhoneticBaselineOptions& opt, SpeechEncoder enc) {
  torch::set_num_threads(std::max(1, opt.threads));
  auto utts = read_manifest(opt.manifest);
  const std::string root = fs::path(opt.manifest).parent_path().string();
  const std::string cache_dir = opt.cache_dir.empty() ? (fs::path(root) / "mel-cache").string() : opt.cache_dir;
  std::map<std::string, std::vector<const Utterance*>> by_lang;
  std::vector<Utterance> chosen;
  for (const auto& u : utts)
    if (u.split == opt.split && !u.audio.empty() && u.error.empty() && !u.text.empty()) {
      by_lang[u.lang].push_back(&u);
      chosen.push_back(u);
    }
  if (by_lang.empty()) throw Error(opt.manifest + ": no clips in the " + opt.split + " split");
  build_mel_cache(chosen, root, cache_dir, opt.threads);
  MelCache cache(cache_dir, &chosen, root);
  enc->eval();
  if (enc->cfg.ctc_classes <= 0 || enc->cfg.phonemes.empty())
    throw Error(opt.speech_dir + ": this speech encoder has no CTC phoneme head");
  auto vocab = PhonemeVocab::from_symbols(enc->cfg.phonemes);

  nlohmann::json report = {{"manifest", opt.manifest}, {"split", opt.split}, {"speech_encoder", opt.speech_dir},
                           {"system", "greedy CTC phonemes + espeak-ng phonemes of the query, edit distance"},
                           {"soft_candidates", opt.soft_distractors + 1}, {"seed", opt.seed}};
  Progress bar("phonemes", static_cast<int64_t>(chosen.size()), "clips");
  int64_t done = 0;
  double audio_s = 0;
  auto t0 = std::chrono::steady_clock::now();
  std::map<std::string, std::vector<std::vector<int64_t>>> hyps;
  for (auto& [lang, clips] : by_lang) {
    hyps[lang] = transcribe(enc, cache, clips, opt.view_seed, bar, done);
    for (const auto* u : clips) audio_s += u->duration;
  }
  bar.finish();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  report["speed"] = {{"audio_s", audio_s}, {"wall_s", wall}, {"x_realtime", wall > 0 ? audio_s / wall : 0.0},
                     {"threads", opt.threads}, {"note", "phoneme transcription from the log-mel cache"}};

  if (opt.view_seed) report["view_seed"] = opt.view_seed;
  std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>> said_heard;
  if (opt.tables)
    *opt.tables << fmt::format("Phonetic baseline ({}, greedy CTC vs espeak-ng query phonemes), text -> audio\n",
                               opt.speech_dir)
                << "| lang | n | PER | hard HITS@1 | MRR | meanR | soft HITS@1 |\n|---|---|---|---|---|---|---|\n";
  for (auto& [lang, clips] : by_lang) {
    std::vector<std::vector<int64_t>> queries;
    size_t errors = 0, ref_len = 0;
    for (size_t i = 0; i < clips.size(); ++i) {
      queries.push_back(vocab.encode(phonemize_ipa(clips[i]->text, lang)));
      errors += edit_distance(hyps[lang][i], queries.back());
      ref_len += queries.back().size();
      if (!opt.learn_costs.empty()) said_heard.emplace_back(queries.back(), hyps[lang][i]);
    }
    std::vector<size_t> gold(clips.size());
    for (size_t i = 0; i < gold.size(); ++i) gold[i] = i;
    // Score matrix once: both protocols read it.
    const size_t n = clips.size();
    std::vector<float> sim(n * n);
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < n; ++j) sim[i * n + j] = phoneme_similarity(queries[i], hyps[lang][j]);
    auto score = [&](size_t i, size_t j) { return sim[i * n + j]; };
    auto hard = ranks_hard_by(score, n, gold), soft = ranks_soft_by(score, n, gold, opt.soft_distractors, opt.seed);
    auto& L = report["languages"][lang];
    L["clips"] = n;
    L["per"] = ref_len ? static_cast<double>(errors) / static_cast<double>(ref_len) : 0.0;
    L["text_to_audio"] = {{"hard", metrics_json(RetrievalMetrics::from_ranks(hard))},
                          {"soft", metrics_json(RetrievalMetrics::from_ranks(soft))}};
    std::map<std::string, std::vector<size_t>> by_engine;
    for (size_t k = 0; k < n; ++k) by_engine[clips[k]->engine].push_back(hard[k]);
    for (auto& [e, r] : by_engine) L["by_engine"][e] = metrics_json(RetrievalMetrics::from_ranks(r));
    auto h = RetrievalMetrics::from_ranks(hard), s = RetrievalMetrics::from_ranks(soft);
    if (opt.tables)
      *opt.tables << fmt::format("| {} | {} | {:.3f} | {:.3f} | {:.3f} | {:.1f} | {:.3f} |\n", lang, n,
                                 L["per"].get<double>(), h.hits1, h.mrr, h.mean_rank, s.hits1)
                  << std::flush;
  }
  if (!opt.learn_costs.empty()) {
    PhoneCosts::learn(said_heard, static_cast<size_t>(vocab.size())).save(opt.learn_costs, enc->cfg.phonemes);
    spdlog::info("phone costs from {} clips: {}", said_heard.size(), opt.learn_costs);
    report["learned_costs"] = opt.learn_costs;
  }
  return report;
}

}  // namespace

nlohmann::json run_phonetic_baseline(const PhoneticBaselineOptions& opt) {
  return run_with(opt, load_speech_encoder(opt.speech_dir));
}

nlohmann::json run_phonetic_baseline(const PhoneticBaselineOptions& opt, const AudioEmbedder& model) {
  auto m = model.model();
  if (!m->speech) throw Error(opt.speech_dir + ": this CLASP model has no speech encoder");
  return run_with(opt, m->speech);
}

}  // namespace clasp
