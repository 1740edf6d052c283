#pragma once
// The order training items are visited in one epoch: a seeded shuffle by a
// hash of each item's name, so a resumed run visits them exactly as an
// uninterrupted one. With language balancing, every language contributes
// as many items as the smallest one has: a fresh seeded draw each epoch.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace clasp {

struct EpochOrder {
  // items: the training items; name(i) is stable across runs; lang(i) is
  // only called when balancing.
  EpochOrder(std::vector<size_t> items, std::function<std::string(size_t)> name,
             std::function<std::string(size_t)> lang = nullptr);
  // Items per epoch (all of them, or smallest language x languages).
  size_t size() const { return per_epoch_; }
  std::vector<size_t> order(uint64_t seed, int64_t epoch) const;

  std::vector<std::vector<size_t>> groups;  // one per language (one group without balancing)

 private:
  std::function<std::string(size_t)> name_;
  bool balanced_ = false;
  size_t per_epoch_ = 0;
};

}  // namespace clasp
