#include <CLI/CLI.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "audio/audio_file.h"
#include "audio/mel.h"
#include "cli/commands.h"
#include "util/error.h"
#include "util/npy.h"

namespace clasp::cli {

void add_audio_commands(CLI::App& app) {
  auto* audio = app.add_subcommand("audio", "Inspect audio files and compute log-mel features");
  audio->require_subcommand(1);

  auto* info = audio->add_subcommand("info", "Print format, sample rate, channels and duration");
  static std::vector<std::string> files;
  static bool as_json = false;
  info->add_option("files", files, "Audio files")->required();
  info->add_flag("--json", as_json, "One JSON object per file");
  info->callback([] {
    int bad = 0;
    for (const auto& f : files) {
      try {
        AudioInfo a = probe_audio(f);
        if (as_json) {
          nlohmann::json j = {{"path", f}, {"format", a.format}, {"sample_rate", a.sample_rate},
                              {"channels", a.channels}, {"frames", a.frames}, {"duration", a.duration()}};
          std::printf("%s\n", j.dump().c_str());
        } else {
          std::printf("%s: %s, %d Hz, %d ch, %.3f s\n", f.c_str(), a.format.c_str(), a.sample_rate,
                      a.channels, a.duration());
        }
      } catch (const Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        ++bad;
      }
    }
    if (bad) throw Error(std::to_string(bad) + " of " + std::to_string(files.size()) + " files could not be read");
  });

  auto* mel = audio->add_subcommand("mel", "80-bin log-mel spectrogram at 16 kHz (25 ms / 10 ms)");
  static std::string in, out;
  mel->add_option("file", in, "Audio file")->required();
  mel->add_option("-o,--out", out, "Write the (frames x 80) matrix as .npy");
  mel->callback([] {
    Audio a = read_audio(in);
    MelExtractor ex;
    MelSpectrogram m = ex.compute(a.samples);
    float lo = m.data[0], hi = m.data[0];
    double mean = 0;
    for (float v : m.data) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      mean += v;
    }
    mean /= static_cast<double>(m.data.size());
    std::printf("%s: %.3f s at 16 kHz -> %d frames x %d mels (log-mel min %.2f mean %.2f max %.2f)\n",
                in.c_str(), a.duration(), m.frames, m.n_mels, lo, mean, hi);
    if (!out.empty()) {
      write_npy_f32(out, m.data, static_cast<size_t>(m.frames), static_cast<size_t>(m.n_mels));
      std::printf("wrote %s\n", out.c_str());
    }
  });
}

}  // namespace clasp::cli
