#pragma once
// Word error rate: words are compared after lower-casing and removing
// punctuation (apostrophes inside words are kept: "don't").
#include <string>
#include <vector>

namespace clasp {

std::vector<std::string> normalised_words(const std::string& text);

struct WordErrors {
  size_t errors = 0, reference_words = 0;
  double rate() const { return reference_words ? static_cast<double>(errors) / reference_words : 0; }
};

// Substitutions + insertions + deletions of hypothesis against reference.
WordErrors word_errors(const std::string& reference, const std::string& hypothesis);

}  // namespace clasp
