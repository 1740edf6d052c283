#pragma once
#include <string>

namespace clasp {

// Full Unicode lower-casing (ICU, root locale), as Python's str.lower().
// Throws clasp::Error on invalid UTF-8.
std::string utf8_lower(const std::string& text);

}  // namespace clasp
