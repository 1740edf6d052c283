#pragma once
// Reading GNU gettext's compiled message catalogs (.mo): each entry's
// English original (msgid) and its translation (msgstr).
#include <string>
#include <vector>

namespace clasp {

struct MoEntry {
  std::string context;             // msgctxt, "" when none
  std::string msgid;               // the singular original
  std::string msgid_plural;        // "" unless a plural entry
  std::vector<std::string> forms;  // msgstr; one per plural form for plural entries
};

struct MoCatalog {
  std::string charset;          // from the header entry (Content-Type), lower case; "" when absent
  std::vector<MoEntry> entries;  // in file order, without the header (empty msgid)
};

// Parses a whole .mo file (either byte order). A wrong magic number, a
// table or string outside the file, or a string without its terminating NUL
// is an Error naming `where` and the entry.
MoCatalog parse_mo(const std::string& bytes, const std::string& where);
MoCatalog read_mo_file(const std::string& path);

}  // namespace clasp
