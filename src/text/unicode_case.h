#pragma once
#include <string>

namespace clasp {

// Full Unicode lower-casing (ICU, root locale), as Python's str.lower().
// Throws clasp::Error on invalid UTF-8.
std::string utf8_lower(const std::string& text);

// The text without its accents (ICU NFD, combining marks removed, then
// NFC): "número" -> "numero", "contraseña" -> "contrasena". Throws
// clasp::Error on invalid UTF-8.
std::string utf8_strip_accents(const std::string& text);

}  // namespace clasp
