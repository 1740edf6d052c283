// Target: the audio front end (src/audio/audio_file.*, src/audio/resample.*).
// Feeds: the input as an audio file (written to a private temporary file,
// since libsndfile reads paths) to probe_audio and read_audio with the
// default options (decode, down-mix, resample to 16 kHz, 4 h limit), as
// `clasp index add` and the server's audio upload do. Inputs of at least 8
// bytes also go straight to resample: the first 4 bytes pick a rate in the
// range read_audio accepts, the rest are float samples.
// Why: audio comes from users and HTTP uploads; whatever libsndfile makes of
// a damaged file, clasp must refuse it with a clasp::Error or decode it into
// finite samples at 16 kHz, without crashes, UB or huge allocations.
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "audio/audio_file.h"
#include "audio/resample.h"
#include "fuzz_common.h"
#include "util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static clasp_fuzz::TempFile file("audio");
  const std::string& path = file.write(clasp_fuzz::as_string(data, size));
  try {
    const clasp::AudioInfo info = clasp::probe_audio(path);
    CLASP_FUZZ_CHECK(info.sample_rate > 0 && info.channels > 0 && info.frames >= 0);
  } catch (const clasp::Error&) {
  }
  try {
    const clasp::Audio a = clasp::read_audio(path);
    CLASP_FUZZ_CHECK(a.sample_rate == clasp::kModelSampleRate);
    CLASP_FUZZ_CHECK(!a.samples.empty());
    for (float s : a.samples) CLASP_FUZZ_CHECK(std::isfinite(s));
  } catch (const clasp::Error&) {
  }

  // resample() on its own, within read_audio's contract: rates 1000-768000 Hz,
  // finite samples of at most 1000 in magnitude.
  if (size >= 8) {
    uint32_t r;
    std::memcpy(&r, data, 4);
    const int in_rate = 1000 + static_cast<int>(r % 767001);
    std::vector<float> in((size - 4) / 4);
    std::memcpy(in.data(), data + 4, in.size() * 4);
    for (float& s : in)
      if (!std::isfinite(s) || std::fabs(s) > 1000.0f) s = 0;
    const std::vector<float> out = clasp::resample(in, in_rate, clasp::kModelSampleRate);
    const auto want = static_cast<size_t>(std::llround(static_cast<double>(in.size()) * clasp::kModelSampleRate / in_rate));
    CLASP_FUZZ_CHECK(out.size() == (in.empty() ? 0 : want));
    for (float s : out) CLASP_FUZZ_CHECK(std::isfinite(s));
  }
  return 0;
}
