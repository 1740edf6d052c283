#include "index/segmenter.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "util/error.h"

namespace clasp {

namespace {
constexpr double kSilenceDb = -60;      // dBFS: quieter than this is not speech
constexpr double kAboveFloorDb = 12;    // speech is this far above the recording's quietest part
constexpr double kBelowLoudestDb = 45;  // ... or at most this far below its loudest

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  size_t k = static_cast<size_t>(q * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}
}  // namespace

std::string speech_rule(const SegmentOptions& opt) {
  char buf[200];
  std::snprintf(buf, sizeof buf,
                "speech is louder than %.0f dBFS and %.0f dB above the recording's quietest part, for at least %.2f s",
                kSilenceDb, kAboveFloorDb, opt.min_speech);
  return buf;
}

std::vector<TimeSpan> speech_segments(const std::vector<float>& x, int sr, const SegmentOptions& opt) {
  if (sr <= 0) throw Error("speech_segments: sample rate must be positive");
  if (opt.window <= 0 || opt.hop <= 0 || opt.hop > opt.window || opt.max_segment < opt.window)
    throw Error("segment options: need 0 < hop <= window <= max_segment");
  const size_t win = static_cast<size_t>(0.03 * sr), hop = static_cast<size_t>(0.01 * sr);
  const double total = static_cast<double>(x.size()) / sr;
  if (x.size() < win) return {};
  std::vector<double> db;
  for (size_t s = 0; s + win <= x.size(); s += hop) {
    double e = 0;
    for (size_t i = s; i < s + win; ++i) e += static_cast<double>(x[i]) * x[i];
    db.push_back(10 * std::log10(e / static_cast<double>(win) + 1e-12));
  }
  const double floor = percentile(db, 0.01), loud = percentile(db, 0.99);
  double thr = std::max(floor + kAboveFloorDb, loud - kBelowLoudestDb);
  if (loud < floor + kAboveFloorDb) {
    // No quiet part to measure a floor from: continuous sound (speech without
    // pauses) is one region; near-digital silence is nothing.
    if (loud < kSilenceDb) return {};
    thr = std::numeric_limits<double>::lowest();
  }

  // Runs of speech frames, as [first, last+1) frame indices.
  std::vector<std::pair<size_t, size_t>> runs;
  for (size_t i = 0; i < db.size();) {
    if (db[i] < thr) { ++i; continue; }
    size_t j = i;
    while (j < db.size() && db[j] >= thr) ++j;
    runs.push_back({i, j});
    i = j;
  }
  const double fs = 0.01;  // seconds per frame step
  std::vector<TimeSpan> regions;
  for (const auto& [a, b] : runs) {
    double s = static_cast<double>(a) * fs, e = static_cast<double>(b) * fs + 0.03;
    if (!regions.empty() && s - regions.back().end < opt.min_pause)
      regions.back().end = e;
    else
      regions.push_back({s, e});
  }
  std::vector<TimeSpan> out;
  for (auto r : regions) {
    if (r.end - r.start < opt.min_speech) continue;
    r.start = std::max(0.0, r.start - opt.pad);
    r.end = std::min(total, r.end + opt.pad);
    if (r.end - r.start <= opt.max_segment) {
      out.push_back(r);
      continue;
    }
    // Windows spread evenly from the region's start to its end, at most
    // `hop` apart: a last window pinned to the end would nearly repeat the
    // one before it (15.5 s -> [0, 10], [5, 15], [5.5, 15.5]).
    const double room = r.end - r.start - opt.window;
    const int n = 1 + static_cast<int>(std::ceil(room / opt.hop - 1e-9));
    const double step = room / (n - 1);
    for (int k = 0; k < n; ++k) {
      const double s = k + 1 == n ? r.end - opt.window : r.start + step * k;
      out.push_back({s, s + opt.window});
    }
  }
  return out;
}

}  // namespace clasp
