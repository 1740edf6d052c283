#pragma once
// Log-mel spectrogram, the convention of torchaudio.transforms.MelSpectrogram
// with these arguments (see docs/audio.md):
//   sample_rate=16000, n_fft=400 (25 ms), win_length=400, hop_length=160
//   (10 ms), window=periodic Hann, center=True with reflect padding,
//   power=2.0, n_mels=80, f_min=0, f_max=8000, mel_scale="htk", norm=None,
// followed by natural log(max(x, 1e-10)).
// Frames: 1 + n_samples / hop. Layout: frame-major, n_mels values per frame.
#include <memory>
#include <vector>

namespace clasp {

struct MelConfig {
  int sample_rate = 16000;
  int n_fft = 400;
  int hop = 160;
  int n_mels = 80;
  float f_min = 0.0f;
  float f_max = 8000.0f;
  float log_floor = 1e-10f;
};

struct MelSpectrogram {
  int frames = 0;
  int n_mels = 0;
  std::vector<float> data;  // frames * n_mels
  float at(int frame, int mel) const { return data[static_cast<size_t>(frame) * n_mels + mel]; }
};

// HTK mel scale.
double hz_to_mel(double hz);
double mel_to_hz(double mel);

class MelExtractor {
 public:
  explicit MelExtractor(const MelConfig& cfg = {});
  ~MelExtractor();
  MelExtractor(const MelExtractor&) = delete;
  MelExtractor& operator=(const MelExtractor&) = delete;

  // Thread-compatible: one extractor per thread.
  MelSpectrogram compute(const std::vector<float>& samples) const;
  const MelConfig& config() const { return cfg_; }
  // Triangular filter weights, n_mels x (n_fft/2+1), row-major.
  const std::vector<float>& filterbank() const { return fbank_; }
  // Centre frequency (Hz) of mel filter m.
  double center_hz(int m) const;

 private:
  struct Fft;
  MelConfig cfg_;
  std::vector<float> window_;
  std::vector<float> fbank_;
  // Each triangular filter is non-zero over a few bins only: [lo, hi) per
  // mel. Summing just those gives the same floats as the dense product
  // (adding exact zeros changes nothing) at ~1/40 of the work.
  std::vector<int> band_lo_, band_hi_;
  std::unique_ptr<Fft> fft_;
};

}  // namespace clasp
