// Target: CTC phone posteriors blobs and phoneme transcripts
// (src/speech/phone_posteriors.*, src/speech/phoneme_vocab.*).
// Feeds: (1) the input as a posteriors blob to PhonePosteriors::from_blob,
// as the index reads it back from SQLite; an accepted blob is scored
// (rest_logp, best_path_logp) and must re-encode to the same bytes.
// (2) the input's lines as espeak-ng IPA transcripts: PhonemeVocab::build,
// encode, decode and edit_distance, as CTC training and the phonetic search
// do with stored transcripts.
// Why: both come from index databases and manifests on disk, which may be
// damaged or written by another version; a bad one must be a clasp::Error.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "fuzz_common.h"
#include "speech/phone_posteriors.h"
#include "speech/phoneme_vocab.h"
#include "util/error.h"

namespace {

void fuzz_blob(const std::string& blob) {
  clasp::PhonePosteriors p;
  try {
    p = clasp::PhonePosteriors::from_blob(blob, "fuzz blob");
  } catch (const clasp::Error&) {
    return;
  }
  CLASP_FUZZ_CHECK(p.top > 0 && p.top <= p.classes && p.classes <= 256);
  CLASP_FUZZ_CHECK(p.ids.size() == p.logp.size() && p.ids.size() == p.frames() * static_cast<size_t>(p.top));
  for (size_t t = 0; t < p.frames(); ++t) CLASP_FUZZ_CHECK(!std::isnan(p.rest_logp(t)));
  CLASP_FUZZ_CHECK(std::isfinite(p.best_path_logp()));
  CLASP_FUZZ_CHECK(p.to_blob() == blob);
}

void fuzz_transcripts(const std::string& input) {
  std::vector<std::string> lines;
  for (size_t start = 0; start <= input.size() && lines.size() < 64;) {
    size_t end = input.find('\n', start);
    if (end == std::string::npos) end = input.size();
    lines.push_back(input.substr(start, end - start));
    start = end + 1;
  }
  try {
    const clasp::PhonemeVocab vocab = clasp::PhonemeVocab::build(lines);
    std::vector<std::vector<int64_t>> encoded;
    for (const auto& line : lines) {
      size_t unknown = 0;
      auto ids = vocab.encode(line, &unknown);
      CLASP_FUZZ_CHECK(unknown == 0);  // every symbol of a transcript is in the vocabulary built from it
      for (int64_t id : ids) CLASP_FUZZ_CHECK(id >= 1 && id < vocab.size());
      const std::string text = vocab.decode(ids);
      size_t unknown2 = 0;
      vocab.encode(text, &unknown2);  // decoded text is valid UTF-8 made of known symbols
      CLASP_FUZZ_CHECK(unknown2 == 0);
      if (ids.size() > 128) ids.resize(128);  // edit_distance is quadratic
      encoded.push_back(std::move(ids));
    }
    for (size_t i = 0; i + 1 < encoded.size() && i < 4; ++i) {
      const auto& a = encoded[i];
      const auto& b = encoded[i + 1];
      const size_t d = clasp::edit_distance(a, b);
      CLASP_FUZZ_CHECK(d == clasp::edit_distance(b, a));
      CLASP_FUZZ_CHECK(d <= std::max(a.size(), b.size()));
      CLASP_FUZZ_CHECK(clasp::edit_distance(a, a) == 0);
    }
  } catch (const clasp::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input = clasp_fuzz::as_string(data, size);
  fuzz_blob(input);
  fuzz_transcripts(input);
  return 0;
}
