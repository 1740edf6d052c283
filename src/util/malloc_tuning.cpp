#include "util/malloc_tuning.h"

#include <malloc.h>

#include <climits>

namespace clasp {

void keep_freed_memory_in_heap() {
  mallopt(M_MMAP_MAX, 0);                   // large blocks come from the heap and are reused
  mallopt(M_TRIM_THRESHOLD, INT_MAX);       // return the heap's top to the kernel only past 2 GB free
  mallopt(M_TOP_PAD, 64 << 20);             // grow the heap in 64 MB steps
}

}  // namespace clasp
