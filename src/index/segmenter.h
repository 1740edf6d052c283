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
//     `window` seconds spread evenly from its start to its end, at most `hop`
//     seconds apart (and so at least hop/2 apart), so every stretch of speech
//     up to window - hop long lies whole in some segment and no window nearly
//     repeats another; shorter (sentence-sized) regions are kept whole.
#include <string>
#include <vector>

namespace clasp {

struct SegmentOptions {
  double min_pause = 0.6, min_speech = 0.25, pad = 0.1;
  double max_segment = 15.0, window = 10.0, hop = 5.0;
};

struct TimeSpan {
  double start = 0, end = 0;  // seconds
};

// What speech_segments counts as speech, in words, for telling a user why a
// file gave no segment.
std::string speech_rule(const SegmentOptions& opt = {});

std::vector<TimeSpan> speech_segments(const std::vector<float>& samples, int sample_rate,
                                      const SegmentOptions& opt = {});

}  // namespace clasp
