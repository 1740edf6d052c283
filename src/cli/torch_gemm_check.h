#pragma once
// Measures libtorch matmul speed: the guard against Debian's libtorch
// silently running on the reference BLAS (about 20x slower).
namespace clasp {

struct GemmResult {
  double gflops = 0;
  int n = 0;
  int threads = 0;
};

GemmResult torch_gemm_gflops(int n = 1024, int reps = 30);

}  // namespace clasp
