#include "data/subset.h"

#include <algorithm>
#include <numeric>
#include <string>
#include <unordered_set>

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

namespace clasp {

std::vector<Utterance> select_by_source(const std::vector<Utterance>& utts, size_t limit,
                                        size_t train_limit, uint64_t seed) {
  std::vector<Utterance> english;
  for (const auto& u : utts)
    if (u.source_id.empty()) english.push_back(u);
  if (limit == 0) limit = english.size();
  if (train_limit == 0) train_limit = limit;
  std::unordered_set<std::string> keep;
  for (const auto& u : sample_utterances(english, limit, seed))
    if (u.split != "train") keep.insert(u.id);
  for (const auto& u : sample_utterances(english, train_limit, seed))
    if (u.split == "train") keep.insert(u.id);
  std::vector<Utterance> out;
  for (const auto& u : utts)
    if (keep.count(u.source_id.empty() ? u.id : u.source_id)) out.push_back(u);
  return out;
}

}  // namespace clasp
