#pragma once
// Long recordings for testing search over real-length audio: sentence clips
// of a synthesised corpus joined with random pauses into recordings of a
// given length, with a truth file saying where each clip lies.
//   <out>/rec-NNN.wav     16 kHz mono
//   <out>/truth.jsonl     {"recording", "start", "end", "clip", "source_id", "lang", "text"} per clip
#include <cstdint>
#include <string>
#include <vector>

#include "data/manifest.h"

namespace clasp {

struct LongformOptions {
  std::string split = "test";
  std::vector<std::string> langs;  // empty = all
  double minutes = 30;             // per recording
  int recordings = 1;
  double min_pause = 1.0, max_pause = 2.5;  // seconds of silence between clips
  uint64_t seed = 1;
};

struct LongformPiece {
  std::string recording, clip, source_id, lang, text;
  double start = 0, end = 0;
};

// `manifest` is a synthesised corpus (audio paths relative to it).
std::vector<LongformPiece> build_longform(const std::string& manifest, const std::string& out_dir,
                                          const LongformOptions& opt);
std::vector<LongformPiece> read_longform_truth(const std::string& path);

}  // namespace clasp
