#pragma once
#include <vector>

namespace clasp {

// Band-limited resampling with libsoxr (high quality). The output has
// round(n * out_rate / in_rate) samples, so duration is preserved.
std::vector<float> resample(const std::vector<float>& in, int in_rate, int out_rate);

}  // namespace clasp
