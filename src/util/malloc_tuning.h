#pragma once

namespace clasp {

// Keeps freed memory in the process heap instead of handing it back to the
// kernel. glibc serves every allocation above 32 MB with a fresh mmap and
// unmaps it on free, so each large tensor is page-faulted in anew; on this
// project's (virtualised) machines those faults cost ~80% of a
// spectrogram-CNN training step (37 s -> a few s per batch of 128). Call once
// at start-up, before threads are started.
void keep_freed_memory_in_heap();

}  // namespace clasp
