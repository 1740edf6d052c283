#include "eval/word_error_rate.h"

#include <algorithm>
#include <cctype>

namespace clasp {

std::vector<std::string> normalised_words(const std::string& text) {
  std::vector<std::string> out;
  std::string w;
  auto flush = [&] {
    while (!w.empty() && w.back() == '\'') w.pop_back();
    while (!w.empty() && w.front() == '\'') w.erase(w.begin());
    if (!w.empty()) out.push_back(w);
    w.clear();
  };
  for (unsigned char c : text) {
    if (c >= 0x80 || std::isalnum(c) || c == '\'') {
      w += static_cast<char>(c >= 0x80 ? c : std::tolower(c));
    } else {
      flush();
    }
  }
  flush();
  return out;
}

WordErrors word_errors(const std::string& reference, const std::string& hypothesis) {
  auto r = normalised_words(reference), h = normalised_words(hypothesis);
  std::vector<size_t> prev(h.size() + 1), cur(h.size() + 1);
  for (size_t j = 0; j <= h.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= r.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= h.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r[i - 1] == h[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return {prev[h.size()], r.size()};
}

}  // namespace clasp
