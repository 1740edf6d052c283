#include "cli/torch_gemm_check.h"

#include <torch/torch.h>

#include <chrono>
#include <thread>

namespace clasp {

GemmResult torch_gemm_gflops(int n, int reps) {
  torch::NoGradGuard ng;
  torch::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  auto a = torch::randn({n, n});
  auto b = torch::randn({n, n});
  auto c = torch::mm(a, b);  // warm-up
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < reps; ++i) c = torch::mm(a, b);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  GemmResult r;
  r.n = n;
  r.threads = torch::get_num_threads();
  r.gflops = 2.0 * n * n * n * reps / s / 1e9;
  return r;
}

}  // namespace clasp
