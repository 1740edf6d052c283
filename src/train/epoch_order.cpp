#include "train/epoch_order.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "util/hash.h"

namespace clasp {

EpochOrder::EpochOrder(std::vector<size_t> items, std::function<std::string(size_t)> name,
                       std::function<std::string(size_t)> lang)
    : name_(std::move(name)), balanced_(static_cast<bool>(lang)) {
  if (!balanced_) {
    per_epoch_ = items.size();
    groups.push_back(std::move(items));
    return;
  }
  std::map<std::string, std::vector<size_t>> by_lang;
  for (size_t i : items) by_lang[lang(i)].push_back(i);
  size_t smallest = items.size();
  for (auto& [l, g] : by_lang) {
    smallest = std::min(smallest, g.size());
    groups.push_back(std::move(g));
  }
  per_epoch_ = smallest * groups.size();
}

std::vector<size_t> EpochOrder::order(uint64_t seed, int64_t epoch) const {
  const uint64_t s = seed * 7919 + static_cast<uint64_t>(epoch);
  auto shuffled = [&](std::vector<size_t> v) {
    std::unordered_map<size_t, uint64_t> key;
    for (size_t i : v) key[i] = seeded_hash(s, name_(i));
    std::sort(v.begin(), v.end(), [&](size_t x, size_t y) { return key.at(x) < key.at(y); });
    return v;
  };
  if (!balanced_) return shuffled(groups[0]);
  const size_t take = groups.empty() ? 0 : per_epoch_ / groups.size();
  std::vector<size_t> picked;
  for (const auto& g : groups) {
    auto v = shuffled(g);
    picked.insert(picked.end(), v.begin(), v.begin() + static_cast<long>(take));
  }
  return shuffled(picked);
}

}  // namespace clasp
