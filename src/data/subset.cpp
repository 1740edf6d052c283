#include "data/subset.h"

#include <algorithm>
#include <numeric>

#include "util/hash.h"

namespace clasp {

std::vector<Utterance> sample_utterances(const std::vector<Utterance>& utts, size_t n,
                                         uint64_t seed) {
  if (n >= utts.size()) return utts;
  std::vector<size_t> idx(utts.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::vector<uint64_t> key(utts.size());
  for (size_t i = 0; i < utts.size(); ++i) key[i] = seeded_hash(seed, utts[i].id);
  std::nth_element(idx.begin(), idx.begin() + n, idx.end(),
                   [&](size_t a, size_t b) { return key[a] < key[b]; });
  idx.resize(n);
  std::sort(idx.begin(), idx.end());
  std::vector<Utterance> out;
  out.reserve(n);
  for (size_t i : idx) out.push_back(utts[i]);
  return out;
}

}  // namespace clasp
