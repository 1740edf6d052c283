#include "train/frozen_features.h"

#include <algorithm>
#include <filesystem>
#include <numeric>

#include "models/safetensors.h"
#include "speech/clasp_audio_model.h"
#include "speech/mel_cache.h"
#include "text/sentence_encoder.h"
#include "util/hash.h"
#include "util/progress.h"

namespace fs = std::filesystem;

namespace clasp {

namespace {
std::string file_stamp(const std::string& path) {
  if (!fs::exists(path)) return "none";
  auto t = fs::last_write_time(path).time_since_epoch().count();
  return std::to_string(fs::file_size(path)) + "@" + std::to_string(t);
}
}  // namespace

torch::Tensor speech_features_of(const std::vector<const Utterance*>& clips, const MelCache& cache,
                                 ClaspAudioModelImpl& model, const std::string& label) {
  if (!model.speech) return torch::zeros({static_cast<int64_t>(clips.size()), 0});
  std::vector<size_t> order(clips.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return cache.frames(clips[a]->id) < cache.frames(clips[b]->id); });
  auto out = torch::zeros({static_cast<int64_t>(clips.size()), model.speech->cfg.hidden});
  Progress prog(label, static_cast<int64_t>(clips.size()), "clips");
  for (size_t s = 0; s < order.size(); s += 32) {
    size_t e = std::min(order.size(), s + 32);
    std::vector<std::vector<float>> mels;
    for (size_t i = s; i < e; ++i) mels.push_back(cache.get(clips[order[i]]->id));
    auto [x, len] = pad_mels(mels, MelCache::kMels);
    auto f = model.speech_features(x, len);
    for (size_t i = s; i < e; ++i) out[static_cast<int64_t>(order[i])].copy_(f[static_cast<int64_t>(i - s)]);
    prog.update(static_cast<int64_t>(e));
  }
  prog.finish();
  return out;
}

FrozenFeatures frozen_features(const std::vector<const Utterance*>& clips, const MelCache& cache,
                               ClaspAudioModelImpl& model, SentenceEncoder& text, const std::string& work_dir,
                               const std::string& speech_dir, const std::string& text_dir) {
  uint64_t h = 0;
  for (const auto* u : clips) h = seeded_hash(h, u->id + "\n" + u->text);
  std::map<std::string, std::string> meta = {
      {"clips", std::to_string(h)},
      {"speech", model.speech ? file_stamp(speech_dir + "/model.safetensors") : "none"},
      {"text", file_stamp(text_dir + "/model.safetensors") + file_stamp(text_dir + "/clasp_text.json")}};
  const std::string path = work_dir + "/frozen-features.safetensors";
  if (fs::exists(path)) {
    auto got = load_safetensors_metadata(path);
    if (got == meta) {
      auto t = load_safetensors(path);
      std::fprintf(stderr, "frozen features: reusing %s\n", path.c_str());
      return {t.at("speech"), t.at("text")};
    }
  }
  FrozenFeatures f;
  f.speech = speech_features_of(clips, cache, model, "speech-features");
  std::vector<std::string> texts;
  for (const auto* u : clips) texts.push_back(u->text);
  std::fprintf(stderr, "embedding %zu transcripts with %s\n", texts.size(), text_dir.c_str());
  auto v = text.embed(texts);
  f.text = torch::from_blob(v.data(), {static_cast<int64_t>(clips.size()), text.dim()}).clone();
  save_safetensors(path, {{"speech", f.speech}, {"text", f.text}}, meta);
  return f;
}

}  // namespace clasp
