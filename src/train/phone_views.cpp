#include "train/phone_views.h"

#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <spdlog/spdlog.h>

#include "models/safetensors.h"
#include "speech/clasp_audio_model.h"
#include "speech/mel_cache.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/progress.h"

namespace fs = std::filesystem;

namespace clasp {

namespace {
constexpr size_t kBatch = 32;
}  // namespace

PhoneViews PhoneViews::build(const std::vector<const Utterance*>& clips, const std::vector<size_t>& which,
                             const MelCache& cache, ClaspAudioModelImpl& model, size_t views, uint64_t seed,
                             const std::string& work_dir, const std::string& speech_stamp, size_t part_clips) {
  PhoneViews pv;
  if (views == 0) return pv;
  if (part_clips == 0) throw Error("phone_views: part_clips must be positive");
  if (!model.speech || !model.speech->ctc_head)
    throw Error("phone_views: the speech encoder has no CTC head to decode phonemes with");
  pv.views_ = views;
  pv.seqs_.assign(clips.size() * views, {});

  // Clips in order of length, so a batch pads little; parts follow that order.
  std::vector<size_t> order(which);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return cache.frames(clips[a]->id) < cache.frames(clips[b]->id); });
  uint64_t h = 0;
  for (size_t i : order) h = seeded_hash(h, clips[i]->id);
  const std::map<std::string, std::string> meta = {
      {"clips", std::to_string(h)}, {"speech", speech_stamp}, {"views", std::to_string(views)}, {"seed", std::to_string(seed)}};
  const fs::path dir = fs::path(work_dir) / "phone-views";
  fs::create_directories(dir);

  torch::NoGradGuard ng;
  const bool was_training = model.is_training();
  model.eval();
  const size_t parts = (order.size() + part_clips - 1) / part_clips;
  Progress prog("phone-views", static_cast<int64_t>(order.size() * views), "views");
  size_t reused = 0;
  for (size_t p = 0; p < parts; ++p) {
    const size_t s = p * part_clips, e = std::min(order.size(), s + part_clips);
    const std::string path = (dir / ("part-" + std::to_string(p) + ".safetensors")).string();
    // A part holds its clips' views flat: view-major within each clip.
    if (fs::exists(path) && load_safetensors_metadata(path) == meta) {
      auto t = load_safetensors(path);
      const auto flat = t.at("phones").to(torch::kLong), off = t.at("offsets");
      if (off.numel() != static_cast<int64_t>((e - s) * views + 1))
        throw Error(path + ": holds " + std::to_string(off.numel() - 1) + " sequences, expected " +
                    std::to_string((e - s) * views) + "; delete the phone-views folder to rebuild it");
      const auto* o = off.data_ptr<int64_t>();
      const auto* f = flat.data_ptr<int64_t>();
      for (size_t k = 0; k < (e - s) * views; ++k)
        pv.seqs_[order[s + k / views] * views + k % views].assign(f + o[k], f + o[k + 1]);
      reused += e - s;
      prog.update(static_cast<int64_t>(e * views));
      continue;
    }
    std::vector<int64_t> flat, off{0};
    std::vector<std::vector<std::vector<int64_t>>> part(e - s, std::vector<std::vector<int64_t>>(views));
    for (size_t v = 0; v < views; ++v)
      for (size_t b = s; b < e; b += kBatch) {
        std::vector<std::string> ids;
        for (size_t k = b; k < std::min(e, b + kBatch); ++k) ids.push_back(clips[order[k]]->id);
        auto [x, len] = pad_mels(augmented_views(cache, ids, seeded_hash(seed, "phone-view-" + std::to_string(v))),
                                 MelCache::kMels);
        auto sf = model.speech_features(x, len);
        auto rows = model.phone_rows(sf.frames, sf.frame_lengths);
        for (size_t k = 0; k < rows.size(); ++k) part[b - s + k][v] = std::move(rows[k]);
        prog.update(static_cast<int64_t>(s * views + v * (e - s) + (b - s) + ids.size()));
      }
    for (size_t c = 0; c < e - s; ++c)
      for (size_t v = 0; v < views; ++v) {
        flat.insert(flat.end(), part[c][v].begin(), part[c][v].end());
        off.push_back(static_cast<int64_t>(flat.size()));
        pv.seqs_[order[s + c] * views + v] = std::move(part[c][v]);
      }
    save_safetensors(path, {{"phones", torch::tensor(flat).to(torch::kInt16)}, {"offsets", torch::tensor(off)}}, meta);
  }
  prog.finish();
  if (reused) spdlog::info("phone views: reused {} of {} clips from {}", reused, order.size(), dir.string());
  if (was_training) model.train();
  return pv;
}

}  // namespace clasp
