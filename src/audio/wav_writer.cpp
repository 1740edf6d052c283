#include "audio/wav_writer.h"

#include <sndfile.h>
#include <unistd.h>

#include <filesystem>

#include "util/error.h"

namespace clasp {

void write_wav_atomic(const std::string& path, const std::vector<float>& samples, int sample_rate) {
  namespace fs = std::filesystem;
  fs::path p(path);
  if (p.has_parent_path()) fs::create_directories(p.parent_path());
  std::string tmp = path + ".part." + std::to_string(::getpid());
  SF_INFO info{};
  info.samplerate = sample_rate;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE* f = sf_open(tmp.c_str(), SFM_WRITE, &info);
  if (!f) fail_file(tmp, std::string("cannot create WAV: ") + sf_strerror(nullptr));
  // Clip rather than wrap around when converting to 16-bit.
  sf_command(f, SFC_SET_CLIPPING, nullptr, SF_TRUE);
  sf_count_t n = sf_write_float(f, samples.data(), static_cast<sf_count_t>(samples.size()));
  int close_err = sf_close(f);
  if (n != static_cast<sf_count_t>(samples.size()) || close_err != 0) {
    fs::remove(tmp);
    fail_file(path, "writing WAV failed (disk full?)");
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) fail_file(path, "cannot move finished WAV into place: " + ec.message());
}

}  // namespace clasp
