// Target: the safetensors reader (src/models/safetensors.*), which reads every
// model the project ships and any Hugging Face checkpoint a user points at.
// Feeds: the input as a .safetensors file to load_safetensors_metadata and
// load_safetensors.
// Why: the 8-byte header length, the JSON header (dtypes, shapes, offsets)
// and the data size are untrusted; a bad file must be a clasp::Error naming
// it, never a read outside the data, an overflow or a huge allocation.
#include <string>

#include "fuzz_common.h"
#include "models/safetensors.h"
#include "util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static clasp_fuzz::TempFile file("safetensors");
  file.write(clasp_fuzz::as_string(data, size));
  try {
    (void)clasp::load_safetensors_metadata(file.path());
  } catch (const clasp::Error&) {
  }
  try {
    for (const auto& [name, t] : clasp::load_safetensors(file.path())) {
      CLASP_FUZZ_CHECK(t.defined());
      CLASP_FUZZ_CHECK(static_cast<size_t>(t.nbytes()) <= size);  // every tensor's bytes lie in the file
    }
  } catch (const clasp::Error&) {
  }
  return 0;
}
