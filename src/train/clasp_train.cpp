#include "train/clasp_train.h"

#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "data/manifest.h"
#include "speech/clasp_audio_model.h"
#include "speech/mel_cache.h"
#include "speech/phone_sequences.h"
#include "speech/phoneme_vocab.h"
#include "tts/phonemizer.h"
#include "text/sentence_encoder.h"
#include "train/checkpoint.h"
#include "train/epoch_order.h"
#include "train/frame_augment.h"
#include "train/frozen_features.h"
#include "train/phone_noise.h"
#include "train/phone_views.h"
#include "train/text_phones.h"
#include "train/schedule.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/hash.h"
#include "util/json_file.h"
#include "util/progress.h"

namespace fs = std::filesystem;

namespace clasp {

ClaspTrainOptions ClaspTrainOptions::from_json_file(const std::string& path) {
  auto j = read_json_file(path);
  ClaspTrainOptions o;
  try {
    for (auto& [k, v] : j.items()) {
      if (k == "manifest") o.manifest = v;
      else if (k == "cache_dir") o.cache_dir = v;
      else if (k == "speech_encoder") o.speech_encoder = v;
      else if (k == "text_encoder") o.text_encoder = v;
      else if (k == "out_dir") o.out_dir = v;
      else if (k == "work_dir") o.work_dir = v;
      else if (k == "init") o.init = v;
      else if (k == "fusion") o.fusion = v;
      else if (k == "use_speech") o.use_speech = v;
      else if (k == "use_spectrogram") o.use_spectrogram = v;
      else if (k == "use_frames") o.use_frames = v;
      else if (k == "frame_width") o.frame_width = v;
      else if (k == "frame_inputs") o.frame_inputs = v;
      else if (k == "frame_norm") o.frame_norm = v;
      else if (k == "phone_dim") o.phone_dim = v;
      else if (k == "phone_noise") o.phone_noise = v;
      else if (k == "text_phones") o.text_phones = v;
      else if (k == "phone_views") o.phone_views = v;
      else if (k == "phone_view_prob") o.phone_view_prob = v;
      else if (k == "augment") o.augment = v;
      else if (k == "frame_augment") o.frame_augment = v;
      else if (k == "translation_targets") o.translation_targets = v;
      else if (k == "frame_dropout") o.frame_dropout = v;
      else if (k == "spectrogram_channels") o.spectrogram_channels = v;
      else if (k == "balance_languages") o.balance_languages = v;
      else if (k == "ensemble") o.ensemble = v.get<std::vector<std::string>>();
      else if (k == "target") o.target = v;
      else if (k == "phonetic_dim") o.phonetic_dim = v;
      else if (k == "phonetic") o.phonetic = v;
      else if (k == "phonetic_weight") o.phonetic_weight = v;
      else if (k == "exclude_engines") o.exclude_engines = v.get<std::vector<std::string>>();
      else if (k == "steps") o.steps = v;
      else if (k == "batch") o.batch = v;
      else if (k == "warmup") o.warmup = v;
      else if (k == "eval_every") o.eval_every = v;
      else if (k == "patience") o.patience = v;
      else if (k == "lr") o.lr = v;
      else if (k == "weight_decay") o.weight_decay = v;
      else if (k == "seed") o.seed = v;
      else if (k == "threads") o.threads = v;
      else if (k == "model_id") o.model_id = v;
      else if (k != "comment") fail_file(path, "unknown key \"" + k + "\"");
    }
  } catch (const nlohmann::json::exception& e) {
    fail_file(path, std::string("a value has the wrong type: ") + e.what());
  }
  return o;
}

namespace {

struct Batch {
  SpeechFeatures speech;
  torch::Tensor mel, len, text;
  torch::Tensor text_phones, text_phone_lengths;  // target "phonemes": the transcripts' phonemes
  torch::Tensor langs;                            // and the clips' languages (index into languages, -1 = none)
};

double contrastive_loss(const torch::Tensor& a, const torch::Tensor& t, const torch::Tensor& log_scale,
                        torch::Tensor* out) {
  auto logits = log_scale.exp().clamp_max(100) * torch::matmul(a, t.t());
  auto labels = torch::arange(a.size(0));
  auto loss = (torch::nn::functional::cross_entropy(logits, labels) +
               torch::nn::functional::cross_entropy(logits.t(), labels)) / 2;
  if (out) *out = loss;
  return loss.item<double>();
}

// Copies the trainable weights of the model in `dir` into m, which must
// have the same branches and sizes (the frozen encoders are m's own).
void start_from_model(ClaspAudioModel& m, const std::string& dir) {
  if (!fs::exists(dir + "/clasp.json") || !fs::exists(dir + "/model.safetensors"))
    throw Error("init: " + dir + " is not a CLASP model directory (expected clasp.json and model.safetensors)");
  const auto c = ClaspModelConfig::from_json_file(dir + "/clasp.json");
  if (c.target != m->cfg.target || c.out_dim != m->cfg.out_dim || c.fusion != m->cfg.fusion ||
      c.use_speech != m->cfg.use_speech || c.use_spectrogram != m->cfg.use_spectrogram ||
      c.use_frames != m->cfg.use_frames || c.frame_inputs != m->cfg.frame_inputs || c.languages != m->cfg.languages)
    throw Error("init: " + dir + "/clasp.json describes another architecture (target, size, fusion, branches, frame "
                "inputs or languages differ from this run's options)");
  load_clasp_weights(m, dir, "init: " + dir + "/model.safetensors");
  spdlog::info("starting from the weights of {}", dir);
}

}  // namespace

void train_clasp(const ClaspTrainOptions& opt) {
  // Option checks first, before minutes of feature caching.
  if (opt.translation_targets < 0 || opt.translation_targets > 1)
    throw Error("translation_targets: expected a probability in [0, 1], got " + std::to_string(opt.translation_targets));
  if (opt.frame_dropout < 0 || opt.frame_dropout >= 1)
    throw Error("frame_dropout: expected a probability in [0, 1), got " + std::to_string(opt.frame_dropout));
  if (opt.phone_noise < 0 || opt.phone_noise >= 1)
    throw Error("phone_noise: expected a rate in [0, 1), got " + std::to_string(opt.phone_noise));
  if (opt.phone_noise > 0 && (!opt.use_frames || opt.frame_inputs != "phones"))
    throw Error("phone_noise: only the phone branch (use_frames with frame_inputs \"phones\") reads phonemes");
  if (opt.phone_views < 0 || opt.phone_views > 16)
    throw Error("phone_views: expected 0 to 16 views per clip, got " + std::to_string(opt.phone_views));
  if (opt.phone_view_prob < 0 || opt.phone_view_prob > 1)
    throw Error("phone_view_prob: expected a probability in [0, 1], got " + std::to_string(opt.phone_view_prob));
  if (opt.phone_views > 0 && (!opt.use_frames || opt.frame_inputs != "phones" || opt.augment))
    throw Error("phone_views: only the phone branch (use_frames with frame_inputs \"phones\", no augment) reads "
                "decoded views");
  if (!opt.text_phones.empty() &&
      (!opt.use_frames || opt.frame_inputs != "phones" || opt.use_speech || opt.use_spectrogram || opt.augment))
    throw Error("text_phones: text-only examples have no audio, so the model must be the phone branch alone "
                "(use_frames, frame_inputs \"phones\", no speech or spectrogram branch, no augment)");
  const bool phoneme_target = opt.target == "phonemes";
  if (opt.target != "text" && !phoneme_target)
    throw Error("target: expected \"text\" or \"phonemes\", got \"" + opt.target + "\"");
  if (phoneme_target && (opt.phonetic_dim < 8 || opt.phonetic_dim > 4096))
    throw Error("phonetic_dim: expected 8 to 4096, got " + std::to_string(opt.phonetic_dim));
  if (phoneme_target && (!opt.text_phones.empty() || opt.translation_targets > 0 || opt.augment))
    throw Error("target \"phonemes\": text_phones, translation_targets and augment are for text targets");
  if (opt.balance_languages && !opt.text_phones.empty())
    throw Error("balance_languages: text-only examples (text_phones) carry no language to balance");
  torch::manual_seed(opt.seed);
  torch::set_num_threads(opt.threads);
  fs::create_directories(opt.work_dir);
  const std::string cache_dir =
      opt.cache_dir.empty() ? (fs::path(opt.manifest).parent_path() / "mel-cache").string() : opt.cache_dir;
  auto utts = read_manifest(opt.manifest);
  build_mel_cache(utts, fs::path(opt.manifest).parent_path().string(), cache_dir, opt.threads);
  MelCache cache(cache_dir, &utts, fs::path(opt.manifest).parent_path().string());

  // The model: frozen speech encoder + trainable CNN and fusion.
  auto text_enc = SentenceEncoder::load(opt.text_encoder);
  ClaspModelConfig mc;
  mc.fusion = opt.fusion;
  mc.use_speech = opt.use_speech;
  mc.use_spectrogram = opt.use_spectrogram;
  mc.use_frames = opt.use_frames;
  mc.spectrogram_channels = opt.spectrogram_channels;
  mc.frame_width = opt.frame_width;
  mc.frame_inputs = opt.frame_inputs;
  mc.frame_norm = opt.frame_norm;
  mc.phone_dim = opt.phone_dim;
  mc.ensemble = opt.ensemble;
  mc.target = opt.target;
  mc.phonetic = opt.phonetic;
  mc.phonetic_weight = opt.phonetic_weight;
  auto excluded = [&](const Utterance& u) {
    return std::find(opt.exclude_engines.begin(), opt.exclude_engines.end(), u.engine) != opt.exclude_engines.end();
  };
  if (phoneme_target) {  // the languages its head tells apart: those it trains on
    std::set<std::string> langs;
    for (const auto& u : utts)
      if (u.split == "train" && !excluded(u) && !u.lang.empty()) langs.insert(u.lang);
    mc.languages.assign(langs.begin(), langs.end());
  }
  mc.check("CLASP training options");
  mc.out_dim = phoneme_target ? opt.phonetic_dim : text_enc->dim();
  mc.model_id = opt.model_id;
  mc.speech_encoder = fs::relative(fs::absolute(opt.speech_encoder), fs::absolute(opt.out_dir)).string();
  mc.text_encoder = fs::relative(fs::absolute(opt.text_encoder), fs::absolute(opt.out_dir)).string();
  SpeechEncoder speech{nullptr};
  if (opt.use_speech || opt.use_frames) speech = load_speech_encoder(opt.speech_encoder);
  ClaspAudioModel model(mc, speech);
  if (!opt.init.empty()) start_from_model(model, opt.init);

  // Frozen features, computed once and kept in the work directory.
  std::vector<const Utterance*> clips;
  for (const auto& u : utts)
    if (cache.has(u.id) && !u.text.empty()) clips.push_back(&u);
  FrozenFeatures feats = frozen_features(clips, cache, *model, *text_enc, opt.work_dir, opt.speech_encoder,
                                         opt.text_encoder);

  // target "phonemes": each clip's transcript as the encoder's phoneme ids
  // (the manifest's espeak-ng phonemes, as at query time).
  std::vector<std::vector<int64_t>> transcript_phones;
  std::vector<int64_t> clip_lang;  // index into mc.languages, -1 = not one of them (ignored by the loss)
  if (phoneme_target) {
    for (const auto* u : clips) {
      auto it = std::find(mc.languages.begin(), mc.languages.end(), u->lang);
      clip_lang.push_back(it == mc.languages.end() ? -1 : it - mc.languages.begin());
    }
    const auto vocab = PhonemeVocab::from_symbols(model->speech->cfg.phonemes);
    size_t unmatched = 0;
    for (const auto* u : clips) {
      transcript_phones.push_back(vocab.encode(u->phonemes.empty() ? phonemize_ipa(u->text, u->lang) : u->phonemes));
      unmatched += transcript_phones.back().empty();
    }
    if (unmatched)  // kept (as one blank), so the clip still serves as a negative
      spdlog::warn("{} clip(s) have no phoneme the speech encoder knows in their transcript", unmatched);
  }
  std::vector<size_t> train, val;
  for (size_t i = 0; i < clips.size(); ++i) {
    if (excluded(*clips[i])) continue;
    if (clips[i]->split == "train") train.push_back(i);
    else if (clips[i]->split == "validation") val.push_back(i);
  }
  if (train.size() < static_cast<size_t>(opt.batch)) throw Error(opt.manifest + ": fewer training clips than one batch");
  // Clips of one sentence (an English source and its translations), by clip.
  std::vector<std::vector<size_t>> same_sentence(clips.size());
  if (opt.translation_targets > 0) {
    std::unordered_map<std::string, std::vector<size_t>> by_source;
    for (size_t i = 0; i < clips.size(); ++i)
      by_source[clips[i]->source_id.empty() ? clips[i]->id : clips[i]->source_id].push_back(i);
    for (auto& [src, members] : by_source)
      for (size_t i : members)
        for (size_t j : members)
          if (clips[j]->lang != clips[i]->lang) same_sentence[i].push_back(j);
  }
  // Text-only examples (text_phones) are items clips.size() + j.
  const size_t n_clips = clips.size();
  TextPhones tphones;
  if (!opt.text_phones.empty()) {
    std::unordered_set<std::string> held_out;
    for (const auto& u : utts)
      if (u.split != "train") held_out.insert(u.text);
    tphones = load_text_phones(opt.text_phones, model->speech->cfg.phonemes, held_out, *text_enc, opt.text_encoder,
                               opt.work_dir);
    for (size_t j = 0; j < tphones.ids.size(); ++j) train.push_back(n_clips + j);
  }
  const PhoneViews views =
      PhoneViews::build(clips, train, cache, *model, static_cast<size_t>(opt.phone_views), opt.seed, opt.work_dir,
                        opt.phone_views > 0 ? file_stamp(opt.speech_encoder + "/model.safetensors") : "");
  auto item_key = [&](size_t i) { return i < n_clips ? clips[i]->id : "text:" + tphones.ids[i - n_clips]; };
  spdlog::info("CLASP training: {} training items ({} text-only), {} validation clips, fusion {}, branches:{}{}{}",
               train.size(), tphones.ids.size(), val.size(), opt.fusion, opt.use_speech ? " speech" : "",
               opt.use_spectrogram ? " spectrogram" : "", opt.use_frames ? " frames" : "");

  // A training batch of random views: augmented log-mel through the frozen
  // encoder (with SpecAugment) now, for every branch.
  auto augmented_batch = [&](const std::vector<size_t>& idx, uint64_t seed) {
    Batch b;
    b.text = feats.text.index_select(0, torch::tensor(std::vector<int64_t>(idx.begin(), idx.end())));
    std::vector<std::string> ids;
    for (size_t i : idx) ids.push_back(clips[i]->id);
    std::tie(b.mel, b.len) = pad_mels(augmented_views(cache, ids, seed), MelCache::kMels);
    if (opt.use_speech || opt.use_frames) b.speech = model->speech_features(b.mel, b.len, /*spec_augment=*/true);
    return b;
  };
  auto make_batch = [&](const std::vector<size_t>& idx, uint64_t view_seed = 0) {
    Batch b;
    auto ix = torch::tensor(std::vector<int64_t>(idx.begin(), idx.end()));
    if (opt.use_speech) b.speech.pooled = feats.speech.index_select(0, ix);
    // Rows k of the batch that are clips (audio_idx[k] = their clip index);
    // the others are text-only examples.
    std::vector<size_t> audio_idx, audio_pos;
    for (size_t k = 0; k < idx.size(); ++k)
      if (idx[k] < n_clips) {
        audio_idx.push_back(idx[k]);
        audio_pos.push_back(k);
      }
    if (opt.use_frames && !audio_idx.empty()) {
      std::tie(b.speech.frames, b.speech.frame_lengths) = feats.frame_batch(audio_idx);
      if (view_seed && opt.frame_augment)
        std::tie(b.speech.frames, b.speech.frame_lengths) =
            augment_frames(b.speech.frames, b.speech.frame_lengths, view_seed);
      if (view_seed && opt.frame_dropout > 0)
        b.speech.frames = drop_frame_features(b.speech.frames, opt.frame_dropout, view_seed ^ 0x5bd1e995ULL);
    }
    if (opt.use_frames && opt.frame_inputs == "phones") {
      std::vector<std::vector<int64_t>> rows(idx.size());
      if (!audio_idx.empty()) {
        auto decoded = model->phone_rows(b.speech.frames, b.speech.frame_lengths);
        for (size_t k = 0; k < audio_idx.size(); ++k) rows[audio_pos[k]] = std::move(decoded[k]);
        if (view_seed && !views.empty()) {  // some clips as the encoder hears a view of them
          std::mt19937_64 rng(view_seed ^ 0x94d049bb133111ebULL);
          std::uniform_real_distribution<double> unit(0.0, 1.0);
          for (size_t k = 0; k < audio_idx.size(); ++k) {
            if (unit(rng) >= opt.phone_view_prob) continue;
            const size_t v = static_cast<size_t>(unit(rng) * static_cast<double>(views.views())) % views.views();
            rows[audio_pos[k]] = views.get(audio_idx[k], v);
          }
        }
      }
      for (size_t k = 0; k < idx.size(); ++k)
        if (idx[k] >= n_clips) rows[k] = tphones.phones[idx[k] - n_clips];
      std::tie(b.speech.phones, b.speech.phone_lengths) = pad_phones(rows);
      if (view_seed && opt.phone_noise > 0)
        std::tie(b.speech.phones, b.speech.phone_lengths) =
            corrupt_phones(b.speech.phones, b.speech.phone_lengths, opt.phone_noise, model->speech->cfg.ctc_classes,
                           view_seed ^ 0x2545f4914f6cdd1dULL);
    }
    if (phoneme_target) {
      std::vector<std::vector<int64_t>> t;
      std::vector<int64_t> l;
      for (size_t i : idx) {
        t.push_back(transcript_phones[i]);
        l.push_back(clip_lang[i]);
      }
      std::tie(b.text_phones, b.text_phone_lengths) = pad_phones(t);
      b.langs = torch::tensor(l);
    }
    if (audio_idx.size() == idx.size()) {
      b.text = feats.text.index_select(0, ix);
    } else {
      std::vector<torch::Tensor> rows;
      for (size_t i : idx) rows.push_back(i < n_clips ? feats.text[static_cast<int64_t>(i)] : tphones.text[static_cast<int64_t>(i - n_clips)]);
      b.text = torch::stack(rows);
    }
    if (view_seed && opt.translation_targets > 0) {
      std::mt19937_64 rng(view_seed ^ 0x9e3779b97f4a7c15ULL);
      std::uniform_real_distribution<double> unit(0.0, 1.0);
      for (size_t k = 0; k < idx.size(); ++k) {
        if (idx[k] >= n_clips) continue;  // text-only examples have no translation links
        const auto& other = same_sentence[idx[k]];
        if (other.empty() || unit(rng) >= opt.translation_targets) continue;
        b.text[static_cast<int64_t>(k)].copy_(feats.text[static_cast<int64_t>(other[static_cast<size_t>(unit(rng) * other.size()) % other.size()])]);
      }
    }
    if (opt.use_spectrogram) {
      std::vector<std::vector<float>> mels;
      for (size_t i : idx) mels.push_back(cache.get(clips[i]->id));
      std::tie(b.mel, b.len) = pad_mels(mels, MelCache::kMels);
    } else {
      b.mel = torch::zeros({static_cast<int64_t>(idx.size()), 1, MelCache::kMels});
      b.len = torch::ones({static_cast<int64_t>(idx.size())}, torch::kLong);
    }
    return b;
  };
  // What a batch's audio vectors are pulled towards.
  auto target_of = [&](const Batch& b) {
    return phoneme_target ? model->embed_phoneme_text(b.text_phones, b.text_phone_lengths) : b.text;
  };
  double val_lang_acc = 0;  // target "phonemes": the language head's validation accuracy
  auto validate = [&]() -> std::pair<double, double> {
    torch::NoGradGuard ng;
    model->eval();
    double loss = 0;
    size_t n = 0, hits = 0, lang_hits = 0;
    for (size_t s = 0; s + 2 <= val.size(); s += static_cast<size_t>(opt.batch)) {
      std::vector<size_t> idx(val.begin() + static_cast<long>(s),
                              val.begin() + static_cast<long>(std::min(val.size(), s + static_cast<size_t>(opt.batch))));
      auto b = make_batch(idx);
      torch::Tensor lang_logits;
      auto a = model->embed(b.speech, b.mel, b.len, &lang_logits);
      if (lang_logits.defined())
        lang_hits += static_cast<size_t>(lang_logits.argmax(1).eq(b.langs).sum().item<int64_t>());
      auto t = target_of(b);
      loss += contrastive_loss(a, t, model->logit_scale, nullptr) * static_cast<double>(idx.size());
      hits += static_cast<size_t>(torch::matmul(t, a.t()).argmax(1).eq(torch::arange(a.size(0))).sum().item<int64_t>());
      n += idx.size();
    }
    model->train();
    val_lang_acc = n ? static_cast<double>(lang_hits) / static_cast<double>(n) : 0.0;
    return {n ? loss / static_cast<double>(n) : 0.0, n ? static_cast<double>(hits) / static_cast<double>(n) : 0.0};
  };

  // target "phonemes": the best model's mean audio-side vector of each
  // language over (up to 2,000 of) its clean training clips, stored in it
  // (ClaspAudioModelImpl::lang_means) once training ends.
  auto store_language_means = [&]() {
    auto best_model = load_clasp_model(opt.out_dir);
    if (!best_model->lang_means.defined()) return;
    torch::NoGradGuard ng;
    const auto L = static_cast<int64_t>(best_model->cfg.languages.size());
    auto sums = torch::zeros({L, best_model->cfg.out_dim});
    std::vector<size_t> counts(static_cast<size_t>(L)), chosen;
    for (size_t i : train)
      if (i < n_clips && clip_lang[i] >= 0 && counts[static_cast<size_t>(clip_lang[i])] < 2000) {
        ++counts[static_cast<size_t>(clip_lang[i])];
        chosen.push_back(i);
      }
    for (size_t s = 0; s < chosen.size(); s += 128) {
      std::vector<size_t> idx(chosen.begin() + static_cast<long>(s), chosen.begin() + static_cast<long>(std::min(chosen.size(), s + 128)));
      auto b = make_batch(idx);
      sums.index_add_(0, b.langs, best_model->embed(b.speech, b.mel, b.len));
    }
    for (int64_t l = 0; l < L; ++l)
      if (counts[static_cast<size_t>(l)]) sums[l] /= static_cast<double>(counts[static_cast<size_t>(l)]);
    best_model->lang_means.copy_(sums);
    save_clasp_model(best_model, opt.out_dir);
    spdlog::info("mean phonetic vector of each language stored in {}", opt.out_dir);
  };
  torch::optim::AdamW optim(model->parameters(), torch::optim::AdamWOptions(opt.lr).weight_decay(opt.weight_decay));
  int start = 0, bad_evals = 0;
  double best = 1e30;
  if (auto st = load_checkpoint(*model, optim, opt.work_dir)) {
    start = st->at("step").get<int>();
    best = st->value("best_val_loss", best);
    bad_evals = st->value("bad_evals", 0);
    spdlog::info("resuming from step {} ({})", start, opt.work_dir);
    if (bad_evals >= opt.patience) {
      spdlog::info("early stopping had already triggered; the best model is in {}", opt.out_dir);
      if (phoneme_target) store_language_means();
      return;
    }
  }
  // Cached-feature batches with a per-step seed: frame views, frame dropout,
  // phone noise or translation targets draw from it.
  const bool random_views =
      opt.frame_augment || opt.translation_targets > 0 || opt.frame_dropout > 0 || opt.phone_noise > 0 || opt.phone_views > 0;
  const EpochOrder epochs(train, item_key,
                          opt.balance_languages ? std::function<std::string(size_t)>([&](size_t i) { return clips[i]->lang; })
                                                : nullptr);
  const size_t epoch_items = epochs.size();
  if (epoch_items < static_cast<size_t>(opt.batch))
    throw Error("balance_languages: an epoch of " + std::to_string(epoch_items) + " clips is less than one batch");
  if (opt.balance_languages)
    spdlog::info("balanced languages: {} clips of each of {} languages per epoch", epoch_items / epochs.groups.size(),
                 epochs.groups.size());
  const int64_t per_epoch = static_cast<int64_t>(epoch_items) / opt.batch;
  std::vector<size_t> order;
  int64_t cur_epoch = -1;
  std::ofstream metrics(opt.work_dir + "/metrics.jsonl", std::ios::app);
  Progress prog("clasp-train", opt.steps, "steps", start);
  model->train();
  double loss_avg = 0;
  for (int step = start; step < opt.steps; ++step) {
    int64_t epoch = step / per_epoch;
    if (epoch != cur_epoch) {
      order = epochs.order(opt.seed, epoch);
      cur_epoch = epoch;
    }
    size_t off = static_cast<size_t>(step % per_epoch) * static_cast<size_t>(opt.batch);
    std::vector<size_t> batch_idx(order.begin() + static_cast<long>(off),
                                  order.begin() + static_cast<long>(off + static_cast<size_t>(opt.batch)));
    auto b = opt.augment ? augmented_batch(batch_idx, opt.seed * 1000003 + static_cast<uint64_t>(step))
                         : make_batch(batch_idx, random_views ? opt.seed * 1000003 + static_cast<uint64_t>(step) + 1 : 0);
    set_learning_rate(optim, warmup_cosine_lr(opt.lr, step, opt.warmup, opt.steps));
    torch::Tensor loss, lang_logits;
    double l = contrastive_loss(model->embed(b.speech, b.mel, b.len, &lang_logits), target_of(b), model->logit_scale, &loss);
    if (lang_logits.defined())  // which language the clip is in: cheap, and what gates the phonetic part
      loss = loss + torch::nn::functional::cross_entropy(
                        lang_logits, b.langs, torch::nn::functional::CrossEntropyFuncOptions().ignore_index(-1));
    optim.zero_grad();
    loss.backward();
    optim.step();
    loss_avg = step == start ? l : 0.95 * loss_avg + 0.05 * l;
    char extra[80];
    std::snprintf(extra, sizeof extra, "loss %.3f scale %.1f", loss_avg, model->logit_scale.exp().item<double>());
    prog.update(step + 1, extra);
    if ((step + 1) % opt.eval_every == 0 || step + 1 == opt.steps) {
      auto [vl, vacc] = validate();
      bool improved = vl < best - 1e-4;
      if (improved) {
        best = vl;
        bad_evals = 0;
        save_clasp_model(model, opt.out_dir);
      } else {
        ++bad_evals;
      }
      nlohmann::json m = {{"step", step + 1},  {"epoch", epoch},    {"train_loss", loss_avg},
                          {"val_loss", vl},    {"val_hits1", vacc}, {"logit_scale", model->logit_scale.exp().item<double>()},
                          {"lr", warmup_cosine_lr(opt.lr, step, opt.warmup, opt.steps)}};
      if (phoneme_target) m["val_language_accuracy"] = val_lang_acc;
      metrics << m.dump() << "\n" << std::flush;
      spdlog::info("step {}: val loss {:.4f}, val HITS@1 (in batches of {}) {:.3f}{}{}", step + 1, vl, opt.batch, vacc,
                   phoneme_target ? fmt::format(", language {:.3f}", val_lang_acc) : std::string(),
                   improved ? " (best, saved)" : "");
      save_checkpoint(*model, optim, opt.work_dir, {{"step", step + 1}, {"best_val_loss", best}, {"bad_evals", bad_evals}});
      if (bad_evals >= opt.patience) {
        spdlog::info("early stopping: no validation improvement in {} evaluations", opt.patience);
        break;
      }
    }
  }
  prog.finish();
  fs::copy_file(opt.work_dir + "/metrics.jsonl", opt.out_dir + "/training-metrics.jsonl",
                fs::copy_options::overwrite_existing);
  if (phoneme_target) store_language_means();
  spdlog::info("best validation loss {:.4f}; model in {}", best, opt.out_dir);
}

}  // namespace clasp
