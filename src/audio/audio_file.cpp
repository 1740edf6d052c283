#include "audio/audio_file.h"

#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "audio/resample.h"
#include "util/error.h"

namespace clasp {

namespace {

constexpr int kMinSampleRate = 1000, kMaxSampleRate = 768000, kMaxChannels = 64;
constexpr float kMaxSampleMagnitude = 1000.0f;
constexpr double kMaxProbeSeconds = 48 * 3600.0;
struct SndCloser {
  void operator()(SNDFILE* f) const { sf_close(f); }
};
using SndPtr = std::unique_ptr<SNDFILE, SndCloser>;

std::string format_name(int format) {
  SF_FORMAT_INFO major{}, sub{};
  major.format = format & SF_FORMAT_TYPEMASK;
  sub.format = format & SF_FORMAT_SUBMASK;
  sf_command(nullptr, SFC_GET_FORMAT_INFO, &major, sizeof major);
  sf_command(nullptr, SFC_GET_FORMAT_INFO, &sub, sizeof sub);
  std::string s = major.name ? major.name : "unknown";
  if (sub.name) s += std::string(" / ") + sub.name;
  return s;
}

// libsndfile logs "data : <header size> (should be <real size>)" for a WAV
// data chunk longer than the file. Streamed WAVs write 0 or 0xFFFFFFFF as
// the size on purpose; those are not truncation.
bool header_claims_more_data(const std::string& log) {
  auto pos = log.find("\ndata : ");
  if (pos == std::string::npos) return false;
  unsigned long long claimed = 0, real = 0;
  if (std::sscanf(log.c_str() + pos, "\ndata : %llu (should be %llu)", &claimed, &real) != 2) return false;
  if (claimed == 0 || claimed == 0xFFFFFFFFULL) return false;
  return real < claimed;
}

SndPtr open_checked(const std::string& path, SF_INFO* info) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) fail_file(path, "no such file");
  if (fs::is_directory(path, ec)) fail_file(path, "is a directory, expected an audio file");
  // A FIFO or device would block or never end.
  if (!fs::is_regular_file(path, ec)) fail_file(path, "not a regular file (a FIFO, socket or device?), expected an audio file");
  auto size = fs::file_size(path, ec);
  if (!ec && size == 0) fail_file(path, "empty file (0 bytes), expected audio");
  *info = {};
  SndPtr f(sf_open(path.c_str(), SFM_READ, info));
  if (!f)
    fail_file(path, std::string("not a readable audio file (") + sf_strerror(nullptr) +
                        "); expected WAV, FLAC, OGG, MP3 or another format libsndfile reads");
  if (info->samplerate <= 0 || info->channels <= 0)
    fail_file(path, "invalid header: sample rate " + std::to_string(info->samplerate) +
                        ", channels " + std::to_string(info->channels));
  // Rates outside what any recorder writes turn a few bytes into hours of
  // "audio" (an 8 KB file declaring 1 Hz is 8,000 s) or into absurd resampling.
  if (info->samplerate < kMinSampleRate || info->samplerate > kMaxSampleRate || info->channels > kMaxChannels)
    fail_file(path, "implausible header: sample rate " + std::to_string(info->samplerate) + " Hz, " +
                        std::to_string(info->channels) + " channels (expected " + std::to_string(kMinSampleRate) +
                        "-" + std::to_string(kMaxSampleRate) + " Hz, at most " + std::to_string(kMaxChannels) +
                        " channels)");
  return f;
}
}  // namespace

AudioInfo probe_audio(const std::string& path) {
  SF_INFO info;
  SndPtr f = open_checked(path, &info);
  AudioInfo a;
  a.path = path;
  a.format = format_name(info.format);
  a.sample_rate = info.samplerate;
  a.channels = info.channels;
  a.frames = info.frames;
  // Streams whose header holds no length (a truncated OGG or MP3) report an
  // unknown count as a huge number: count the frames that decode instead.
  const double declared_s = static_cast<double>(info.frames) / info.samplerate;
  if (info.frames <= 0 || declared_s > kMaxProbeSeconds) {
    std::vector<float> buf(static_cast<size_t>(4096) * static_cast<size_t>(info.channels));
    sf_count_t n = 0;
    for (sf_count_t got; (got = sf_readf_float(f.get(), buf.data(), 4096)) > 0;) {
      n += got;
      if (static_cast<double>(n) / info.samplerate > kMaxProbeSeconds)
        fail_file(path, "declares an implausible length and decodes to more than " +
                            std::to_string(static_cast<int>(kMaxProbeSeconds / 3600)) + " h");
    }
    a.frames = n;
  }
  return a;
}

Audio read_audio(const std::string& path, const ReadOptions& opt) {
  SF_INFO info;
  SndPtr f = open_checked(path, &info);
  // libsndfile accepts a WAV whose data chunk claims more bytes than the
  // file holds and silently shortens it; its log says so. Treat as truncated.
  char log[4096] = {0};
  sf_command(f.get(), SFC_GET_LOG_INFO, log, sizeof log);
  if (header_claims_more_data(log))
    fail_file(path, "truncated audio data (the header promises more samples than the file holds)");
  if (info.frames <= 0 && (info.format & SF_FORMAT_TYPEMASK) != SF_FORMAT_MPEG &&
      (info.format & SF_FORMAT_TYPEMASK) != SF_FORMAT_OGG)
    fail_file(path, "contains no audio samples (zero-length)");
  double max_frames = opt.max_seconds * info.samplerate;
  if (info.frames > 0 && info.frames > max_frames)
    fail_file(path, "audio is " + std::to_string(info.frames / info.samplerate) +
                        " s long, more than the limit of " + std::to_string(int(opt.max_seconds)) + " s");

  const int ch = info.channels;
  std::vector<float> mono;
  // The header's frame count is a claim, not a fact: a 600-byte FLAC can claim
  // 9e9 frames (36 GB of floats). Reserve at most what the file could hold at
  // 1024 frames a byte (more than any codec packs); decoding grows past it if
  // need be, and a header that promised more than decodes is refused below.
  if (info.frames > 0) {
    std::error_code ec;
    const auto bytes = std::filesystem::file_size(path, ec);
    const double plausible = ec ? 0.0 : 1024.0 * static_cast<double>(bytes);
    mono.reserve(static_cast<size_t>(std::min(static_cast<double>(info.frames), plausible)));
  }
  std::vector<float> buf(static_cast<size_t>(4096) * ch);
  while (true) {
    sf_count_t got = sf_readf_float(f.get(), buf.data(), 4096);
    if (got <= 0) break;
    for (sf_count_t i = 0; i < got; ++i) {
      float s = 0;
      for (int c = 0; c < ch; ++c) s += buf[static_cast<size_t>(i) * ch + c];
      s /= static_cast<float>(ch);
      if (!std::isfinite(s)) fail_file(path, "contains NaN or infinite samples");
      // Float files may go a little past full scale; 1e30 is damage, and would
      // overflow the spectrum into NaN vectors.
      if (std::fabs(s) > kMaxSampleMagnitude)
        fail_file(path, "sample values far outside full scale (|x| = " + std::to_string(std::fabs(s)) +
                            " at frame " + std::to_string(mono.size()) + "; expected about -1..1)");
      mono.push_back(s);
    }
    if (mono.size() > max_frames)
      fail_file(path, "audio is longer than the limit of " + std::to_string(int(opt.max_seconds)) + " s");
  }
  if (sf_error(f.get()) != SF_ERR_NO_ERROR)
    fail_file(path, std::string("decoding failed: ") + sf_strerror(f.get()));
  if (mono.empty()) fail_file(path, "contains no audio samples (zero-length)");
  if (info.frames > 0 && static_cast<sf_count_t>(mono.size()) < info.frames &&
      (info.format & SF_FORMAT_TYPEMASK) != SF_FORMAT_MPEG)
    fail_file(path, "truncated audio data: header promises " + std::to_string(info.frames) +
                        " frames, only " + std::to_string(mono.size()) + " could be read");

  const size_t decoded = mono.size();
  Audio a;
  a.sample_rate = info.samplerate;
  a.samples = std::move(mono);
  if (opt.target_rate > 0 && opt.target_rate != a.sample_rate) {
    a.samples = resample(a.samples, a.sample_rate, opt.target_rate);
    a.sample_rate = opt.target_rate;
    if (a.samples.empty())
      fail_file(path, "too short: " + std::to_string(decoded) + " sample(s) at " + std::to_string(info.samplerate) +
                          " Hz is less than one sample at " + std::to_string(opt.target_rate) + " Hz");
  }
  return a;
}

}  // namespace clasp
