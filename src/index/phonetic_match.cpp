#include "index/phonetic_match.h"

#include <algorithm>

namespace clasp {

namespace {
// Edit distance of `query` against `segment`, one row at a time: row[j] =
// cost of turning the first i query symbols into the segment's first j
// (global) or into a stretch ending at j (free_start). Returns the last row.
std::vector<size_t> last_row(const std::vector<int64_t>& query, const std::vector<int64_t>& segment, bool free_start) {
  const size_t n = segment.size();
  std::vector<size_t> prev(n + 1), row(n + 1);
  for (size_t j = 0; j <= n; ++j) prev[j] = free_start ? 0 : j;
  for (size_t i = 1; i <= query.size(); ++i) {
    row[0] = i;
    for (size_t j = 1; j <= n; ++j)
      row[j] = std::min({prev[j - 1] + (query[i - 1] != segment[j - 1]), prev[j] + 1, row[j - 1] + 1});
    std::swap(prev, row);
  }
  return prev;
}
}  // namespace

float phonetic_match(const std::vector<int64_t>& query, const std::vector<int64_t>& segment) {
  const size_t m = query.size();
  if (m == 0) return 0.0f;
  auto row = last_row(query, segment, true);
  size_t best = *std::min_element(row.begin(), row.end());  // free end too
  return 1.0f - static_cast<float>(std::min(best, m)) / static_cast<float>(m);
}

float phonetic_match_whole(const std::vector<int64_t>& query, const std::vector<int64_t>& segment) {
  if (query.empty()) return 0.0f;
  const size_t longer = std::max(query.size(), segment.size());
  const float whole = 1.0f - static_cast<float>(last_row(query, segment, false).back()) / static_cast<float>(longer);
  return 0.5f * (phonetic_match(query, segment) + whole);
}

}  // namespace clasp
