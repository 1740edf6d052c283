#include "audio/mel.h"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <mutex>

#include "util/error.h"

namespace clasp {

namespace {
// FFTW's planner is not thread-safe; execution on distinct buffers is.
std::mutex& planner_mutex() {
  static std::mutex m;
  return m;
}
}  // namespace

double hz_to_mel(double hz) { return 2595.0 * std::log10(1.0 + hz / 700.0); }
double mel_to_hz(double mel) { return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0); }

struct MelExtractor::Fft {
  int n;
  float* in;
  fftwf_complex* out;
  fftwf_plan plan;
  explicit Fft(int n_fft) : n(n_fft) {
    std::lock_guard<std::mutex> lock(planner_mutex());
    in = fftwf_alloc_real(n);
    out = fftwf_alloc_complex(n / 2 + 1);
    plan = fftwf_plan_dft_r2c_1d(n, in, out, FFTW_ESTIMATE);
  }
  ~Fft() {
    std::lock_guard<std::mutex> lock(planner_mutex());
    fftwf_destroy_plan(plan);
    fftwf_free(in);
    fftwf_free(out);
  }
};

MelExtractor::MelExtractor(const MelConfig& cfg) : cfg_(cfg) {
  if (cfg.n_fft < 16 || cfg.hop <= 0 || cfg.n_mels <= 0 || cfg.sample_rate <= 0 ||
      cfg.f_max <= cfg.f_min || cfg.f_max > cfg.sample_rate / 2.0f + 1e-3f)
    throw Error("mel config: need n_fft>=16, hop>0, n_mels>0, 0<=f_min<f_max<=sample_rate/2");
  const int n = cfg.n_fft, n_freqs = n / 2 + 1;
  window_.resize(n);
  for (int i = 0; i < n; ++i)  // periodic Hann, as torch.hann_window(n)
    window_[i] = static_cast<float>(0.5 - 0.5 * std::cos(2.0 * M_PI * i / n));
  // Triangular filters between n_mels+2 points equally spaced in mel.
  std::vector<double> f_pts(cfg.n_mels + 2);
  double m_lo = hz_to_mel(cfg.f_min), m_hi = hz_to_mel(cfg.f_max);
  for (int i = 0; i < cfg.n_mels + 2; ++i)
    f_pts[i] = mel_to_hz(m_lo + (m_hi - m_lo) * i / (cfg.n_mels + 1));
  fbank_.assign(static_cast<size_t>(cfg.n_mels) * n_freqs, 0.0f);
  for (int m = 0; m < cfg.n_mels; ++m) {
    for (int k = 0; k < n_freqs; ++k) {
      double f = (cfg.sample_rate / 2.0) * k / (n_freqs - 1);
      double down = (f - f_pts[m]) / (f_pts[m + 1] - f_pts[m]);
      double up = (f_pts[m + 2] - f) / (f_pts[m + 2] - f_pts[m + 1]);
      fbank_[static_cast<size_t>(m) * n_freqs + k] = static_cast<float>(std::max(0.0, std::min(down, up)));
    }
  }
  band_lo_.assign(cfg.n_mels, 0);
  band_hi_.assign(cfg.n_mels, 0);
  for (int m = 0; m < cfg.n_mels; ++m) {
    const float* w = &fbank_[static_cast<size_t>(m) * n_freqs];
    int lo = 0, hi = n_freqs;
    while (lo < n_freqs && w[lo] == 0.0f) ++lo;
    while (hi > lo && w[hi - 1] == 0.0f) --hi;
    band_lo_[m] = lo;
    band_hi_[m] = hi;
  }
  fft_ = std::make_unique<Fft>(n);
}

MelExtractor::~MelExtractor() = default;

double MelExtractor::center_hz(int m) const {
  double m_lo = hz_to_mel(cfg_.f_min), m_hi = hz_to_mel(cfg_.f_max);
  return mel_to_hz(m_lo + (m_hi - m_lo) * (m + 1) / (cfg_.n_mels + 1));
}

MelSpectrogram MelExtractor::compute(const std::vector<float>& x) const {
  const int n = cfg_.n_fft, half = n / 2, n_freqs = n / 2 + 1;
  const long len = static_cast<long>(x.size());
  MelSpectrogram out;
  out.n_mels = cfg_.n_mels;
  out.frames = static_cast<int>(1 + len / cfg_.hop);
  out.data.resize(static_cast<size_t>(out.frames) * cfg_.n_mels);
  // Centre padding: reflect like torch.stft; a signal too short to reflect
  // (len <= n_fft/2) is zero-padded instead of failing.
  auto sample = [&](long i) -> float {
    if (len == 0) return 0.0f;
    if (len > half) {
      if (i < 0) i = -i;
      if (i >= len) i = 2 * (len - 1) - i;
      return x[static_cast<size_t>(i)];
    }
    return (i >= 0 && i < len) ? x[static_cast<size_t>(i)] : 0.0f;
  };
  // Per-call buffers so one extractor can serve calls in sequence safely.
  float* in = fftwf_alloc_real(n);
  fftwf_complex* spec = fftwf_alloc_complex(n_freqs);
  std::vector<float> power(n_freqs);
  for (int t = 0; t < out.frames; ++t) {
    long start = static_cast<long>(t) * cfg_.hop - half;
    if (start >= 0 && start + n <= len) {  // inside the signal: no reflection to work out
      const float* src = x.data() + start;
      for (int i = 0; i < n; ++i) in[i] = src[i] * window_[i];
    } else {
      for (int i = 0; i < n; ++i) in[i] = sample(start + i) * window_[i];
    }
    fftwf_execute_dft_r2c(fft_->plan, in, spec);
    for (int k = 0; k < n_freqs; ++k) power[k] = spec[k][0] * spec[k][0] + spec[k][1] * spec[k][1];
    float* row = &out.data[static_cast<size_t>(t) * cfg_.n_mels];
    for (int m = 0; m < cfg_.n_mels; ++m) {
      const float* w = &fbank_[static_cast<size_t>(m) * n_freqs];
      float acc = 0;
      for (int k = band_lo_[m]; k < band_hi_[m]; ++k) acc += w[k] * power[k];
      row[m] = std::log(std::max(acc, cfg_.log_floor));
    }
  }
  fftwf_free(in);
  fftwf_free(spec);
  return out;
}

}  // namespace clasp
