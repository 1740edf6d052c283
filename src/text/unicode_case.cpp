#include "text/unicode_case.h"

#include <algorithm>

#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include "util/error.h"
#include "util/utf8.h"

namespace clasp {

std::string utf8_lower(const std::string& text) {
  require_utf8(text, "text to lower-case");
  std::string out;
  icu::UnicodeString::fromUTF8(text).toLower(icu::Locale::getRoot()).toUTF8String(out);
  return out;
}

std::string utf8_strip_accents(const std::string& text) {
  // Most words are plain ASCII, which has no accents: no ICU round trip
  // (a lexicon's load strips every word).
  if (std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; })) return text;
  require_utf8(text, "text to strip of accents");
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status) || !nfd || !nfc) throw Error("ICU normaliser unavailable");
  const auto decomposed = nfd->normalize(icu::UnicodeString::fromUTF8(text), status);
  icu::UnicodeString bare;
  for (int32_t i = 0; i < decomposed.length(); i = decomposed.moveIndex32(i, 1)) {
    const UChar32 c = decomposed.char32At(i);
    if (u_charType(c) != U_NON_SPACING_MARK) bare.append(c);
  }
  const auto out16 = nfc->normalize(bare, status);
  if (U_FAILURE(status)) throw Error("ICU normalisation failed");
  std::string out;
  out16.toUTF8String(out);
  return out;
}

}  // namespace clasp
