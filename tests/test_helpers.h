#pragma once
// Shared helpers for the tests: temporary directories and audio writers.
#include <sndfile.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "data/manifest.h"
#include "util/error.h"

namespace clasp::test {

// fn() must throw a clasp::Error whose message contains `needle`.
template <class Fn>
void expect_error_naming(Fn&& fn, const std::string& needle) {
  try {
    fn();
    ADD_FAILURE() << "expected an error naming " << needle;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

// Utterances by id, for looking up what a manifest says of one.
inline std::map<std::string, const Utterance*> by_id(const std::vector<Utterance>& utts) {
  std::map<std::string, const Utterance*> m;
  for (const auto& u : utts) m[u.id] = &u;
  return m;
}
// The map points into the vector: a temporary one would leave it dangling.
std::map<std::string, const Utterance*> by_id(std::vector<Utterance>&&) = delete;

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/clasp-test-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

inline std::vector<float> sine(double hz, double seconds, int rate, float amp = 0.5f) {
  std::vector<float> x(static_cast<size_t>(seconds * rate));
  for (size_t i = 0; i < x.size(); ++i) x[i] = amp * static_cast<float>(std::sin(2 * M_PI * hz * i / rate));
  return x;
}

// Writes interleaved float samples with libsndfile; false if the format is unsupported.
inline bool write_audio(const std::string& path, const std::vector<float>& interleaved, int rate,
                        int channels, int format) {
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = channels;
  info.format = format;
  if (!sf_format_check(&info)) return false;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  if (!f) return false;
  sf_writef_float(f, interleaved.data(), static_cast<sf_count_t>(interleaved.size() / channels));
  sf_close(f);
  return true;
}

// Clips c0 .. c<n-1>: samples(i) written as 16 kHz 16-bit WAV files in
// dir, each an Utterance with id and audio set.
inline std::vector<Utterance> write_clips(const std::filesystem::path& dir, int n,
                                          const std::function<std::vector<float>(int)>& samples) {
  std::vector<Utterance> utts;
  for (int i = 0; i < n; ++i) {
    Utterance u;
    u.id = "c" + std::to_string(i);
    u.audio = u.id + ".wav";
    if (!write_audio((dir / u.audio).string(), samples(i), 16000, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16)) return {};
    utts.push_back(u);
  }
  return utts;
}

// Frequency estimate from positive-going zero crossings.
inline double zero_crossing_hz(const std::vector<float>& x, int rate) {
  int n = 0;
  for (size_t i = 1; i < x.size(); ++i)
    if (x[i - 1] < 0 && x[i] >= 0) ++n;
  return n / (static_cast<double>(x.size()) / rate);
}

inline std::string run_capture(const std::string& cmd, int* rc) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  char buf[4096];
  size_t k;
  while ((k = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, k);
  int st = pclose(p);
  *rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

}  // namespace clasp::test
