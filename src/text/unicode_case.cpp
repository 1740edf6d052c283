#include "text/unicode_case.h"

#include <unicode/locid.h>
#include <unicode/unistr.h>

#include "util/utf8.h"

namespace clasp {

std::string utf8_lower(const std::string& text) {
  require_utf8(text, "text to lower-case");
  std::string out;
  icu::UnicodeString::fromUTF8(text).toLower(icu::Locale::getRoot()).toUTF8String(out);
  return out;
}

}  // namespace clasp
