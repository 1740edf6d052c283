#pragma once
// `clasp data phonemize`: espeak-ng IPA phonemes for every sentence of a
// text manifest (no audio), the same front end synthesis uses. It feeds
// text-only training of the phone branch (train/clasp_train.h:
// text_phones). Lines are appended to <out>.partial as they are done, so a
// killed run resumes where it stopped; <out> appears when all are done.
#include <string>
#include <vector>

namespace clasp {

struct PhonemizeOptions {
  std::string in, out;
  std::vector<std::string> splits;       // keep only these splits (empty = all)
  std::vector<std::string> reuse;        // manifests whose phonemes are reused where id and text match
};

// Returns the number of sentences written to opt.out. Sentences espeak-ng
// cannot phonemize (or that give no phonemes) are left out and counted on
// stderr with their ids.
size_t run_phonemize(const PhonemizeOptions& opt);

}  // namespace clasp
