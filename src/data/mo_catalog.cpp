#include "data/mo_catalog.h"

#include <cstdint>

#include "util/error.h"
#include "util/fs.h"
#include "util/text_clean.h"

namespace clasp {

namespace {

constexpr uint32_t kMagic = 0x950412de;
constexpr size_t kMaxMoBytes = size_t{256} << 20;  // the largest catalogs are a few MB

std::vector<std::string> split_nul(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i)
    if (i == s.size() || s[i] == '\0') {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  return out;
}

}  // namespace

MoCatalog parse_mo(const std::string& bytes, const std::string& where) {
  auto u32_at = [&](size_t off, bool swap) -> uint32_t {
    if (off + 4 > bytes.size()) fail_file(where, "truncated .mo file (header or table past the end)");
    auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(bytes[off + i])); };
    return swap ? (b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3)) : (b(3) << 24 | b(2) << 16 | b(1) << 8 | b(0));
  };
  if (bytes.size() < 28) fail_file(where, "not a gettext .mo file (shorter than its 28-byte header)");
  bool swap = false;
  if (u32_at(0, false) != kMagic) {
    if (u32_at(0, true) != kMagic) fail_file(where, "not a gettext .mo file (wrong magic number)");
    swap = true;
  }
  uint32_t revision = u32_at(4, swap);
  if ((revision >> 16) > 1) fail_file(where, "unsupported .mo major revision " + std::to_string(revision >> 16));
  const size_t n = u32_at(8, swap), originals = u32_at(12, swap), translations = u32_at(16, swap);
  if (n > bytes.size() / 16) fail_file(where, "entry count " + std::to_string(n) + " does not fit the file");
  auto string_at = [&](size_t table, size_t i, const char* what) {
    size_t len = u32_at(table + 8 * i, swap), off = u32_at(table + 8 * i + 4, swap);
    if (off > bytes.size() || len >= bytes.size() - off || bytes[off + len] != '\0')
      fail_file(where, std::string(what) + " of entry " + std::to_string(i) + " lies outside the file or lacks its NUL");
    return bytes.substr(off, len);
  };
  MoCatalog cat;
  for (size_t i = 0; i < n; ++i) {
    std::string id = string_at(originals, i, "msgid"), str = string_at(translations, i, "msgstr");
    if (id.empty()) {  // the header: "Content-Type: text/plain; charset=UTF-8\n..."
      std::string h = lower_ascii(str);
      size_t p = h.find("charset=");
      if (p != std::string::npos) {
        size_t e = h.find_first_of(" ;\n", p + 8);
        cat.charset = h.substr(p + 8, e == std::string::npos ? std::string::npos : e - p - 8);
      }
      continue;
    }
    MoEntry e;
    size_t ctx = id.find('\x04');  // msgctxt EOT msgid
    if (ctx != std::string::npos) {
      e.context = id.substr(0, ctx);
      id = id.substr(ctx + 1);
    }
    auto ids = split_nul(id);
    e.msgid = ids[0];
    if (ids.size() > 1) e.msgid_plural = ids[1];
    e.forms = split_nul(str);
    cat.entries.push_back(std::move(e));
  }
  return cat;
}

MoCatalog read_mo_file(const std::string& path) { return parse_mo(read_file(path, kMaxMoBytes), path); }

}  // namespace clasp
