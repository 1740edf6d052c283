#pragma once
#include <string>
#include <vector>

namespace clasp {

// Writes mono 16-bit PCM WAV through a temporary file and rename(), so the
// final name only ever holds a complete file. Samples are clipped to [-1, 1].
void write_wav_atomic(const std::string& path, const std::vector<float>& samples, int sample_rate);

}  // namespace clasp
