#pragma once
// Decoding of audio files (WAV, FLAC, OGG/Vorbis, Opus, MP3 and whatever else
// libsndfile reads) into mono float samples at a target rate.
#include <cstdint>
#include <string>
#include <vector>

namespace clasp {

constexpr int kModelSampleRate = 16000;

struct AudioInfo {
  std::string path;
  std::string format;  // e.g. "WAV (Microsoft) / Signed 16 bit PCM"
  int sample_rate = 0;
  int channels = 0;
  int64_t frames = 0;
  double duration() const { return sample_rate ? static_cast<double>(frames) / sample_rate : 0; }
};

struct Audio {
  std::vector<float> samples;  // mono, in [-1, 1]
  int sample_rate = 0;
  double duration() const { return sample_rate ? static_cast<double>(samples.size()) / sample_rate : 0; }
};

struct ReadOptions {
  int target_rate = kModelSampleRate;  // 0 keeps the file's rate
  double max_seconds = 4 * 3600.0;     // refuse longer files (memory guard)
};

// Header information; clasp::Error "<path>: ..." for missing, empty,
// non-audio or corrupt files.
AudioInfo probe_audio(const std::string& path);

// Decodes, down-mixes to mono (channel mean) and resamples. Errors name the
// file: unreadable, zero samples, truncated data, NaN/Inf samples, too long.
Audio read_audio(const std::string& path, const ReadOptions& opt = {});

}  // namespace clasp
