#include "util/utf8.h"

#include "util/error.h"

#include <algorithm>

namespace clasp {

namespace {
// Decodes one code point at s[i]; returns its length, or 0 when invalid.
size_t decode(std::string_view s, size_t i, char32_t* cp) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  unsigned char c = b(0);
  size_t n;
  char32_t v, min;
  if (c < 0x80) { *cp = c; return 1; }
  if ((c & 0xE0) == 0xC0) { n = 2; v = c & 0x1F; min = 0x80; }
  else if ((c & 0xF0) == 0xE0) { n = 3; v = c & 0x0F; min = 0x800; }
  else if ((c & 0xF8) == 0xF0) { n = 4; v = c & 0x07; min = 0x10000; }
  else return 0;
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    v = (v << 6) | (b(k) & 0x3F);
  }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
  *cp = v;
  return n;
}
}  // namespace

size_t find_invalid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    char32_t cp;
    size_t n = decode(s, i, &cp);
    if (n == 0) return i;
    i += n;
  }
  return std::string_view::npos;
}

void require_utf8(std::string_view s, const std::string& where) {
  size_t bad = find_invalid_utf8(s);
  if (bad != std::string_view::npos)
    throw Error(where + ": invalid UTF-8 at byte " + std::to_string(bad) + " (expected UTF-8 text)");
}

std::string utf8_to_latin1(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    char32_t cp;
    size_t n = decode(s, i, &cp);
    if (n == 0) { out.push_back('?'); ++i; continue; }
    out.push_back(cp < 0x100 ? static_cast<char>(cp) : '?');
    i += n;
  }
  return out;
}

std::vector<char32_t> utf8_code_points(std::string_view s) {
  std::vector<char32_t> out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (int k = 1; k < n && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += static_cast<size_t>(n);
  }
  return out;
}

std::vector<std::string> utf8_characters(std::string_view s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t n = std::min(s.size() - i, size_t{c < 0x80 ? 1u : c < 0xE0 ? 2u : c < 0xF0 ? 3u : 4u});
    out.emplace_back(s.substr(i, n));
    i += n;
  }
  return out;
}

std::string escape_invalid_utf8(std::string_view s, bool* escaped) {
  if (escaped) *escaped = false;
  size_t bad = find_invalid_utf8(s);
  if (bad == std::string_view::npos) return std::string(s);
  if (escaped) *escaped = true;
  std::string out;
  static const char* hex = "0123456789abcdef";
  while (!s.empty()) {
    bad = find_invalid_utf8(s);
    std::string_view good = s.substr(0, bad == std::string_view::npos ? s.size() : bad);
    for (char c : good) {
      if (c == '\\') out += '\\';
      out += c;
    }
    if (bad == std::string_view::npos) break;
    const auto b = static_cast<unsigned char>(s[bad]);
    out += "\\x";
    out += hex[b >> 4];
    out += hex[b & 15];
    s.remove_prefix(bad + 1);
  }
  return out;
}

}  // namespace clasp
