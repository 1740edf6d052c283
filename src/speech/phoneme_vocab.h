#pragma once
// The CTC targets of the speech encoder: espeak-ng IPA transcripts as
// sequences of phoneme symbols (one Unicode code point each; stress marks
// dropped, word boundaries kept as "|"). Id 0 is the CTC blank.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace clasp {

class PhonemeVocab {
 public:
  // Every symbol seen in the transcripts, in a stable (sorted) order.
  static PhonemeVocab build(const std::vector<std::string>& transcripts);
  static PhonemeVocab from_symbols(std::vector<std::string> symbols);
  // Symbols not in the vocabulary are skipped (and counted in *unknown).
  std::vector<int64_t> encode(const std::string& ipa, size_t* unknown = nullptr) const;
  std::string decode(const std::vector<int64_t>& ids) const;
  // Number of classes including the blank.
  int64_t size() const { return static_cast<int64_t>(symbols_.size()) + 1; }
  const std::vector<std::string>& symbols() const { return symbols_; }

 private:
  std::vector<std::string> symbols_;  // id = index + 1
  std::unordered_map<std::string, int64_t> ids_;
};

// Splits IPA into the symbols PhonemeVocab uses.
std::vector<std::string> ipa_symbols(const std::string& ipa);

// Levenshtein distance between two id sequences.
size_t edit_distance(const std::vector<int64_t>& a, const std::vector<int64_t>& b);

}  // namespace clasp
