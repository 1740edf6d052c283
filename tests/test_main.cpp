// The test binary's main: the same OpenBLAS kernel choice as the clasp
// command (see util/blas_kernel.h), then GoogleTest.
#include <gtest/gtest.h>

#include "util/blas_kernel.h"
#include "util/logging.h"
#include "util/malloc_tuning.h"

int main(int argc, char** argv) {
  clasp::select_blas_kernel();
  clasp::log_to_stderr();
  clasp::tune_malloc_for_tensors();
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
