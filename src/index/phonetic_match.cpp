#include "index/phonetic_match.h"

#include <algorithm>

namespace clasp {

float phonetic_match(const std::vector<int64_t>& query, const std::vector<int64_t>& segment) {
  const size_t m = query.size(), n = segment.size();
  if (m == 0) return 0.0f;
  // Semi-global edit distance, one row at a time: row[j] = cost of matching
  // the first i query symbols ending at segment position j.
  std::vector<size_t> prev(n + 1, 0), row(n + 1);
  for (size_t i = 1; i <= m; ++i) {
    row[0] = i;
    for (size_t j = 1; j <= n; ++j)
      row[j] = std::min({prev[j - 1] + (query[i - 1] != segment[j - 1]), prev[j] + 1, row[j - 1] + 1});
    std::swap(prev, row);
  }
  size_t best = *std::min_element(prev.begin(), prev.end());
  return 1.0f - static_cast<float>(std::min(best, m)) / static_cast<float>(m);
}

}  // namespace clasp
