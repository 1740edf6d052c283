#pragma once
// A trainable branch over the frozen speech encoder's frames (beyond the
// paper, which only mean-pools them): each frame's hidden state plus its CTC
// phoneme posteriors go through residual blocks that each see the frames
// d = 1, 2, 4, 8 steps before and after (about +-0.6 s in all, a word or
// two), then attention, mean and max pooling over the valid frames.
// Mean-pooling alone keeps which sounds occur but not in which order, and
// the phonetic baseline shows the order is where the sentence is.
// Built from Linear/LayerNorm only: libtorch 1.13's CPU backward misbehaves
// for convolutions followed by LayerNorm (see speech_encoder.cpp).
#include <torch/torch.h>

namespace clasp {

struct FrameBranchImpl : torch::nn::Module {
  FrameBranchImpl(int64_t in_dim, int64_t width = 160);
  // frames [B, T, in_dim] (padded), lengths [B] -> [B, out_dim()].
  torch::Tensor forward(torch::Tensor frames, const torch::Tensor& lengths);
  int64_t out_dim() const { return 3 * width_; }

  int64_t width_;
  std::vector<int64_t> dilations_{1, 2, 4, 8};
  torch::nn::Linear in{nullptr}, attn{nullptr};
  torch::nn::LayerNorm in_norm{nullptr};
  torch::nn::ModuleList norms{nullptr}, mixes{nullptr};
};
TORCH_MODULE(FrameBranch);

}  // namespace clasp
