#include "index/phonetic_match.h"

#include <algorithm>

namespace clasp {

namespace {
// Edit cost of `query` (what was said) against `segment` (what the
// recogniser heard), one row at a time: row[j] = cost of turning the first
// i query symbols into the segment's first j (global) or into a stretch
// ending at j (free_start). Returns the last row.
std::vector<float> last_row(const std::vector<int64_t>& query, const std::vector<int64_t>& segment, bool free_start,
                            const PhoneCosts& c) {
  const size_t n = segment.size();
  const bool unit = c.empty();
  std::vector<float> prev(n + 1), row(n + 1);
  for (size_t j = 0; j <= n; ++j) prev[j] = free_start ? 0.0f : static_cast<float>(j) * c.ins;
  for (size_t i = 1; i <= query.size(); ++i) {
    const int64_t a = query[i - 1];
    const float drop = unit ? 1.0f : c.drop(a);
    row[0] = prev[0] + drop;
    for (size_t j = 1; j <= n; ++j) {
      const float sub = unit ? (a != segment[j - 1] ? 1.0f : 0.0f) : c.substitute(a, segment[j - 1]);
      row[j] = std::min({prev[j - 1] + sub, prev[j] + drop, row[j - 1] + c.ins});
    }
    std::swap(prev, row);
  }
  return prev;
}
}  // namespace

float phonetic_match(const std::vector<int64_t>& query, const std::vector<int64_t>& segment, const PhoneCosts& costs) {
  const size_t m = query.size();
  if (m == 0) return 0.0f;
  auto row = last_row(query, segment, true, costs);
  const float best = *std::min_element(row.begin(), row.end());  // free end too
  return 1.0f - std::min(best, static_cast<float>(m)) / static_cast<float>(m);
}

float phonetic_match_whole(const std::vector<int64_t>& query, const std::vector<int64_t>& segment,
                           const PhoneCosts& costs, float local_weight) {
  if (query.empty()) return 0.0f;
  const float longer = static_cast<float>(std::max(query.size(), segment.size()));
  const float whole = 1.0f - std::min(last_row(query, segment, false, costs).back(), longer) / longer;
  return local_weight * phonetic_match(query, segment, costs) + (1 - local_weight) * whole;
}

}  // namespace clasp
