#pragma once
// The paper's retrieval metrics from embeddings: each query is scored
// against candidate vectors by dot product (cosine for normalised vectors)
// and the rank of its gold candidate is recorded (1 = best; ties count
// against the gold item).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace clasp {

struct RetrievalMetrics {
  size_t queries = 0;
  double hits1 = 0, mrr = 0, mean_rank = 0, r5 = 0, r10 = 0;
  static RetrievalMetrics from_ranks(const std::vector<size_t>& ranks);
};

// The score of the embedding versions below: sum of a[k] * b[k] over d values.
float dot_product(const float* a, const float* b, size_t d);

// Any scoring of query i against candidate j (higher = better), e.g. a
// phonetic match; the embedding versions below use the dot product.
using PairScore = std::function<float(size_t query, size_t candidate)>;
std::vector<size_t> ranks_hard_by(const PairScore& score, size_t candidates, const std::vector<size_t>& gold);
std::vector<size_t> ranks_soft_by(const PairScore& score, size_t candidates, const std::vector<size_t>& gold,
                                  size_t distractors, uint64_t seed);

// Scores of query i against a list of candidates (one score each), for
// scorings that look at the candidates together, e.g. a two-stage search
// that re-ranks the best few of them. The pair versions above are this with
// each candidate scored alone; the soft protocol draws the same candidates.
using ListScore = std::function<std::vector<float>(size_t query, const std::vector<size_t>& candidates)>;
std::vector<size_t> ranks_hard_list(const ListScore& score, size_t candidates, const std::vector<size_t>& gold);
std::vector<size_t> ranks_soft_list(const ListScore& score, size_t candidates, const std::vector<size_t>& gold,
                                    size_t distractors, uint64_t seed);

// Row-major matrices: queries [nq x d], candidates [nc x d]; gold[i] is the
// index of query i's candidate.
// Hard protocol: every candidate competes.
std::vector<size_t> ranks_hard(const std::vector<float>& queries, const std::vector<float>& candidates, size_t d,
                               const std::vector<size_t>& gold);
// Soft protocol: gold plus `distractors` other candidates drawn per query
// with a seeded generator (the same draw for the same seed and query index).
std::vector<size_t> ranks_soft(const std::vector<float>& queries, const std::vector<float>& candidates, size_t d,
                               const std::vector<size_t>& gold, size_t distractors, uint64_t seed);

}  // namespace clasp
