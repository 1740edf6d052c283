// Target: manifest lines (src/data/manifest.*).
// Feeds: the input as one JSONL line to parse_utterance, the parser every
// stage runs on manifests; when the input holds line ends, also the whole
// input as a manifest file through read_manifest.
// Why: manifests are hand-edited, imported and merged; a bad line must be a
// clasp::Error naming it, never a crash, UB or a huge allocation. An accepted
// utterance must also survive utterance_to_json -> parse_utterance unchanged.
#include <string>

#include "data/manifest.h"
#include "fuzz_common.h"
#include "util/error.h"

namespace {

void check_round_trip(const clasp::Utterance& u) {
  const std::string line = clasp::utterance_to_json(u);
  const clasp::Utterance v = clasp::parse_utterance(line, "round trip");  // must not throw
  CLASP_FUZZ_CHECK(v.id == u.id && v.text == u.text && v.lang == u.lang);
  CLASP_FUZZ_CHECK(v.category == u.category && v.split == u.split && v.doc == u.doc);
  CLASP_FUZZ_CHECK(v.source_id == u.source_id && v.audio == u.audio && v.voice == u.voice);
  CLASP_FUZZ_CHECK(v.engine == u.engine && v.phonemes == u.phonemes && v.error == u.error);
  CLASP_FUZZ_CHECK(v.tokens == u.tokens);
  CLASP_FUZZ_CHECK(v.duration == (u.duration > 0 ? u.duration : 0.0));  // <= 0 is not written
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input = clasp_fuzz::as_string(data, size);
  try {
    check_round_trip(clasp::parse_utterance(input, "fuzz.jsonl:1"));
  } catch (const clasp::Error&) {
  }
  if (input.find('\n') != std::string::npos) {
    static clasp_fuzz::TempFile file("manifest");
    try {
      for (const auto& u : clasp::read_manifest(file.write(input))) check_round_trip(u);
    } catch (const clasp::Error&) {
    }
  }
  return 0;
}
