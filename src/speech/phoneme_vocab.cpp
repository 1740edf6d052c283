#include "speech/phoneme_vocab.h"

#include <algorithm>
#include <set>

#include "util/error.h"
#include "util/utf8.h"

namespace clasp {

std::vector<std::string> ipa_symbols(const std::string& ipa) {
  require_utf8(ipa, "phoneme transcript");
  std::vector<std::string> out;
  bool space = false;
  for (auto& sym : utf8_characters(ipa)) {
    if (sym == " " || sym == "\t" || sym == "\n" || sym == "_") {
      space = true;
      continue;
    }
    if (sym == "\xCB\x88" || sym == "\xCB\x8C") continue;  // primary and secondary stress: not sounds
    if (space && !out.empty()) out.push_back("|");
    space = false;
    out.push_back(std::move(sym));
  }
  return out;
}

PhonemeVocab PhonemeVocab::build(const std::vector<std::string>& transcripts) {
  std::set<std::string> seen;
  for (const auto& t : transcripts)
    for (auto& s : ipa_symbols(t)) seen.insert(std::move(s));
  return from_symbols({seen.begin(), seen.end()});
}

PhonemeVocab PhonemeVocab::from_symbols(std::vector<std::string> symbols) {
  PhonemeVocab v;
  v.symbols_ = std::move(symbols);
  for (size_t i = 0; i < v.symbols_.size(); ++i) v.ids_[v.symbols_[i]] = static_cast<int64_t>(i) + 1;
  return v;
}

std::vector<int64_t> PhonemeVocab::encode(const std::string& ipa, size_t* unknown) const {
  std::vector<int64_t> ids;
  for (const auto& s : ipa_symbols(ipa)) {
    auto it = ids_.find(s);
    if (it != ids_.end()) ids.push_back(it->second);
    else if (unknown) ++*unknown;
  }
  return ids;
}

std::string PhonemeVocab::decode(const std::vector<int64_t>& ids) const {
  std::string out;
  for (int64_t id : ids)
    if (id >= 1 && id <= static_cast<int64_t>(symbols_.size())) {
      const auto& s = symbols_[static_cast<size_t>(id - 1)];
      out += s == "|" ? " " : s;
    }
  return out;
}

size_t edit_distance(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace clasp
