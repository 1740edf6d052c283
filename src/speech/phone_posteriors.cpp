#include "speech/phone_posteriors.h"

#include <algorithm>
#include <cmath>

#include "util/error.h"

namespace clasp {

namespace {

// Blob layout, little-endian: "CPOS", version (1 byte), top (1), classes
// (2), frames (4), then frames x top class ids (1 byte each), then frames x
// top log-probabilities as -1000 x logp in 2 bytes (to -32.767, steps of 0.001).
constexpr char kMagic[4] = {'C', 'P', 'O', 'S'};
constexpr uint8_t kVersion = 1;
constexpr size_t kHeader = 12;
constexpr double kStep = 1000.0;

void put(std::string& s, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t get(const std::string& s, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(s[at + static_cast<size_t>(i)])) << (8 * i);
  return v;
}

}  // namespace

float PhonePosteriors::rest_logp(size_t t) const {
  if (top >= classes) return -1e4f;  // nothing left over
  double kept = 0;
  for (int k = 0; k < top; ++k) kept += std::exp(static_cast<double>(logp[t * static_cast<size_t>(top) + static_cast<size_t>(k)]));
  const double rest = std::max(1e-6, 1.0 - kept) / static_cast<double>(classes - top);
  return static_cast<float>(std::log(rest));
}

double PhonePosteriors::best_path_logp() const {
  double s = 0;
  for (size_t t = 0; t < frames(); ++t) s += logp[t * static_cast<size_t>(top)];
  return s;
}

std::string PhonePosteriors::to_blob() const {
  std::string s(kMagic, 4);
  put(s, kVersion, 1);
  put(s, static_cast<uint64_t>(top), 1);
  put(s, static_cast<uint64_t>(classes), 2);
  put(s, frames(), 4);
  s.append(reinterpret_cast<const char*>(ids.data()), ids.size());
  for (float v : logp) put(s, static_cast<uint64_t>(std::clamp(std::lround(-static_cast<double>(v) * kStep), 0L, 65535L)), 2);
  return s;
}

PhonePosteriors PhonePosteriors::from_blob(const std::string& blob, const std::string& what) {
  if (blob.size() < kHeader || blob.compare(0, 4, kMagic, 4) != 0)
    throw Error(what + ": not phoneme posteriors (bad header)");
  if (get(blob, 4, 1) != kVersion) throw Error(what + ": posteriors of format version " + std::to_string(get(blob, 4, 1)) + ", expected 1");
  PhonePosteriors p;
  p.top = static_cast<int>(get(blob, 5, 1));
  p.classes = static_cast<int>(get(blob, 6, 2));
  const size_t frames = get(blob, 8, 4), n = frames * static_cast<size_t>(p.top);
  if (p.top == 0 || p.top > p.classes || p.classes > 256)
    throw Error(what + ": " + std::to_string(p.top) + " of " + std::to_string(p.classes) + " classes kept per frame");
  if (blob.size() != kHeader + 3 * n)
    throw Error(what + ": " + std::to_string(blob.size()) + " bytes, expected " + std::to_string(kHeader + 3 * n) +
                " for " + std::to_string(frames) + " frames");
  p.ids.assign(blob.begin() + kHeader, blob.begin() + static_cast<long>(kHeader + n));
  for (uint8_t id : p.ids)
    if (id >= p.classes) throw Error(what + ": class " + std::to_string(id) + " of " + std::to_string(p.classes));
  p.logp.resize(n);
  for (size_t i = 0; i < n; ++i) p.logp[i] = static_cast<float>(-static_cast<double>(get(blob, kHeader + n + 2 * i, 2)) / kStep);
  return p;
}

}  // namespace clasp
