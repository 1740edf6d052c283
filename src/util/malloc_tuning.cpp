#include "util/malloc_tuning.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>

namespace clasp {

namespace {
bool g_tuned = false;
}  // namespace

bool malloc_tuned() { return g_tuned; }

bool tune_malloc_for_tensors() {
  const char* off = std::getenv("CLASP_MALLOC_TUNE");
  if (off && std::strcmp(off, "0") == 0) return false;
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (tunables && std::strstr(tunables, "glibc.malloc.")) return false;  // the user's own settings
  // Fixed values also stop glibc's dynamic threshold, which only ever rises
  // after the first large free: too late for the first passes of a model.
  bool ok = mallopt(M_MMAP_THRESHOLD, 64 << 20) == 1;
  ok = mallopt(M_TRIM_THRESHOLD, 256 << 20) == 1 && ok;
  ok = mallopt(M_TOP_PAD, 16 << 20) == 1 && ok;
  g_tuned = ok;
  return ok;
}

}  // namespace clasp
