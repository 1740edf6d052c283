#pragma once
// A clip's CTC phoneme posteriors, kept for the second stage of a search:
// per frame (25 a second) the `top` likeliest classes with their natural-log
// probabilities, the rest sharing what probability is left. The greedy
// transcript drops whatever the recogniser was unsure of; the posteriors
// keep it, so a query's phonemes can be scored against everything the
// recogniser heard (speech/ctc_match.h). No torch types in this header.
#include <cstdint>
#include <string>
#include <vector>

namespace clasp {

// Classes an index keeps per frame: 16 of the encoder's 67 score as all of
// them do on validation views (8 lose a little; docs/clasp.md), in a
// quarter of the space: 1.2 kB per second of audio.
constexpr int kPosteriorTop = 16;

struct PhonePosteriors {
  int classes = 0;             // CTC classes, blank (0) included
  int top = 0;                 // classes kept per frame
  std::vector<uint8_t> ids;    // frames x top, likeliest first
  std::vector<float> logp;     // frames x top, natural log

  size_t frames() const { return top > 0 ? ids.size() / static_cast<size_t>(top) : 0; }
  bool empty() const { return frames() == 0; }
  // The log-probability of the rest, per class, at frame t.
  float rest_logp(size_t t) const;
  // Log-probability of the likeliest frame-by-frame path.
  double best_path_logp() const;

  // A compact binary form for the index; from_blob checks it and names
  // `what` (e.g. "segment 12's posteriors") in its errors.
  std::string to_blob() const;
  static PhonePosteriors from_blob(const std::string& blob, const std::string& what);
};

}  // namespace clasp
