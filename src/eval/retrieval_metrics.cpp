#include "eval/retrieval_metrics.h"

#include <algorithm>
#include <numeric>
#include <random>
#include <stdexcept>

namespace clasp {

float dot_product(const float* a, const float* b, size_t d) {
  float s = 0;
  for (size_t k = 0; k < d; ++k) s += a[k] * b[k];
  return s;
}

namespace {

void check(const std::vector<float>& q, const std::vector<float>& c, size_t d, const std::vector<size_t>& gold) {
  if (d == 0 || q.size() != gold.size() * d || c.size() % d != 0)
    throw std::invalid_argument("retrieval metrics: matrix sizes do not match");
  for (size_t g : gold)
    if (g >= c.size() / d) throw std::invalid_argument("retrieval metrics: gold index out of range");
}
}  // namespace

RetrievalMetrics RetrievalMetrics::from_ranks(const std::vector<size_t>& ranks) {
  RetrievalMetrics m;
  m.queries = ranks.size();
  if (ranks.empty()) return m;
  for (size_t r : ranks) {
    m.hits1 += r == 1;
    m.r5 += r <= 5;
    m.r10 += r <= 10;
    m.mrr += 1.0 / static_cast<double>(r);
    m.mean_rank += static_cast<double>(r);
  }
  const double n = static_cast<double>(ranks.size());
  m.hits1 /= n;
  m.r5 /= n;
  m.r10 /= n;
  m.mrr /= n;
  m.mean_rank /= n;
  return m;
}

namespace {
// Rank of candidates[0] (the gold item) among its list's scores; ties count against it.
size_t rank_of_first(const std::vector<float>& scores) {
  size_t better = 0;
  for (size_t j = 1; j < scores.size(); ++j) better += scores[j] >= scores[0];
  return better + 1;
}

ListScore each_alone(const PairScore& score) {
  return [score](size_t i, const std::vector<size_t>& cands) {
    std::vector<float> s(cands.size());
    for (size_t k = 0; k < cands.size(); ++k) s[k] = score(i, cands[k]);
    return s;
  };
}
}  // namespace

std::vector<size_t> ranks_hard_list(const ListScore& score, size_t nc, const std::vector<size_t>& gold) {
  std::vector<size_t> ranks(gold.size());
  std::vector<size_t> cands;
  for (size_t i = 0; i < gold.size(); ++i) {
    if (gold[i] >= nc) throw std::invalid_argument("retrieval metrics: gold index out of range");
    cands = {gold[i]};
    for (size_t j = 0; j < nc; ++j)
      if (j != gold[i]) cands.push_back(j);
    ranks[i] = rank_of_first(score(i, cands));
  }
  return ranks;
}

std::vector<size_t> ranks_soft_list(const ListScore& score, size_t nc, const std::vector<size_t>& gold,
                                    size_t distractors, uint64_t seed) {
  std::vector<size_t> ranks(gold.size());
  std::vector<size_t> pool(nc);
  for (size_t i = 0; i < gold.size(); ++i) {
    if (gold[i] >= nc) throw std::invalid_argument("retrieval metrics: gold index out of range");
    std::iota(pool.begin(), pool.end(), 0);
    std::swap(pool[gold[i]], pool.back());
    pool.pop_back();
    std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ULL + i);
    size_t k = std::min(distractors, pool.size());
    for (size_t j = 0; j < k; ++j) std::swap(pool[j], pool[j + rng() % (pool.size() - j)]);  // partial shuffle
    std::vector<size_t> cands = {gold[i]};
    cands.insert(cands.end(), pool.begin(), pool.begin() + static_cast<long>(k));
    ranks[i] = rank_of_first(score(i, cands));
    pool.resize(nc);
  }
  return ranks;
}

std::vector<size_t> ranks_hard_by(const PairScore& score, size_t nc, const std::vector<size_t>& gold) {
  return ranks_hard_list(each_alone(score), nc, gold);
}

std::vector<size_t> ranks_soft_by(const PairScore& score, size_t nc, const std::vector<size_t>& gold,
                                  size_t distractors, uint64_t seed) {
  return ranks_soft_list(each_alone(score), nc, gold, distractors, seed);
}

std::vector<size_t> ranks_hard(const std::vector<float>& q, const std::vector<float>& c, size_t d,
                               const std::vector<size_t>& gold) {
  check(q, c, d, gold);
  return ranks_hard_by([&](size_t i, size_t j) { return dot_product(&q[i * d], &c[j * d], d); }, c.size() / d, gold);
}

std::vector<size_t> ranks_soft(const std::vector<float>& q, const std::vector<float>& c, size_t d,
                               const std::vector<size_t>& gold, size_t distractors, uint64_t seed) {
  check(q, c, d, gold);
  return ranks_soft_by([&](size_t i, size_t j) { return dot_product(&q[i * d], &c[j * d], d); }, c.size() / d, gold,
                       distractors, seed);
}

}  // namespace clasp
