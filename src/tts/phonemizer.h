#pragma once
#include <string>

namespace clasp {

// IPA phoneme string of `text` in `lang` from espeak-ng (the same front end
// that drives espeak synthesis), clauses joined by spaces.
std::string phonemize_ipa(const std::string& text, const std::string& lang);

}  // namespace clasp
