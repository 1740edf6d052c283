#include "report/embedding_projection.h"

#include <torch/torch.h>

#include <cmath>

#include "util/error.h"

namespace clasp {

Projection2D project_pairs_2d(const std::vector<float>& a, const std::vector<float>& b, size_t dim) {
  if (dim == 0 || a.size() % dim || a.size() != b.size() || a.size() < 2 * dim)
    throw Error("embedding projection: need two sets of at least 2 vectors of the same size and count");
  const int64_t n = static_cast<int64_t>(a.size() / dim), d = static_cast<int64_t>(dim);
  auto ta = torch::from_blob(const_cast<float*>(a.data()), {n, d}).to(torch::kDouble);
  auto tb = torch::from_blob(const_cast<float*>(b.data()), {n, d}).to(torch::kDouble);
  auto x = torch::cat({ta, tb}, 0);
  x = x - x.mean(0, true);
  auto [u, s, v] = torch::svd(x);  // x = u diag(s) v^T
  auto axes = v.slice(1, 0, 2);
  auto p = torch::matmul(x, axes).contiguous();
  auto var = s.pow(2);
  Projection2D out;
  out.explained = (var.slice(0, 0, 2).sum() / var.sum().clamp_min(1e-30)).item<double>();
  const double* q = p.data_ptr<double>();
  for (int64_t i = 0; i < n; ++i) {
    out.ax.push_back(q[2 * i]);
    out.ay.push_back(q[2 * i + 1]);
    out.bx.push_back(q[2 * (n + i)]);
    out.by.push_back(q[2 * (n + i) + 1]);
    out.mean_pair_distance += std::hypot(out.ax.back() - out.bx.back(), out.ay.back() - out.by.back()) / n;
  }
  return out;
}

}  // namespace clasp
