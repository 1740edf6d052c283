#include "train/ctc_pretrain.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "data/manifest.h"
#include "models/safetensors.h"
#include "speech/mel_cache.h"
#include "speech/phoneme_vocab.h"
#include "speech/speech_encoder.h"
#include "train/checkpoint.h"
#include "train/schedule.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/hash.h"
#include "util/progress.h"

namespace fs = std::filesystem;

namespace clasp {

namespace {

struct Clip {
  std::string id, engine;
  std::vector<int64_t> target;
  int frames = 0;
};

std::vector<Clip> clips_of(const std::vector<Utterance>& utts, const MelCache& cache, const PhonemeVocab& vocab,
                           const std::string& split, double max_seconds, bool for_training) {
  std::vector<Clip> out;
  for (const auto& u : utts) {
    if ((!split.empty() && u.split != split) || !cache.has(u.id) || u.phonemes.empty()) continue;
    Clip c{u.id, u.engine, vocab.encode(u.phonemes), cache.frames(u.id)};
    // CTC needs at least one output frame per target symbol.
    if (c.target.empty() || c.frames > max_seconds * 100) continue;
    // CTC needs one output frame per symbol plus a blank between repeated
    // symbols; an infeasible clip gives an infinite loss (and NaN gradients).
    if (for_training) {
      size_t need = c.target.size();
      for (size_t k = 1; k < c.target.size(); ++k) need += c.target[k] == c.target[k - 1];
      int64_t out_frames = (c.frames + 3) / 4;
      if (static_cast<int64_t>(need) >= out_frames) continue;
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::pair<torch::Tensor, torch::Tensor> batch_mels(const std::vector<const Clip*>& b, const MelCache& cache) {
  std::vector<std::vector<float>> mels;
  for (const auto* c : b) mels.push_back(cache.get(c->id));
  return pad_mels(mels, MelCache::kMels);
}

PerResult per_on(SpeechEncoder& model, const std::vector<Clip>& clips, const MelCache& cache, size_t max_clips) {
  torch::NoGradGuard ng;
  bool was_training = model->is_training();
  model->eval();
  // A subset is spread evenly over the list (which is in manifest order,
  // language by language), so it covers every language.
  size_t n = max_clips ? std::min(max_clips, clips.size()) : clips.size();
  std::vector<const Clip*> chosen;
  for (size_t k = 0; k < n; ++k) chosen.push_back(&clips[k * clips.size() / n]);
  size_t errors = 0, total = 0;
  for (size_t s = 0; s < n; s += 32) {
    std::vector<const Clip*> b(chosen.begin() + static_cast<long>(s),
                               chosen.begin() + static_cast<long>(std::min(n, s + 32)));
    auto [x, len] = batch_mels(b, cache);
    auto o = model->forward(x, len);
    auto lp = model->ctc_log_probs(o);
    for (size_t i = 0; i < b.size(); ++i) {
      auto hyp = greedy_decode(lp.select(1, static_cast<int64_t>(i)), o.lengths[static_cast<int64_t>(i)].item<int64_t>());
      errors += edit_distance(hyp, b[i]->target);
      total += b[i]->target.size();
    }
  }
  if (was_training) model->train();
  return {total ? static_cast<double>(errors) / total : 0.0, n};
}

}  // namespace

void pretrain_speech_encoder(const CtcPretrainOptions& opt) {
  torch::manual_seed(opt.seed);
  torch::set_num_threads(opt.threads);
  auto utts = read_manifest(opt.manifest);
  build_mel_cache(utts, fs::path(opt.manifest).parent_path().string(), opt.cache_dir, opt.threads);
  MelCache cache(opt.cache_dir, &utts, fs::path(opt.manifest).parent_path().string());

  fs::create_directories(opt.work_dir);
  // The phoneme inventory is fixed at the first run, so a resume agrees with
  // it; a fine-tune (--init) keeps the inventory of the encoder it starts from.
  SpeechEncoder init{nullptr};
  if (!opt.init.empty()) init = load_speech_encoder(opt.init);
  std::string vocab_path = opt.work_dir + "/phonemes.json";
  PhonemeVocab vocab;
  if (fs::exists(vocab_path)) {
    vocab = PhonemeVocab::from_symbols(nlohmann::json::parse(read_file(vocab_path)).get<std::vector<std::string>>());
  } else if (init) {
    vocab = PhonemeVocab::from_symbols(init->cfg.phonemes);
  } else {
    std::vector<std::string> ipa;
    for (const auto& u : utts)
      if (u.split == "train" && !u.phonemes.empty()) ipa.push_back(u.phonemes);
    vocab = PhonemeVocab::build(ipa);
  }
  if (init) {
    if (init->cfg.phonemes != vocab.symbols())
      throw Error(opt.init + ": its phoneme symbols differ from those of " + vocab_path +
                  "; start a new --work-dir or train from scratch");
    // Symbols the encoder has no class for are left out of the targets; a
    // few rare ones are harmless, many mean the encoder is for another corpus.
    size_t unknown = 0, total = 0;
    for (const auto& u : utts)
      if (u.split == "train" && !u.phonemes.empty()) total += vocab.encode(u.phonemes, &unknown).size();
    total += unknown;
    double frac = total ? static_cast<double>(unknown) / static_cast<double>(total) : 0.0;
    if (frac > 0.01)
      throw Error(opt.init + ": its phoneme symbols differ from the corpus's: " + std::to_string(unknown) + " of " +
                  std::to_string(total) + " transcript symbols in " + opt.manifest +
                  " have no class (more than 1%); train from scratch instead");
    if (unknown)
      spdlog::warn("{} of {} transcript symbols ({:.3f}%) have no class in {} and are left out", unknown, total,
                   100.0 * frac, opt.init);
  }
  if (!fs::exists(vocab_path)) write_file_atomic(vocab_path, nlohmann::json(vocab.symbols()).dump() + "\n");
  auto train = clips_of(utts, cache, vocab, "train", opt.max_seconds, true);
  auto val = clips_of(utts, cache, vocab, "validation", opt.max_seconds, false);
  if (train.empty()) throw Error(opt.manifest + ": no training clips with audio and phonemes");
  spdlog::info("speech pre-training: {} training clips, {} validation clips, {} phoneme classes", train.size(),
               val.size(), static_cast<long long>(vocab.size()));

  SpeechEncoderConfig cfg;
  cfg.hidden = opt.hidden;
  cfg.layers = opt.layers;
  cfg.heads = opt.heads;
  cfg.ff = opt.ff;
  cfg.phonemes = vocab.symbols();
  cfg.ctc_classes = vocab.size();
  if (init) cfg = init->cfg;
  SpeechEncoder model(cfg);
  torch::optim::AdamW optim(model->parameters(), torch::optim::AdamWOptions(opt.lr).weight_decay(opt.weight_decay));
  int start = 0;
  if (auto st = load_checkpoint(*model, optim, opt.work_dir)) {
    start = st->at("step").get<int>();
    spdlog::info("resuming from step {} ({})", start, opt.work_dir);
  } else if (init) {
    copy_into_module(*model, module_tensors(*init), opt.init);
    spdlog::info("starting from the weights of {}", opt.init);
  }

  // Batches of similar length (less padding), in a seeded order per epoch.
  auto epoch_batches = [&](int64_t epoch) {
    std::vector<const Clip*> order;
    for (const auto& c : train) order.push_back(&c);
    uint64_t seed = opt.seed * 1000003ULL + static_cast<uint64_t>(epoch);
    std::sort(order.begin(), order.end(),
              [&](auto* a, auto* b) { return seeded_hash(seed, a->id) < seeded_hash(seed, b->id); });
    std::vector<std::vector<const Clip*>> batches;
    const size_t B = static_cast<size_t>(opt.batch), pool = B * 16;
    for (size_t s = 0; s < order.size(); s += pool) {
      size_t e = std::min(order.size(), s + pool);
      std::sort(order.begin() + static_cast<long>(s), order.begin() + static_cast<long>(e),
                [](auto* a, auto* b) { return a->frames < b->frames; });
      for (size_t i = s; i + B <= e; i += B) batches.emplace_back(order.begin() + static_cast<long>(i),
                                                                 order.begin() + static_cast<long>(i + B));
    }
    std::sort(batches.begin(), batches.end(), [&](const auto& a, const auto& b) {
      return seeded_hash(seed + 1, a.front()->id) < seeded_hash(seed + 1, b.front()->id);
    });
    return batches;
  };
  const int64_t per_epoch = std::max<int64_t>(1, static_cast<int64_t>(train.size()) / opt.batch);
  std::ofstream metrics(opt.work_dir + "/metrics.jsonl", std::ios::app);
  Progress prog("speech-ctc", opt.steps, "steps", start);
  model->train();
  double loss_avg = 0;
  int64_t cur_epoch = -1;
  std::vector<std::vector<const Clip*>> batches;
  for (int step = start; step < opt.steps; ++step) {
    int64_t epoch = step / per_epoch;
    if (epoch != cur_epoch) {
      batches = epoch_batches(epoch);
      cur_epoch = epoch;
    }
    const auto& b = batches[static_cast<size_t>(step % per_epoch) % batches.size()];
    torch::Tensor x, len;
    if (opt.augment) {
      std::vector<std::string> ids;
      for (const auto* c : b) ids.push_back(c->id);
      std::tie(x, len) = pad_mels(augmented_views(cache, ids, opt.seed * 1000003ULL + static_cast<uint64_t>(step),
                                              opt.channel_augment ? channel_augment_options() : MelAugmentOptions{}),
                                  MelCache::kMels);
    } else {
      std::tie(x, len) = batch_mels(b, cache);
    }
    std::vector<int64_t> flat, tlen;
    for (const auto* c : b) {
      flat.insert(flat.end(), c->target.begin(), c->target.end());
      tlen.push_back(static_cast<int64_t>(c->target.size()));
    }
    set_learning_rate(optim, warmup_cosine_lr(opt.lr, step, opt.warmup, opt.steps));
    auto o = model->forward(x, len, /*spec_augment=*/true);
    auto loss = torch::ctc_loss(model->ctc_log_probs(o), torch::tensor(flat), o.lengths, torch::tensor(tlen),
                                /*blank=*/0, at::Reduction::Mean, /*zero_infinity=*/true);
    double l = loss.item<double>();
    if (!std::isfinite(l)) {
      // A bad batch must not poison the weights: skip it and say so.
      spdlog::warn("step {}: non-finite CTC loss, batch skipped (first clip {})", step + 1, b.front()->id);
      continue;
    }
    optim.zero_grad();
    loss.backward();
    double gnorm = torch::nn::utils::clip_grad_norm_(model->parameters(), 5.0);
    if (!std::isfinite(gnorm)) {
      spdlog::warn("step {}: non-finite gradient, update skipped (first clip {})", step + 1, b.front()->id);
      continue;
    }
    optim.step();
    loss_avg = loss_avg == 0 ? l : 0.95 * loss_avg + 0.05 * l;
    char extra[64];
    std::snprintf(extra, sizeof extra, "loss %.3f", loss_avg);
    prog.update(step + 1, extra);
    if ((step + 1) % opt.eval_every == 0 || step + 1 == opt.steps) {
      auto v = per_on(model, val, cache, 100);
      nlohmann::json m = {{"step", step + 1}, {"train_loss", loss_avg}, {"val_per", v.per},
                          {"lr", warmup_cosine_lr(opt.lr, step, opt.warmup, opt.steps)}};
      metrics << m.dump() << "\n" << std::flush;
      spdlog::info("step {}: validation PER {:.3f} ({} clips)", step + 1, v.per, v.clips);
      save_checkpoint(*model, optim, opt.work_dir, {{"step", step + 1}});
    }
  }
  prog.finish();
  model->eval();
  save_speech_encoder(model, opt.out_dir);
  fs::copy_file(opt.work_dir + "/metrics.jsonl", opt.out_dir + "/pretrain-metrics.jsonl",
                fs::copy_options::overwrite_existing);
  spdlog::info("wrote {}", opt.out_dir);
}

PerResult evaluate_per(const std::string& model_dir, const std::string& manifest, const std::string& cache_dir,
                       const std::string& split, size_t max_clips) {
  auto model = load_speech_encoder(model_dir);
  auto vocab = PhonemeVocab::from_symbols(model->cfg.phonemes);
  auto utts = read_manifest(manifest);
  build_mel_cache(utts, fs::path(manifest).parent_path().string(), cache_dir, 2);
  MelCache cache(cache_dir, &utts, fs::path(manifest).parent_path().string());
  return per_on(model, clips_of(utts, cache, vocab, split, 1e9, false), cache, max_clips);
}

}  // namespace clasp
