#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace clasp {

// Byte offset of the first invalid UTF-8 sequence, or npos when valid.
// Rejects overlong forms, surrogates and code points above U+10FFFF.
size_t find_invalid_utf8(std::string_view s);

// Throws clasp::Error "<where>: invalid UTF-8 at byte N" when s is not UTF-8.
void require_utf8(std::string_view s, const std::string& where);

// Code points of valid UTF-8 (check it first: invalid bytes give garbage,
// never a read past the end).
std::vector<char32_t> utf8_code_points(std::string_view s);
// The same split into each code point's bytes (one string per character).
std::vector<std::string> utf8_characters(std::string_view s);

// Text that any JSON writer accepts, losslessly: valid UTF-8 is returned as
// it is; otherwise each backslash is doubled and each byte of an invalid
// sequence written as backslash, 'x', two hex digits (*escaped set true), so
// a file name that is not UTF-8 can still be shown and sent back.
std::string escape_invalid_utf8(std::string_view s, bool* escaped = nullptr);

// UTF-8 -> ISO-8859-1 for engines that only read Latin-1 (festival);
// characters outside Latin-1 become '?'. Input must be valid UTF-8.
std::string utf8_to_latin1(std::string_view s);

}  // namespace clasp
