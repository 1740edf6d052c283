#pragma once
// What the frozen encoder hears in voices it was not trained on, as
// training input for the phone branch (frame_inputs "phones"): each
// training clip is re-synthesised as `views` random views of its log-mel
// (tempo, vocal-tract warp, background noise: audio/mel_augment.h), run
// through the encoder and greedily decoded. A warped espeak voice is
// decoded with 0.36-0.50 PER, in the range of the held-out festival voices
// (0.46-0.59), and its errors are the encoder's own, not uniform edits
// (train/phone_noise.h), which did not help.
//
// The sequences are cached in <work_dir>/phone-views/ in parts of a few
// thousand clips, so a killed build resumes where it stopped, and the
// cache is rebuilt when the encoder, the clips, the view count or the seed
// change.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "data/manifest.h"

namespace clasp {

class MelCache;
struct ClaspAudioModelImpl;

class PhoneViews {
 public:
  size_t views() const { return views_; }
  bool empty() const { return views_ == 0; }
  // View v of clip i (its index in the clips the views were built for);
  // empty for clips that were not asked for.
  const std::vector<int64_t>& get(size_t clip, size_t view) const { return seqs_[clip * views_ + view]; }

  // Views of clips[i] for every i in `which` (the others get none), decoded
  // by model's speech encoder (model.speech with a CTC head).
  static PhoneViews build(const std::vector<const Utterance*>& clips, const std::vector<size_t>& which,
                          const MelCache& cache, ClaspAudioModelImpl& model, size_t views, uint64_t seed,
                          const std::string& work_dir, const std::string& speech_stamp, size_t part_clips = 2048);

 private:
  size_t views_ = 0;
  std::vector<std::vector<int64_t>> seqs_;  // [clip * views + view]
};

}  // namespace clasp
