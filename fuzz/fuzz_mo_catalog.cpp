// Target: the gettext .mo catalog reader (src/data/mo_catalog.*).
// Feeds: the input as the bytes of a .mo file to parse_mo (read_mo_file is
// read_file + parse_mo), either byte order.
// Why: the gettext importer reads catalogs shipped by third-party packages;
// every offset and length in them is untrusted. A bad table must be a
// clasp::Error naming the file and entry, never a read outside the buffer.
#include <string>

#include "data/mo_catalog.h"
#include "fuzz_common.h"
#include "util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const clasp::MoCatalog cat = clasp::parse_mo(clasp_fuzz::as_string(data, size), "fuzz.mo");
    CLASP_FUZZ_CHECK(cat.charset.size() <= size);
    for (const auto& e : cat.entries) {
      CLASP_FUZZ_CHECK(!e.forms.empty());  // split_nul gives at least one form
      // Every string is a piece of one string of the file.
      CLASP_FUZZ_CHECK(e.context.size() + e.msgid.size() + e.msgid_plural.size() < size);
      for (const auto& f : e.forms) CLASP_FUZZ_CHECK(f.size() < size);
    }
  } catch (const clasp::Error&) {
  }
  return 0;
}
