#include "models/frame_branch.h"

namespace clasp {

namespace nn = torch::nn;

FrameBranchImpl::FrameBranchImpl(int64_t in_dim, int64_t width) : width_(width) {
  in_norm = register_module("in_norm", nn::LayerNorm(nn::LayerNormOptions({in_dim})));
  in = register_module("in", nn::Linear(in_dim, width));
  norms = register_module("norms", nn::ModuleList());
  mixes = register_module("mixes", nn::ModuleList());
  for (size_t i = 0; i < dilations_.size(); ++i) {
    norms->push_back(nn::LayerNorm(nn::LayerNormOptions({width})));
    mixes->push_back(nn::Linear(3 * width, width));
  }
  attn = register_module("attn", nn::Linear(width, 1));
}

torch::Tensor FrameBranchImpl::forward(torch::Tensor x, const torch::Tensor& lengths) {
  const int64_t T = x.size(1);
  // [B, T, 1]: 1 on a clip's frames, 0 on padding. Padding is zeroed after
  // every step, as it is for a clip run alone, so a vector never depends on
  // the clips batched with it.
  auto valid = torch::arange(T).unsqueeze(0).lt(lengths.unsqueeze(1)).to(x.dtype()).unsqueeze(-1);
  x = torch::gelu(in->forward(in_norm->forward(x))) * valid;
  for (size_t i = 0; i < dilations_.size(); ++i) {
    const int64_t d = std::min<int64_t>(dilations_[i], T);
    auto y = norms[i]->as<nn::LayerNorm>()->forward(x) * valid;
    // Frames t-d, t, t+d side by side (zeros beyond the clip).
    auto before = torch::constant_pad_nd(y, {0, 0, d, 0}).narrow(1, 0, T);
    auto after = torch::constant_pad_nd(y, {0, 0, 0, d}).narrow(1, d, T);
    x = (x + torch::gelu(mixes[i]->as<nn::Linear>()->forward(torch::cat({before, y, after}, 2)))) * valid;
  }
  auto n = valid.sum(1).clamp_min(1);
  auto mean = x.sum(1) / n;
  auto mx = (x - (1 - valid) * 1e4).amax(1);
  auto score = attn->forward(x) - (1 - valid) * 1e4;  // [B, T, 1]
  auto att = (torch::softmax(score, 1) * x).sum(1);
  return torch::cat({att, mean, mx}, 1);
}

}  // namespace clasp
