#include "audio/resample.h"

#include <soxr.h>

#include <cmath>

#include "util/error.h"

namespace clasp {

std::vector<float> resample(const std::vector<float>& in, int in_rate, int out_rate) {
  if (in_rate <= 0 || out_rate <= 0)
    throw Error("resample: sample rates must be positive (got " + std::to_string(in_rate) + " -> " +
                std::to_string(out_rate) + ")");
  if (in_rate == out_rate || in.empty()) return in;
  size_t out_len = static_cast<size_t>(std::llround(static_cast<double>(in.size()) * out_rate / in_rate));
  // Shorter than half an output sample (one sample at 48 kHz -> 16 kHz): no
  // output; soxr_oneshot would be handed a null output buffer and crash.
  if (out_len == 0) return {};
  std::vector<float> out(out_len);
  size_t done = 0;
  soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
  soxr_quality_spec_t q = soxr_quality_spec(SOXR_HQ, 0);
  soxr_error_t err = soxr_oneshot(in_rate, out_rate, 1, in.data(), in.size(), nullptr, out.data(),
                                  out_len, &done, &io, &q, nullptr);
  if (err) throw Error(std::string("resample: soxr failed: ") + err);
  out.resize(done);
  out.resize(out_len, 0.0f);  // oneshot may return a sample short at the very end
  return out;
}

}  // namespace clasp
