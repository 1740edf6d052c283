#include "train/frozen_features.h"

#include <algorithm>
#include <filesystem>
#include <numeric>
#include <spdlog/spdlog.h>

#include "models/safetensors.h"
#include "speech/clasp_audio_model.h"
#include "speech/mel_cache.h"
#include "text/sentence_encoder.h"
#include "util/fs.h"
#include "util/hash.h"
#include "util/progress.h"

namespace fs = std::filesystem;

namespace clasp {

std::pair<torch::Tensor, torch::Tensor> FrozenFeatures::frame_batch(const std::vector<size_t>& idx) const {
  const auto* off = frame_offsets.data_ptr<int64_t>();
  std::vector<int64_t> len;
  int64_t tmax = 1;
  for (size_t i : idx) tmax = std::max(tmax, len.emplace_back(off[i + 1] - off[i]));
  auto out = torch::zeros({static_cast<int64_t>(idx.size()), tmax, frames.size(1)});
  for (size_t k = 0; k < idx.size(); ++k)
    if (len[k] > 0) out[static_cast<int64_t>(k)].narrow(0, 0, len[k]).copy_(frames.narrow(0, off[idx[k]], len[k]));
  return {out, torch::tensor(len)};
}

FrozenFeatures speech_features_of(const std::vector<const Utterance*>& clips, const MelCache& cache,
                                  ClaspAudioModelImpl& model, const std::string& label) {
  FrozenFeatures f;
  const auto N = static_cast<int64_t>(clips.size());
  if (!model.speech) {
    f.speech = torch::zeros({N, 0});
    return f;
  }
  // The pooled vector is kept even without a speech branch: it costs nothing
  // beside the frames, and one cache then serves every ablation.
  const bool want_frames = model.cfg.use_frames;
  std::vector<size_t> order(clips.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return cache.frames(clips[a]->id) < cache.frames(clips[b]->id); });
  f.speech = torch::zeros({N, model.speech->cfg.hidden});
  std::vector<torch::Tensor> per_clip(want_frames ? clips.size() : 0);
  Progress prog(label, N, "clips");
  for (size_t s = 0; s < order.size(); s += 32) {
    size_t e = std::min(order.size(), s + 32);
    std::vector<std::vector<float>> mels;
    for (size_t i = s; i < e; ++i) mels.push_back(cache.get(clips[order[i]]->id));
    auto [x, len] = pad_mels(mels, MelCache::kMels);
    auto sf = model.speech_features(x, len);
    for (size_t i = s; i < e; ++i) {
      const auto k = static_cast<int64_t>(i - s);
      f.speech[static_cast<int64_t>(order[i])].copy_(sf.pooled[k]);
      if (want_frames)
        per_clip[order[i]] = sf.frames[k].narrow(0, 0, sf.frame_lengths[k].item<int64_t>()).to(torch::kFloat16, /*non_blocking=*/false, /*copy=*/true);
    }
    prog.update(static_cast<int64_t>(e));
  }
  prog.finish();
  if (want_frames) {
    std::vector<int64_t> off{0};
    for (const auto& t : per_clip) off.push_back(off.back() + t.size(0));
    f.frame_offsets = torch::tensor(off);
    f.frames = torch::cat(per_clip);
  }
  return f;
}

FrozenFeatures frozen_features(const std::vector<const Utterance*>& clips, const MelCache& cache,
                               ClaspAudioModelImpl& model, SentenceEncoder& text, const std::string& work_dir,
                               const std::string& speech_dir, const std::string& text_dir) {
  uint64_t h = 0;
  for (const auto* u : clips) h = seeded_hash(h, u->id + "\n" + u->text);
  std::map<std::string, std::string> meta = {
      {"clips", std::to_string(h)},
      {"speech", model.speech ? file_stamp(speech_dir + "/model.safetensors") : "none"},
      {"branches", model.cfg.use_frames ? "pooled+frames" : "pooled"},
      {"text", file_stamp(text_dir + "/model.safetensors") + file_stamp(text_dir + "/clasp_text.json")}};
  const std::string path = work_dir + "/frozen-features.safetensors";
  if (fs::exists(path)) {
    auto got = load_safetensors_metadata(path);
    if (got == meta) {
      auto t = load_safetensors(path);
      spdlog::info("frozen features: reusing {}", path);
      FrozenFeatures f{t.at("speech"), {}, {}, t.at("text")};
      if (t.count("frames")) {
        f.frames = t.at("frames");
        f.frame_offsets = t.at("frame_offsets");
      }
      return f;
    }
  }
  FrozenFeatures f = speech_features_of(clips, cache, model, "speech-features");
  std::vector<std::string> texts;
  for (const auto* u : clips) texts.push_back(u->text);
  spdlog::info("embedding {} transcripts with {}", texts.size(), text_dir);
  auto v = text.embed(texts);
  f.text = torch::from_blob(v.data(), {static_cast<int64_t>(clips.size()), text.dim()}).clone();
  std::map<std::string, torch::Tensor> out = {{"speech", f.speech}, {"text", f.text}};
  if (f.frames.defined()) {
    out["frames"] = f.frames;
    out["frame_offsets"] = f.frame_offsets;
  }
  save_safetensors(path, out, meta);
  return f;
}

}  // namespace clasp
