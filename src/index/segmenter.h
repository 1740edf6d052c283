#pragma once
// Splits a long recording into speech segments for indexing. Energy-based
// voice activity detection:
//   - frame energy in dB over 30 ms windows every 10 ms;
//   - a frame is speech when it is above max(noise floor + 12 dB,
//     loudest - 45 dB), floor = 1st and loudest = 99th percentile; a
//     recording with no quieter part (continuous sound above -60 dBFS) is
//     all speech;
//   - pauses shorter than min_pause are bridged (commas stay inside a
//     segment), speech shorter than min_speech is dropped, each region is
//     padded by `pad` on both sides;
//   - a region longer than max_segment is cut into overlapping windows of
//     `window` seconds every `hop` seconds (the last one ends at the region's
//     end), so every moment of speech lies in some segment; shorter
//     (sentence-sized) regions are kept whole.
#include <vector>

namespace clasp {

struct SegmentOptions {
  double min_pause = 0.6, min_speech = 0.25, pad = 0.1;
  double max_segment = 15.0, window = 10.0, hop = 5.0;
};

struct TimeSpan {
  double start = 0, end = 0;  // seconds
};

std::vector<TimeSpan> speech_segments(const std::vector<float>& samples, int sample_rate,
                                      const SegmentOptions& opt = {});

}  // namespace clasp
