#pragma once
// glibc's malloc hands blocks from 128 kB up (its threshold adapts to 32 MB)
// to fresh mmap'd pages and unmaps them on free. libtorch allocates a new
// output tensor per operation, so every product of a model's forward pass
// pays page faults on fresh, zeroed memory: measured on a 2-core VM, a
// 1024x1024 torch::mm ran at 122 GFLOP/s against 354 with the same BLAS
// kernel once freed blocks were kept for reuse. tune_malloc_for_tensors()
// keeps them (mmap only above 64 MB, trim the heap only above 256 MB free).
// Call it first in main(). It leaves alone a user's GLIBC_TUNABLES malloc
// settings; CLASP_MALLOC_TUNE=0 turns it off (to measure the difference).
namespace clasp {

// True when the settings were applied.
bool tune_malloc_for_tensors();
// Whether tune_malloc_for_tensors() applied its settings in this process.
bool malloc_tuned();

}  // namespace clasp
