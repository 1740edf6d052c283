#pragma once
// On-disk cache of log-mel spectrograms for every clip of a manifest, so
// training epochs never decode or transform audio again.
//   <dir>/mel.f16    frames x 80 float16 values per clip, back to back
//   <dir>/index.tsv  id <tab> offset (in values) <tab> frames <tab> content key, one
//                    per clip (a clip whose audio changed is appended again; the last line wins)
// A clip is in the cache once its index line is written (after its data is
// flushed), so a killed build resumes where it stopped and never reads a
// half-written clip.
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "audio/mel_augment.h"
#include "data/manifest.h"

namespace clasp {

struct MelCacheStats {
  size_t added = 0, already = 0, failed = 0;
  double audio_s = 0;
};

// Adds every clip of `utts` (audio paths relative to `audio_root`) missing
// from the cache. Failures (corrupt audio) are logged and skipped.
MelCacheStats build_mel_cache(const std::vector<Utterance>& utts, const std::string& audio_root,
                              const std::string& cache_dir, int threads);

class MelCache {
 public:
  // Maps mel.f16 read-only. With `manifest`, the cache holds only its clips
  // whose audio (relative to audio_root) is the file the mels were made
  // from, by path, size and time: never another manifest's clip of the
  // same id, nor a clip with no audio, nor a changed file.
  explicit MelCache(const std::string& cache_dir, const std::vector<Utterance>* manifest = nullptr,
                    const std::string& audio_root = "");
  ~MelCache();
  MelCache(const MelCache&) = delete;
  MelCache& operator=(const MelCache&) = delete;
  bool has(const std::string& id) const { return index_.count(id) > 0; }
  int frames(const std::string& id) const;
  // frames x n_mels floats, frame-major. Throws for an id not in the cache.
  std::vector<float> get(const std::string& id) const;
  size_t size() const { return index_.size(); }
  static constexpr int kMels = 80;

 private:
  struct Entry {
    int64_t offset;
    int frames;
  };
  std::string dir_;
  std::unordered_map<std::string, Entry> index_;
  const uint16_t* data_ = nullptr;
  size_t bytes_ = 0;
};

// Random views (audio/mel_augment.h) of cached clips, one per id, made on the
// torch threads; a clip's view depends only on seed and its id, so a resumed
// or re-run training step sees the same views.
std::vector<std::vector<float>> augmented_views(const MelCache& cache, const std::vector<std::string>& ids,
                                                uint64_t seed, const MelAugmentOptions& opt = {});
// The cached log-mels of `ids` as they are (view_seed 0), or their seeded
// views as augmented_views makes them: how evaluations hear clips through
// voices unlike any in training (`--view-seed`).
std::vector<std::vector<float>> clip_mels(const MelCache& cache, const std::vector<std::string>& ids,
                                          uint64_t view_seed);

}  // namespace clasp
