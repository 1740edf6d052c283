#pragma once
// CLASP's audio side after the frozen speech encoder (../shared/DESIGN.md):
// a spectrogram branch over the log-mel, one MLP per branch, and the concat
// or gating fusion encoder that maps both to the text embedding space.
#include <torch/torch.h>

#include <string>

namespace clasp {

// A small strided 2-D CNN over the per-utterance normalised log-mel
// [B, T, 80] -> masked mean and max over time and frequency [B, 2 * C].
struct SpectrogramCnnImpl : torch::nn::Module {
  explicit SpectrogramCnnImpl(int64_t base_channels = 24);
  torch::Tensor forward(const torch::Tensor& mel, const torch::Tensor& lengths);
  int64_t out_dim() const { return 2 * channels_.back(); }
  std::vector<int64_t> channels_;
  torch::nn::ModuleList convs{nullptr}, norms{nullptr};
};
TORCH_MODULE(SpectrogramCnn);

// Linear(768) BN ReLU Dropout(.15) Linear(576) BN LeakyReLU Dropout(.1) Linear(768).
struct BranchMlpImpl : torch::nn::Module {
  explicit BranchMlpImpl(int64_t in);
  torch::Tensor forward(torch::Tensor x);
  torch::nn::Sequential net{nullptr};
};
TORCH_MODULE(BranchMlp);

struct FusionConfig {
  std::string kind = "concat";  // concat | gating
  int64_t speech_dim = 0;       // 0 = no speech branch
  int64_t spectrogram_dim = 0;  // 0 = no spectrogram branch
  int64_t out_dim = 256;        // the text embedding size
  int64_t frames_dim = 0;       // 0 = no frame branch (models/frame_branch.h)
};

// Concat: branch MLPs, concat -> Linear(1024) BN LeakyReLU Linear(800)
// LeakyReLU Linear(out). Gating: per branch h = sigmoid(Wi x) * tanh(Wc x) +
// sigmoid(Wf x) * x, then softmax(W [h1; h2]) split into the weights of h1
// and h2; a final Linear maps 768 to out when the text size is not 768.
// With one branch, both reduce to that branch's MLP and the head; a third
// branch (the frame branch) joins the concat, or gets its own gates and a
// third of the softmax.
struct FusionImpl : torch::nn::Module {
  explicit FusionImpl(const FusionConfig& c);
  // Inputs of absent branches are ignored.
  torch::Tensor forward(const torch::Tensor& speech, const torch::Tensor& spectrogram, const torch::Tensor& frames);
  FusionConfig cfg;
  BranchMlp speech_mlp{nullptr}, spec_mlp{nullptr}, frames_mlp{nullptr};
  torch::nn::Sequential concat_head{nullptr};
  torch::nn::Linear gi1{nullptr}, gf1{nullptr}, gc1{nullptr}, gi2{nullptr}, gf2{nullptr}, gc2{nullptr},
      gi3{nullptr}, gf3{nullptr}, gc3{nullptr}, mix{nullptr}, out{nullptr};
};
TORCH_MODULE(Fusion);

}  // namespace clasp
