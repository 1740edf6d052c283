#include "index/heard_alignment.h"

#include <algorithm>
#include <limits>

#include "util/utf8.h"

namespace clasp {

HeardSpan best_heard_span(const std::vector<std::string>& query, const std::string& heard) {
  std::vector<std::string> q;
  for (const auto& s : query)
    if (s != "|") q.push_back(s);
  // The transcript's symbols and the code point each starts at.
  std::vector<std::string> t;
  std::vector<size_t> at;
  const auto chars = utf8_characters(heard);
  for (size_t cp = 0; cp < chars.size(); ++cp)
    if (chars[cp] != " " && chars[cp] != "|") {
      t.push_back(chars[cp]);
      at.push_back(cp);
    }
  // Under 4 phonemes a query aligns with something in any transcript.
  if (q.size() < 4 || t.empty() || q.size() > 1000 || t.size() > 100000) return {};
  // Semi-global edit distance: the query whole, any stretch of the
  // transcript (free start and end); start[j] = where the stretch ending at j began.
  const size_t m = q.size(), n = t.size();
  std::vector<size_t> prev(n + 1, 0), cur(n + 1), prev_start(n + 1), cur_start(n + 1);
  for (size_t j = 0; j <= n; ++j) prev_start[j] = j;
  for (size_t i = 1; i <= m; ++i) {
    cur[0] = i;
    cur_start[0] = 0;
    for (size_t j = 1; j <= n; ++j) {
      const size_t sub = prev[j - 1] + (q[i - 1] == t[j - 1] ? 0 : 1), del = prev[j] + 1, ins = cur[j - 1] + 1;
      if (sub <= del && sub <= ins) {
        cur[j] = sub;
        cur_start[j] = prev_start[j - 1];
      } else if (del <= ins) {
        cur[j] = del;
        cur_start[j] = prev_start[j];
      } else {
        cur[j] = ins;
        cur_start[j] = cur_start[j - 1];
      }
    }
    std::swap(prev, cur);
    std::swap(prev_start, cur_start);
  }
  size_t best = std::numeric_limits<size_t>::max(), end = 0;
  for (size_t j = 1; j <= n; ++j)
    if (prev[j] < best) best = prev[j], end = j;
  if (best * 3 > m || end == 0) return {};  // more than a third edited: not where it was heard
  const size_t begin = prev_start[end];
  if (begin >= end) return {};
  return {at[begin], at[end - 1] + 1};
}

}  // namespace clasp
