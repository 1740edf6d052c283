#include "serve/request_checks.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "util/error.h"

namespace clasp {

size_t count_param(const httplib::Request& req, const char* name, size_t lo, size_t hi) {
  const std::string v = req.get_param_value(name);
  const std::string why = std::string("parameter ") + name + ": expected a whole number from " + std::to_string(lo) +
                          " to " + std::to_string(hi);
  if (v.empty() || v.size() > 4 || v.find_first_not_of("0123456789") != std::string::npos) throw Error(why);
  const size_t n = std::stoul(v);
  if (n < lo || n > hi) throw Error(why);
  return n;
}

SearchOptions options_from(const httplib::Request& req) {
  SearchOptions o;
  if (req.has_param("k")) o.k = static_cast<int>(count_param(req, "k", 1, 100));
  if (req.has_param("lang")) o.lang = req.get_param_value("lang");
  if (req.has_param("approx")) o.approx = req.get_param_value("approx") == "1";
  if (req.has_param("rerank")) o.rerank = count_param(req, "rerank", 0, 1000);
  return o;
}

std::string range_problem(const httplib::Ranges& ranges, size_t size) {
  if (ranges.empty()) return "";
  if (ranges.size() > kMaxRanges)
    return std::to_string(ranges.size()) + " ranges asked; at most " + std::to_string(kMaxRanges);
  std::vector<std::pair<size_t, size_t>> spans;  // [first, last]
  for (const auto& [a, b] : ranges) {
    size_t first, last;
    if (a < 0) {  // suffix: the last b bytes
      if (b <= 0 || size == 0) return "empty suffix range";
      first = size - std::min<size_t>(static_cast<size_t>(b), size);
      last = size - 1;
    } else {
      first = static_cast<size_t>(a);
      last = b < 0 ? size - 1 : std::min<size_t>(static_cast<size_t>(b), size - 1);
      if (first >= size || (b >= 0 && b < a)) return "range outside the file's " + std::to_string(size) + " bytes";
    }
    spans.push_back({first, last});
  }
  std::sort(spans.begin(), spans.end());
  for (size_t i = 1; i < spans.size(); ++i)
    if (spans[i].first <= spans[i - 1].second) return "overlapping ranges";
  return "";
}

}  // namespace clasp
