#include "models/fusion.h"

namespace clasp {

namespace nn = torch::nn;

SpectrogramCnnImpl::SpectrogramCnnImpl(int64_t c) : channels_{c, 2 * c, 4 * c, 8 * c} {
  convs = register_module("convs", nn::ModuleList());
  norms = register_module("norms", nn::ModuleList());
  int64_t in = 1;
  for (int64_t ch : channels_) {
    convs->push_back(nn::Conv2d(nn::Conv2dOptions(in, ch, 3).stride(2).padding(1)));
    norms->push_back(nn::BatchNorm2d(ch));
    in = ch;
  }
}

torch::Tensor SpectrogramCnnImpl::forward(const torch::Tensor& mel, const torch::Tensor& lengths) {
  auto x = mel.unsqueeze(1);  // [B, 1, T, F]
  auto len = lengths;
  auto valid_frames = [&](const torch::Tensor& l) {
    return torch::arange(x.size(2)).unsqueeze(0).lt(l.unsqueeze(1)).to(x.dtype()).view({x.size(0), 1, -1, 1});
  };
  for (size_t i = 0; i < channels_.size(); ++i) {
    x = torch::relu(norms[i]->as<nn::BatchNorm2d>()->forward(convs[i]->as<nn::Conv2d>()->forward(x)));
    len = (torch::div(len - 1, 2, "floor") + 1).clamp(1, x.size(2));  // kernel 3, stride 2, padding 1
    // Padded frames back to zero, as they are for a clip run alone: else the
    // next convolution carries them into the clip's last frames and a vector
    // would depend on the clips batched with it.
    if (i + 1 < channels_.size()) x = x * valid_frames(len);
  }
  auto valid = valid_frames(len);
  auto n = valid.sum({2, 3}) * x.size(3);
  auto mean = (x * valid).sum({2, 3}) / n;
  auto mx = (x * valid - (1 - valid) * 1e4).amax({2, 3});
  return torch::cat({mean, mx}, 1);
}

BranchMlpImpl::BranchMlpImpl(int64_t in) {
  net = register_module(
      "net", nn::Sequential(nn::Linear(in, 768), nn::BatchNorm1d(768), nn::ReLU(), nn::Dropout(0.15),
                            nn::Linear(768, 576), nn::BatchNorm1d(576), nn::LeakyReLU(), nn::Dropout(0.1),
                            nn::Linear(576, 768)));
}

torch::Tensor BranchMlpImpl::forward(torch::Tensor x) { return net->forward(x); }

FusionImpl::FusionImpl(const FusionConfig& c) : cfg(c) {
  if (c.speech_dim <= 0 && c.spectrogram_dim <= 0 && c.frames_dim <= 0)
    throw std::invalid_argument("fusion needs at least one branch");
  if (c.kind != "concat" && c.kind != "gating") throw std::invalid_argument("fusion must be concat or gating");
  if (c.speech_dim > 0) speech_mlp = register_module("speech_mlp", BranchMlp(c.speech_dim));
  if (c.spectrogram_dim > 0) spec_mlp = register_module("spec_mlp", BranchMlp(c.spectrogram_dim));
  if (c.frames_dim > 0) frames_mlp = register_module("frames_mlp", BranchMlp(c.frames_dim));
  const int64_t branches = (c.speech_dim > 0) + (c.spectrogram_dim > 0) + (c.frames_dim > 0);
  if (c.kind == "concat") {
    concat_head = register_module(
        "concat_head", nn::Sequential(nn::Linear(768 * branches, 1024), nn::BatchNorm1d(1024), nn::LeakyReLU(),
                                      nn::Linear(1024, 800), nn::LeakyReLU(), nn::Linear(800, c.out_dim)));
    return;
  }
  gi1 = register_module("gate_in_1", nn::Linear(768, 768));
  gf1 = register_module("gate_forget_1", nn::Linear(768, 768));
  gc1 = register_module("gate_cand_1", nn::Linear(768, 768));
  if (branches >= 2) {
    gi2 = register_module("gate_in_2", nn::Linear(768, 768));
    gf2 = register_module("gate_forget_2", nn::Linear(768, 768));
    gc2 = register_module("gate_cand_2", nn::Linear(768, 768));
  }
  if (branches == 3) {
    gi3 = register_module("gate_in_3", nn::Linear(768, 768));
    gf3 = register_module("gate_forget_3", nn::Linear(768, 768));
    gc3 = register_module("gate_cand_3", nn::Linear(768, 768));
  }
  if (branches >= 2) mix = register_module("mix", nn::Linear(branches * 768, branches * 768));
  if (c.out_dim != 768) out = register_module("out", nn::Linear(768, c.out_dim));
}

torch::Tensor FusionImpl::forward(const torch::Tensor& speech, const torch::Tensor& spectrogram,
                                  const torch::Tensor& frames) {
  std::vector<torch::Tensor> h;
  if (speech_mlp) h.push_back(speech_mlp->forward(speech));
  if (spec_mlp) h.push_back(spec_mlp->forward(spectrogram));
  if (frames_mlp) h.push_back(frames_mlp->forward(frames));
  if (cfg.kind == "concat") return concat_head->forward(torch::cat(h, 1));
  auto gate = [](const torch::Tensor& x, nn::Linear& i, nn::Linear& f, nn::Linear& c) {
    return torch::sigmoid(i->forward(x)) * torch::tanh(c->forward(x)) + torch::sigmoid(f->forward(x)) * x;
  };
  nn::Linear* gates[3][3] = {{&gi1, &gf1, &gc1}, {&gi2, &gf2, &gc2}, {&gi3, &gf3, &gc3}};
  for (size_t k = 0; k < h.size(); ++k) h[k] = gate(h[k], *gates[k][0], *gates[k][1], *gates[k][2]);
  torch::Tensor y = h[0];
  if (h.size() > 1) {
    // One softmax over all gated vectors, split into each branch's weights.
    auto w = torch::softmax(mix->forward(torch::cat(h, 1)), 1);
    y = w.narrow(1, 0, 768) * h[0];
    for (size_t k = 1; k < h.size(); ++k) y = y + w.narrow(1, static_cast<int64_t>(k) * 768, 768) * h[k];
  }
  return out ? out->forward(y) : y;
}

}  // namespace clasp
